package dev.remoteclaude.gateway.sandbox;

import io.quarkus.hibernate.reactive.panache.PanacheRepositoryBase;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

@ApplicationScoped
public class SandboxRepository implements PanacheRepositoryBase<Sandbox, UUID> {

  private final Pool pool;

  public SandboxRepository(Pool pool) {
    this.pool = pool;
  }

  /** The owner of a session's sandbox, or null; usable outside a Hibernate session (upgrades). */
  public Uni<String> ownerOf(UUID sessionId) {
    return pool.preparedQuery("SELECT owner_id FROM sandbox WHERE session_id = $1")
        .execute(Tuple.of(sessionId))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString(0));
  }

  /**
   * Records the provider's id of a sandbox being provisioned, in one statement of its own (no
   * Hibernate session), so recovery can find what to clean up.
   */
  public Uni<Void> recordProviderId(UUID sessionId, String providerId) {
    return pool.preparedQuery(
            "UPDATE sandbox SET provider_id = $2, updated_at = now() WHERE session_id = $1")
        .execute(Tuple.of(sessionId, providerId))
        .replaceWithVoid();
  }

  /** The sandbox, locked for the rest of the transaction. */
  public Uni<Sandbox> lock(UUID sessionId) {
    return findById(sessionId, jakarta.persistence.LockModeType.PESSIMISTIC_WRITE);
  }
}
