package dev.remoteclaude.repository.repository;

import dev.remoteclaude.repository.PullRequestIntent;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

@ApplicationScoped
@WithSession
public class PullRequestIntentRepository implements PanacheRepositoryBase<PullRequestIntent, UUID> {

  /**
   * Up to {@code limit} intents due at {@code now}, oldest first, locked for the caller's
   * transaction (rows another replica holds are skipped); inside a transaction.
   */
  public Uni<List<PullRequestIntent>> lockDue(Instant now, int limit) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(
                        "SELECT * FROM pull_request_intent WHERE next_attempt_at <= ?1"
                            + " ORDER BY next_attempt_at, created_at LIMIT ?2"
                            + " FOR UPDATE SKIP LOCKED",
                        PullRequestIntent.class)
                    .setParameter(1, now)
                    .setParameter(2, limit)
                    .getResultList());
  }
}
