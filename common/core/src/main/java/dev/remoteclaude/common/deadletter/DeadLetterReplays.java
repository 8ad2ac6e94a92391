package dev.remoteclaude.common.deadletter;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** The replays operators made of dead-lettered records (table {@code dead_letter_replay}). */
@ApplicationScoped
public class DeadLetterReplays {

  /** How a replay went. */
  public enum Outcome {
    /** This service's consumer took the record (or had already: the inbox made it a no-op). */
    HANDLED,
    /** It failed again; the record stays on the dead-letter topic. */
    FAILED
  }

  /** What is known of a record's replays: how many, and the last one. */
  public record Replay(
      int replays, Instant lastReplayedAt, String lastReplayedBy, Outcome outcome) {}

  /** A record of the dead-letter topic. */
  public record Position(int partition, long offset) {}

  private static final String SELECT =
      "SELECT dlq_partition, dlq_offset, replays, last_replayed_at, last_replayed_by, last_outcome"
          + " FROM dead_letter_replay WHERE dlq_topic = $1 AND dlq_partition = ANY($2)"
          + " AND dlq_offset = ANY($3)";

  private static final String RECORD =
      "INSERT INTO dead_letter_replay (dlq_topic, dlq_partition, dlq_offset, replays,"
          + " last_replayed_at, last_replayed_by, last_outcome) VALUES ($1, $2, $3, 1, now(), $4, $5)"
          + " ON CONFLICT (dlq_topic, dlq_partition, dlq_offset) DO UPDATE SET"
          + " replays = dead_letter_replay.replays + 1, last_replayed_at = now(),"
          + " last_replayed_by = EXCLUDED.last_replayed_by, last_outcome = EXCLUDED.last_outcome"
          + " RETURNING dlq_partition, dlq_offset, replays, last_replayed_at, last_replayed_by,"
          + " last_outcome";

  private final Pool pool;

  public DeadLetterReplays(Pool pool) {
    this.pool = pool;
  }

  /** The replays of these records of the topic (records never replayed are absent). */
  public Uni<Map<Position, Replay>> of(String topic, List<Position> positions) {
    if (positions.isEmpty()) {
      return Uni.createFrom().item(Map.of());
    }
    Integer[] partitions = positions.stream().map(Position::partition).toArray(Integer[]::new);
    Long[] offsets = positions.stream().map(Position::offset).toArray(Long[]::new);
    return pool.preparedQuery(SELECT)
        .execute(Tuple.of(topic, partitions, offsets))
        .map(
            rows -> {
              Map<Position, Replay> replays = new HashMap<>();
              for (Row row : rows) {
                replays.put(position(row), replay(row));
              }
              return replays;
            });
  }

  /** Records one more replay of a record by an operator, and how it went. */
  public Uni<Replay> record(String topic, Position position, String operator, Outcome outcome) {
    return pool.preparedQuery(RECORD)
        .execute(Tuple.of(topic, position.partition(), position.offset(), operator, outcome.name()))
        .map(rows -> replay(rows.iterator().next()));
  }

  private static Position position(Row row) {
    return new Position(row.getInteger("dlq_partition"), row.getLong("dlq_offset"));
  }

  private static Replay replay(Row row) {
    return new Replay(
        row.getInteger("replays"),
        row.getOffsetDateTime("last_replayed_at").toInstant(),
        row.getString("last_replayed_by"),
        Outcome.valueOf(row.getString("last_outcome")));
  }
}
