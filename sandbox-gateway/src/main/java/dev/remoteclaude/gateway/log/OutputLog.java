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
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * The durable, per-session output log in PostgreSQL. An append is one statement, so one round trip
 * and one commit however many sessions and events it carries: it takes a block of sequence numbers
 * from each session's head row (whose row lock orders concurrent writers, also across replicas;
 * rows are locked in session-id order, so two writers cannot deadlock), inserts the events and
 * notifies every gateway replica of each session's new last seq ({@code rc_session_log}:
 * "session:lastSeq"). Sequence numbers are gap-free per session.
 */
@ApplicationScoped
public class OutputLog {

  public static final String NOTIFY_CHANNEL = "rc_session_log";

  private static final String APPEND =
      "WITH batch AS ("
          + " SELECT u.session_id, u.type, u.task_id, u.at, u.data,"
          + " row_number() OVER (PARTITION BY u.session_id ORDER BY u.ord) AS k,"
          + " count(*) OVER (PARTITION BY u.session_id) AS n"
          + " FROM unnest($1::uuid[], $2::text[], $3::uuid[], $4::timestamptz[], $5::text[])"
          + " WITH ORDINALITY AS u(session_id, type, task_id, at, data, ord)),"
          + " head AS ("
          + " INSERT INTO session_log_head AS h (session_id, last_seq)"
          + " SELECT session_id, count(*) FROM batch GROUP BY session_id ORDER BY session_id"
          + " ON CONFLICT (session_id) DO UPDATE SET last_seq = h.last_seq + EXCLUDED.last_seq"
          + " RETURNING h.session_id, h.last_seq),"
          + " stored AS ("
          + " INSERT INTO session_event (session_id, seq, type, task_id, at, data)"
          + " SELECT b.session_id, head.last_seq - b.n + b.k, b.type, b.task_id, b.at, b.data"
          + " FROM batch b JOIN head ON head.session_id = b.session_id)"
          + " SELECT head.session_id, head.last_seq FROM head,"
          + " pg_notify('"
          + NOTIFY_CHANNEL
          + "', head.session_id::text || ':' || head.last_seq || ':' || $6)";
  private static final String READ =
      "SELECT seq, type, task_id, at, data FROM session_event"
          + " WHERE session_id = $1 AND seq > $2 ORDER BY seq LIMIT $3";
  private static final String HEAD = "SELECT last_seq FROM session_log_head WHERE session_id = $1";

  /** An event before it has a sequence number. */
  public record NewEvent(UUID sessionId, String type, UUID taskId, Instant at, String data) {}

  /**
   * Names this process in the notifications of its appends ("session:lastSeq:origin"): it hands
   * those events to its subscribers itself, so it skips its own notifications; other replicas, and
   * appends made inside a transaction ({@link SessionLog}, "session:lastSeq"), it reads.
   */
  private final String origin = UUID.randomUUID().toString();

  private final Pool pool;

  public OutputLog(Pool pool) {
    this.pool = pool;
  }

  /**
   * Appends the events durably, each session's in the order given (the sessions may be mixed);
   * returns them with their sequence numbers, in the order given.
   */
  public Uni<List<LogEvent>> append(List<NewEvent> events) {
    int n = events.size();
    UUID[] sessions = new UUID[n];
    String[] types = new String[n];
    UUID[] tasks = new UUID[n];
    OffsetDateTime[] ats = new OffsetDateTime[n];
    String[] data = new String[n];
    Map<UUID, Integer> counts = new HashMap<>();
    for (int i = 0; i < n; i++) {
      NewEvent e = events.get(i);
      sessions[i] = e.sessionId();
      types[i] = e.type();
      tasks[i] = e.taskId();
      ats[i] = e.at().atOffset(ZoneOffset.UTC);
      data[i] = e.data();
      counts.merge(e.sessionId(), 1, Integer::sum);
    }
    return pool.preparedQuery(APPEND)
        .execute(Tuple.from(new Object[] {sessions, types, tasks, ats, data, origin}))
        .map(
            rows -> {
              // The next seq of each session in this batch: its new last seq minus its count.
              Map<UUID, Long> next = new HashMap<>();
              for (Row row : rows) {
                UUID session = row.getUUID(0);
                next.put(session, row.getLong(1) - counts.get(session) + 1);
              }
              List<LogEvent> stored = new ArrayList<>(n);
              for (NewEvent e : events) {
                long seq = next.merge(e.sessionId(), 1L, Long::sum) - 1;
                stored.add(
                    new LogEvent(e.sessionId(), seq, e.type(), e.taskId(), e.at(), e.data()));
              }
              return stored;
            });
  }

  /** Whether a notification's origin is this process. */
  public boolean isOwn(String origin) {
    return this.origin.equals(origin);
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
