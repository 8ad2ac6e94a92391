package dev.remoteclaude.billing.repository;

import dev.remoteclaude.billing.SessionInterval;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
@WithSession
public class SessionIntervalRepository
    implements PanacheRepositoryBase<SessionInterval, SessionInterval.Key> {

  public Uni<SessionInterval> findOpen(UUID sessionId) {
    return find("sessionId = ?1 and endedAt is null", sessionId).firstResult();
  }

  public Uni<List<SessionInterval>> listOwnedSince(String ownerId, Instant since) {
    return list(
        "ownerId = ?1 and (endedAt is null or endedAt >= ?2) order by startedAt", ownerId, since);
  }
}
