package dev.remoteclaude.gateway.sandbox;

import dev.remoteclaude.common.events.SessionRequested;
import dev.remoteclaude.common.problem.ProblemException;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.RowSet;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import java.util.UUID;

/** The caller's sandbox, or a 404 exactly like a missing one when it belongs to someone else. */
@ApplicationScoped
public class SandboxAccess {

  /** The caller's sandbox with the request it was made from (environment still sealed). */
  public record Owned(Sandbox sandbox, Optional<SessionRequested> request) {}

  private final Pool pool;

  public SandboxAccess(Pool pool) {
    this.pool = pool;
  }

  /** A read-only view of the caller's sandbox (one query through the pool, no ORM session). */
  public Uni<Sandbox> owned(UUID sessionId, String userId) {
    return pool.preparedQuery(
            "SELECT owner_id, provider, provider_id, state FROM sandbox WHERE session_id = $1")
        .execute(Tuple.of(sessionId))
        .map(rows -> sandbox(sessionId, userId, rows));
  }

  /**
   * The caller's sandbox and its stored request, in the same single query: what running a process
   * in it needs. The request is parsed only once the caller is known to own the sandbox.
   */
  public Uni<Owned> ownedWithRequest(UUID sessionId, String userId) {
    return pool.preparedQuery(
            "SELECT s.owner_id, s.provider, s.provider_id, s.state, r.request FROM sandbox s"
                + " LEFT JOIN sandbox_request r ON r.session_id = s.session_id"
                + " WHERE s.session_id = $1")
        .execute(Tuple.of(sessionId))
        .map(
            rows -> {
              Sandbox sandbox = sandbox(sessionId, userId, rows);
              String request = rows.iterator().next().getString("request");
              return new Owned(sandbox, Optional.ofNullable(request).map(SandboxRequests::parse));
            });
  }

  private static Sandbox sandbox(UUID sessionId, String userId, RowSet<Row> rows) {
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
  }
}
