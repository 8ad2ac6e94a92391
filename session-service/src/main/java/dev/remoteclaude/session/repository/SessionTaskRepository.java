package dev.remoteclaude.session.repository;

import io.quarkus.hibernate.reactive.panache.Panache;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.UUID;

/**
 * What session-service knows of a session's tasks: enough to tell whether one is queued or running.
 * A task only moves forward (queued → running → done), whatever order its events arrive in.
 */
@ApplicationScoped
public class SessionTaskRepository {

  /** Where a task is, as far as idleness goes. */
  public enum Stage {
    QUEUED(1),
    RUNNING(2),
    DONE(3);

    final short code;

    Stage(int code) {
      this.code = (short) code;
    }
  }

  private static final String ADVANCE =
      "INSERT INTO session_task (session_id, task_id, stage, updated_at) VALUES (?1, ?2, ?3, ?4)"
          + " ON CONFLICT (session_id, task_id) DO UPDATE"
          + " SET stage = EXCLUDED.stage, updated_at = EXCLUDED.updated_at"
          + " WHERE session_task.stage < EXCLUDED.stage";

  private static final String HAS_OPEN =
      "SELECT count(*) FROM session_task WHERE session_id = ?1 AND stage < 3";

  private static final String HAS_QUEUED =
      "SELECT count(*) FROM session_task WHERE session_id = ?1 AND stage = 1";

  private static final String CLOSE_RUNNING =
      "UPDATE session_task SET stage = 3, updated_at = ?2 WHERE session_id = ?1 AND stage = 2";

  private static final String CLOSE_ALL =
      "UPDATE session_task SET stage = 3, updated_at = ?2 WHERE session_id = ?1 AND stage < 3";

  private static final String PRUNE_DONE =
      "DELETE FROM session_task WHERE stage = 3 AND updated_at < ?1";

  /** Moves a task to {@code stage} unless it is already there or further. */
  public Uni<Void> advance(UUID sessionId, UUID taskId, Stage stage, Instant at) {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(ADVANCE)
                    .setParameter(1, sessionId)
                    .setParameter(2, taskId)
                    .setParameter(3, stage.code)
                    .setParameter(4, at)
                    .executeUpdate())
        .replaceWithVoid();
  }

  /** Whether a task of the session is queued or running. */
  public Uni<Boolean> hasOpenTask(UUID sessionId) {
    return count(HAS_OPEN, sessionId).map(n -> n > 0);
  }

  /** Whether a task of the session waits to run. */
  public Uni<Boolean> hasQueuedTask(UUID sessionId) {
    return count(HAS_QUEUED, sessionId).map(n -> n > 0);
  }

  /** The sandbox stopped running anything (paused or lost): no task of it runs any more. */
  public Uni<Void> closeRunning(UUID sessionId, Instant at) {
    return update(CLOSE_RUNNING, sessionId, at);
  }

  /** The session ended: none of its tasks will run. */
  public Uni<Void> closeAll(UUID sessionId, Instant at) {
    return update(CLOSE_ALL, sessionId, at);
  }

  /** Forgets finished tasks older than {@code before}. */
  public Uni<Integer> pruneDone(Instant before) {
    return Panache.withTransaction(
        () ->
            Panache.getSession()
                .chain(
                    session ->
                        session
                            .createNativeQuery(PRUNE_DONE)
                            .setParameter(1, before)
                            .executeUpdate()));
  }

  private Uni<Long> count(String sql, UUID sessionId) {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(sql, Long.class)
                    .setParameter(1, sessionId)
                    .getSingleResult());
  }

  private Uni<Void> update(String sql, UUID sessionId, Instant at) {
    return Panache.getSession()
        .chain(
            session ->
                session
                    .createNativeQuery(sql)
                    .setParameter(1, sessionId)
                    .setParameter(2, at)
                    .executeUpdate())
        .replaceWithVoid();
  }
}
