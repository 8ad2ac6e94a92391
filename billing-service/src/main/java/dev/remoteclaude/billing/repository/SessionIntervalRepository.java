package dev.remoteclaude.billing.repository;

import dev.remoteclaude.billing.SessionInterval;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
@WithSession
public class SessionIntervalRepository
    implements PanacheRepositoryBase<SessionInterval, SessionInterval.Key> {

  public Uni<SessionInterval> findOpen(UUID sessionId) {
    return find("sessionId = ?1 and endedAt is null", sessionId).firstResult();
  }

  /** A user's intervals that have not ended (one per live session at most). */
  public Uni<List<SessionInterval>> listOpenOwned(String ownerId) {
    return list("ownerId = ?1 and endedAt is null order by startedAt", ownerId);
  }
}
