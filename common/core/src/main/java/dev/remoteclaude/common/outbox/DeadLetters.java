package dev.remoteclaude.common.outbox;

import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The dead-lettered rows of this service's outbox: listed and replayed by operators. */
@ApplicationScoped
public class DeadLetters {

  /** A dead row as operators see it: what it was, why it died; not its payload. */
  public record DeadEvent(
      long id,
      UUID eventId,
      String topic,
      String key,
      String type,
      int sizeBytes,
      Instant createdAt,
      int attempts,
      String lastError,
      Instant deadAt) {}

  /** One page of dead rows, oldest first. */
  public record DeadEventPage(List<DeadEvent> items, int page, int size, long total) {}

  private final Pool pool;

  public DeadLetters(Pool pool) {
    this.pool = pool;
  }

  public Uni<DeadEventPage> page(int page, int size) {
    long offset = (long) page * size;
    return pool.query(OutboxSql.COUNT_DEAD)
        .execute()
        .map(rows -> rows.iterator().next().getLong(0))
        .chain(
            total ->
                pool.preparedQuery(OutboxSql.SELECT_DEAD)
                    .execute(Tuple.of(size, offset))
                    .map(
                        rows -> {
                          List<DeadEvent> items = new ArrayList<>();
                          for (Row row : rows) {
                            items.add(view(row));
                          }
                          return new DeadEventPage(items, page, size, total);
                        }));
  }

  /**
   * Puts a dead row back into its key's queue and wakes the relay; false if there is no dead row
   * with that id.
   */
  public Uni<Boolean> replay(long id) {
    return pool.withTransaction(
        connection ->
            connection
                .preparedQuery(OutboxSql.REPLAY_DEAD)
                .execute(Tuple.of(id))
                .chain(
                    rows ->
                        rows.size() == 0
                            ? Uni.createFrom().item(false)
                            : connection.query(OutboxSql.NOTIFY).execute().replaceWith(true)));
  }

  private static DeadEvent view(Row row) {
    return new DeadEvent(
        row.getLong("position"),
        row.getUUID("event_id"),
        row.getString("topic"),
        row.getString("message_key"),
        row.getString("event_type"),
        row.getInteger("size"),
        instant(row, "created_at"),
        row.getInteger("attempts"),
        row.getString("last_error"),
        instant(row, "dead_at"));
  }

  private static Instant instant(Row row, String column) {
    var value = row.getOffsetDateTime(column);
    return value == null ? null : value.toInstant();
  }
}
