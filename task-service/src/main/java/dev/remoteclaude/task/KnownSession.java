package dev.remoteclaude.task;

import dev.remoteclaude.api.SessionState;
import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.UUID;

/**
 * A session as task-service knows it, from session-service's state changes: its owner and state.
 * The state is kept as sent (a state this code does not know simply holds the queue). Its row is
 * locked by every transaction that changes the session's tasks, which serialises them across
 * replicas.
 */
@Entity
@Table(name = "known_session")
public class KnownSession extends PanacheEntityBase {

  @Id public UUID id;

  @Column(name = "owner_id", nullable = false)
  public String ownerId;

  @Column(nullable = false)
  public String state;

  public String reason;

  @Column(name = "changed_at", nullable = false)
  public Instant changedAt;

  public static KnownSession of(UUID id, String ownerId) {
    KnownSession session = new KnownSession();
    session.id = id;
    session.ownerId = ownerId;
    return session;
  }

  public boolean isOwnedBy(String userId) {
    return ownerId.equals(userId);
  }

  /** Its queue runs only while it is READY. */
  public boolean canRunTasks() {
    return SessionState.READY.name().equals(state);
  }

  /** Going or gone (no longer live): its queue is cancelled, new tasks refused. */
  public boolean hasEnded() {
    return SessionState.named(state).map(known -> !known.isLive()).orElse(false);
  }
}
