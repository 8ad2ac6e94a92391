package dev.remoteclaude.task.repository;

import dev.remoteclaude.task.KnownSession;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.persistence.LockModeType;
import java.util.UUID;

@ApplicationScoped
@WithSession
public class KnownSessionRepository implements PanacheRepositoryBase<KnownSession, UUID> {

  /**
   * The session, its row locked until the transaction ends ({@code SELECT ... FOR UPDATE}); null if
   * unknown. Whoever holds it is the only one changing the session's tasks.
   */
  public Uni<KnownSession> lock(UUID id) {
    return findById(id, LockModeType.PESSIMISTIC_WRITE);
  }

  /** The session if it exists and belongs to the user, else null (the two look alike). */
  public Uni<KnownSession> findOwned(UUID id, String ownerId) {
    return find("id = ?1 and ownerId = ?2", id, ownerId).firstResult();
  }
}
