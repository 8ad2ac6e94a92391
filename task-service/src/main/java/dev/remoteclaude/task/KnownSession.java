package dev.remoteclaude.task;

import io.quarkus.hibernate.reactive.panache.PanacheEntityBase;
import jakarta.persistence.Column;
import jakarta.persistence.Entity;
import jakarta.persistence.Id;
import jakarta.persistence.Table;
import java.time.Instant;
import java.util.Set;
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

  /** The one state in which the session's queue runs. */
  public static final String READY = "READY";

  /** States in which the session is going or gone: its queue is cancelled, new tasks refused. */
  public static final Set<String> ENDED = Set.of("TERMINATING", "TERMINATED", "FAILED");

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

  public boolean canRunTasks() {
    return READY.equals(state);
  }

  public boolean hasEnded() {
    return ENDED.contains(state);
  }
}
