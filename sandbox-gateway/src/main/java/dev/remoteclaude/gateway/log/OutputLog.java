package dev.remoteclaude.gateway.log;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * The durable, per-session output log in PostgreSQL. An append takes a block of sequence numbers
 * from the session's head row (its row lock orders concurrent writers, also across replicas) and
 * inserts the whole batch in the same transaction, so sequence numbers are gap-free. The commit
 * notifies every gateway replica ({@code rc_session_log}: "session:lastSeq").
 */
@ApplicationScoped
public class OutputLog {

  public static final String NOTIFY_CHANNEL = "rc_session_log";

  private static final String TAKE_SEQ =
      "INSERT INTO session_log_head (session_id, last_seq) VALUES ($1, $2)"
          + " ON CONFLICT (session_id) DO UPDATE SET last_seq = session_log_head.last_seq + EXCLUDED.last_seq"
          + " RETURNING last_seq";
  private static final String INSERT =
      "INSERT INTO session_event (session_id, seq, type, task_id, at, data)"
          + " SELECT $1, u.seq, u.type, u.task_id, u.at, u.data"
          + " FROM unnest($2::bigint[], $3::text[], $4::uuid[], $5::timestamptz[], $6::text[])"
          + " AS u(seq, type, task_id, at, data)";
  private static final String NOTIFY = "SELECT pg_notify('" + NOTIFY_CHANNEL + "', $1)";
  private static final String READ =
      "SELECT seq, type, task_id, at, data FROM session_event"
          + " WHERE session_id = $1 AND seq > $2 ORDER BY seq LIMIT $3";
  private static final String HEAD = "SELECT last_seq FROM session_log_head WHERE session_id = $1";

  /** An event before it has a sequence number. */
  public record NewEvent(String type, UUID taskId, Instant at, String data) {}

  private final Pool pool;

  public OutputLog(Pool pool) {
    this.pool = pool;
  }

  /** Appends the events in order, durably; returns them with their sequence numbers. */
  public Uni<List<LogEvent>> append(UUID sessionId, List<NewEvent> events) {
    int n = events.size();
    return pool.withTransaction(
        connection ->
            connection
                .preparedQuery(TAKE_SEQ)
                .execute(Tuple.of(sessionId, (long) n))
                .map(rows -> rows.iterator().next().getLong(0))
                .chain(
                    last -> {
                      long first = last - n + 1;
                      Long[] seqs = new Long[n];
                      String[] types = new String[n];
                      UUID[] tasks = new UUID[n];
                      OffsetDateTime[] ats = new OffsetDateTime[n];
                      String[] data = new String[n];
                      List<LogEvent> stored = new ArrayList<>(n);
                      for (int i = 0; i < n; i++) {
                        NewEvent e = events.get(i);
                        seqs[i] = first + i;
                        types[i] = e.type();
                        tasks[i] = e.taskId();
                        ats[i] = e.at().atOffset(ZoneOffset.UTC);
                        data[i] = e.data();
                        stored.add(
                            new LogEvent(
                                sessionId, first + i, e.type(), e.taskId(), e.at(), e.data()));
                      }
                      return connection
                          .preparedQuery(INSERT)
                          .execute(
                              Tuple.from(new Object[] {sessionId, seqs, types, tasks, ats, data}))
                          .chain(
                              () ->
                                  connection
                                      .preparedQuery(NOTIFY)
                                      .execute(Tuple.of(sessionId + ":" + last)))
                          .replaceWith(stored);
                    }));
  }

  /** Up to {@code limit} events after {@code after}, in order. */
  public Uni<List<LogEvent>> read(UUID sessionId, long after, int limit) {
    return pool.preparedQuery(READ)
        .execute(Tuple.of(sessionId, after, limit))
        .map(
            rows -> {
              List<LogEvent> out = new ArrayList<>(rows.size());
              for (Row row : rows) {
                out.add(
                    new LogEvent(
                        sessionId,
                        row.getLong("seq"),
                        row.getString("type"),
                        row.getUUID("task_id"),
                        row.getOffsetDateTime("at").toInstant(),
                        row.getString("data")));
              }
              return out;
            });
  }

  /** The session's last sequence number, 0 when it has no events. */
  public Uni<Long> lastSeq(UUID sessionId) {
    return pool.preparedQuery(HEAD)
        .execute(Tuple.of(sessionId))
        .map(rows -> rows.size() == 0 ? 0L : rows.iterator().next().getLong(0));
  }
}
