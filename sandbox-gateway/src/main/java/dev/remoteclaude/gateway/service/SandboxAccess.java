package dev.remoteclaude.gateway.service;

import dev.remoteclaude.common.problem.ProblemException;
import dev.remoteclaude.gateway.Sandbox;
import dev.remoteclaude.gateway.SandboxState;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.UUID;

/** The caller's sandbox, or a 404 exactly like a missing one when it belongs to someone else. */
@ApplicationScoped
public class SandboxAccess {

  private final Pool pool;

  public SandboxAccess(Pool pool) {
    this.pool = pool;
  }

  /** A read-only view of the caller's sandbox (one query through the pool, no ORM session). */
  public Uni<Sandbox> owned(UUID sessionId, String userId) {
    return pool.preparedQuery(
            "SELECT owner_id, provider, provider_id, state FROM sandbox WHERE session_id = $1")
        .execute(Tuple.of(sessionId))
        .map(
            rows -> {
              Row row = rows.size() == 0 ? null : rows.iterator().next();
              if (row == null || !row.getString("owner_id").equals(userId)) {
                throw ProblemException.notFound("session " + sessionId);
              }
              Sandbox sandbox = new Sandbox();
              sandbox.sessionId = sessionId;
              sandbox.ownerId = row.getString("owner_id");
              sandbox.provider = row.getString("provider");
              sandbox.providerId = row.getString("provider_id");
              sandbox.state = SandboxState.valueOf(row.getString("state"));
              return sandbox;
            });
  }
}
