package dev.remoteclaude.gateway.sandbox;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.UUID;

/** The stored session request of each sandbox ({@code sandbox_request}), as JSON. */
@ApplicationScoped
public class SandboxRequestRepository {

  private final Pool pool;

  public SandboxRequestRepository(Pool pool) {
    this.pool = pool;
  }

  /** Stores (or replaces) the request; inside a transaction. */
  public Uni<Void> save(UUID sessionId, String json) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(
                        "INSERT INTO sandbox_request (session_id, request) VALUES (?1, ?2)"
                            + " ON CONFLICT (session_id) DO UPDATE SET request = EXCLUDED.request")
                    .setParameter(1, sessionId)
                    .setParameter(2, json)
                    .executeUpdate())
        .replaceWithVoid();
  }

  /** Forgets the request; inside a transaction. */
  public Uni<Void> delete(UUID sessionId) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery("DELETE FROM sandbox_request WHERE session_id = ?1")
                    .setParameter(1, sessionId)
                    .executeUpdate())
        .replaceWithVoid();
  }

  /** The stored request (a plain read through the pool: cheap on the command path). */
  public Uni<Optional<String>> find(UUID sessionId) {
    return pool.preparedQuery("SELECT request FROM sandbox_request WHERE session_id = $1")
        .execute(Tuple.of(sessionId))
        .map(
            rows ->
                rows.size() == 0
                    ? Optional.<String>empty()
                    : Optional.of(rows.iterator().next().getString(0)));
  }
}
