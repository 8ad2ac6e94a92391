package dev.remoteclaude.repository.repository;

import dev.remoteclaude.repository.KnownSession;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

@ApplicationScoped
@WithSession
public class KnownSessionRepository implements PanacheRepositoryBase<KnownSession, UUID> {

  /** The owner's session; null when it is unknown or another user's. */
  public Uni<KnownSession> findOwned(String ownerId, UUID sessionId) {
    return find("sessionId = ?1 and ownerId = ?2", sessionId, ownerId).firstResult();
  }
}
