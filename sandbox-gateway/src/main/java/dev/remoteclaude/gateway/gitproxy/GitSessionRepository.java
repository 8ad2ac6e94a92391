package dev.remoteclaude.gateway.gitproxy;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Optional;
import java.util.UUID;

/**
 * The git proxy's sessions ({@code git_session}): a token hash, the upstream repository with its
 * sealed credential, and the task push under way. Writes run inside the caller's transaction.
 */
@ApplicationScoped
public class GitSessionRepository {

  /** A session as the proxy sees it (the credential still sealed). */
  public record GitSession(
      UUID sessionId,
      String ownerId,
      String repositoryUrl,
      String sealedCredential,
      String branch) {}

  /** The task push under way on a session. */
  public record PendingPush(UUID taskId, String branch, String pullRequestJson) {}

  private final Pool pool;

  public GitSessionRepository(Pool pool) {
    this.pool = pool;
  }

  /** Stores (or replaces, with a new token) the session's entry; inside a transaction. */
  public Uni<Void> save(
      UUID sessionId,
      byte[] tokenHash,
      String ownerId,
      String url,
      String sealedCredential,
      String branch) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery(
                        "INSERT INTO git_session (session_id, token_hash, owner_id, repository_url,"
                            + " git_credential, created_at, branch) VALUES (?1, ?2, ?3, ?4, ?5,"
                            + " ?6, ?7)"
                            + " ON CONFLICT (session_id) DO UPDATE SET token_hash ="
                            + " EXCLUDED.token_hash, owner_id = EXCLUDED.owner_id, repository_url ="
                            + " EXCLUDED.repository_url, git_credential = EXCLUDED.git_credential,"
                            + " branch = EXCLUDED.branch, pending_task_id = NULL, pending_branch = NULL,"
                            + " pending_pull_request = NULL")
                    .setParameter(1, sessionId)
                    .setParameter(2, tokenHash)
                    .setParameter(3, ownerId)
                    .setParameter(4, url)
                    .setParameter(5, sealedCredential)
                    .setParameter(6, OffsetDateTime.now(ZoneOffset.UTC))
                    .setParameter(7, branch)
                    .executeUpdate())
        .replaceWithVoid();
  }

  /** Forgets the session (its token stops working); inside a transaction. */
  public Uni<Void> delete(UUID sessionId) {
    return Panache.getSession()
        .chain(
            s ->
                s.createNativeQuery("DELETE FROM git_session WHERE session_id = ?1")
                    .setParameter(1, sessionId)
                    .executeUpdate())
        .replaceWithVoid();
  }

  /** The session a token belongs to. */
  public Uni<Optional<GitSession>> byToken(byte[] tokenHash) {
    return pool.preparedQuery(
            "SELECT session_id, owner_id, repository_url, git_credential, branch FROM git_session"
                + " WHERE token_hash = $1")
        .execute(Tuple.of(io.vertx.core.buffer.Buffer.buffer(tokenHash)))
        .map(
            rows ->
                rows.size() == 0
                    ? Optional.<GitSession>empty()
                    : Optional.of(session(rows.iterator().next())));
  }

  private static GitSession session(Row row) {
    return new GitSession(
        row.getUUID(0), row.getString(1), row.getString(2), row.getString(3), row.getString(4));
  }

  /** Marks the task push that is about to happen. */
  public Uni<Void> markPending(UUID sessionId, UUID taskId, String branch, String prJson) {
    return pool.preparedQuery(
            "UPDATE git_session SET pending_task_id = $2, pending_branch = $3,"
                + " pending_pull_request = $4 WHERE session_id = $1")
        .execute(Tuple.of(sessionId, taskId, branch, prJson))
        .replaceWithVoid();
  }

  /** Takes (reads and clears) the task push pending on {@code branch}, if any. */
  public Uni<Optional<PendingPush>> takePending(UUID sessionId, String branch) {
    return pool.preparedQuery(
            "UPDATE git_session g SET pending_task_id = NULL, pending_branch = NULL,"
                + " pending_pull_request = NULL FROM (SELECT session_id, pending_task_id,"
                + " pending_branch, pending_pull_request FROM git_session WHERE session_id = $1"
                + " FOR UPDATE) old WHERE g.session_id = old.session_id AND old.pending_branch ="
                + " $2 RETURNING old.pending_task_id, old.pending_branch, old.pending_pull_request")
        .execute(Tuple.of(sessionId, branch))
        .map(
            rows -> {
              if (rows.size() == 0) {
                return Optional.<PendingPush>empty();
              }
              Row row = rows.iterator().next();
              return Optional.of(
                  new PendingPush(row.getUUID(0), row.getString(1), row.getString(2)));
            });
  }

  /** Clears the session's pending task push (it ended, pushed or not). */
  public Uni<Void> clearPending(UUID sessionId) {
    return pool.preparedQuery(
            "UPDATE git_session SET pending_task_id = NULL, pending_branch = NULL,"
                + " pending_pull_request = NULL WHERE session_id = $1")
        .execute(Tuple.of(sessionId))
        .replaceWithVoid();
  }
}
