package dev.remoteclaude.task;

import io.quarkus.arc.Arc;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import java.util.UUID;

/** Direct reads (and, to stand in for an earlier instance, writes) of the service's own schema. */
public final class TaskDb {
  private TaskDb() {}

  private static Pool pool() {
    return Arc.container().instance(Pool.class).get();
  }

  /** The session's state in the read-model, or null while it is unknown. */
  public static String sessionState(String session) {
    return pool()
        .preparedQuery("SELECT state FROM known_session WHERE id = $1")
        .execute(Tuple.of(UUID.fromString(session)))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString(0))
        .await()
        .indefinitely();
  }

  /** How many times the inbox recorded the event (0 or 1). */
  public static long inboxCount(UUID eventId) {
    return pool()
        .preparedQuery("SELECT count(*) FROM inbox_event WHERE event_id = $1")
        .execute(Tuple.of(eventId))
        .map(rows -> rows.iterator().next().getLong(0))
        .await()
        .indefinitely();
  }

  /** How many of the session's tasks are dispatched or running. */
  public static long activeTasks(String session) {
    return pool()
        .preparedQuery(
            "SELECT count(*) FROM task WHERE session_id = $1"
                + " AND state IN ('DISPATCHED', 'RUNNING')")
        .execute(Tuple.of(UUID.fromString(session)))
        .map(rows -> rows.iterator().next().getLong(0))
        .await()
        .indefinitely();
  }

  public static void execute(String sql, Tuple params) {
    pool().preparedQuery(sql).execute(params).await().indefinitely();
  }

  public static Row single(String sql, Tuple params) {
    return pool()
        .preparedQuery(sql)
        .execute(params)
        .map(rows -> rows.iterator().next())
        .await()
        .indefinitely();
  }
}
