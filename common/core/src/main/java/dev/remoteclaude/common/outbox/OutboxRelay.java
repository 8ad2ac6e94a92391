package dev.remoteclaude.common.outbox;

import dev.remoteclaude.common.db.PgNotifications;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.kafka.api.OutgoingKafkaRecordMetadata;
import io.vertx.mutiny.core.Vertx;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import io.vertx.mutiny.sqlclient.SqlConnection;
import io.vertx.mutiny.sqlclient.Tuple;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.common.header.internals.RecordHeaders;
import org.eclipse.microprofile.reactive.messaging.Channel;
import org.eclipse.microprofile.reactive.messaging.Message;

/**
 * Publishes outbox rows to Kafka in order, at least once.
 *
 * <p>One relay per database works at a time: each round takes a transaction-scoped advisory lock,
 * so several replicas never publish the same rows concurrently or out of order; a replica that
 * finds the lock taken skips the round. Within a round, rows of one key are sent one after another
 * (each waits for the broker's ack), different keys in parallel; only acknowledged rows are marked
 * published, in the same transaction, so a crash or stop mid-batch leaves the rest for the next
 * round. Rounds start when PostgreSQL notifies a commit to this schema's outbox (LISTEN/NOTIFY) and
 * on a slow timer as a safety net.
 */
@ApplicationScoped
public class OutboxRelay {

  static final String CHANNEL = "rc-outbox";
  static final String EVENT_TYPE_HEADER = "rc-event-type";

  private final Pool pool;
  private final MutinyEmitter<String> emitter;
  private final OutboxConfig config;
  private final Vertx vertx;
  private final PgNotifications notifications;

  private final AtomicBoolean draining = new AtomicBoolean();
  private final AtomicBoolean again = new AtomicBoolean();
  private final AtomicLong wakeUps = new AtomicLong();
  private volatile String schema;
  private volatile boolean running;
  private boolean listening;
  private long timerId = -1;

  public OutboxRelay(
      Pool pool,
      @Channel(CHANNEL) MutinyEmitter<String> emitter,
      OutboxConfig config,
      Vertx vertx,
      PgNotifications notifications) {
    this.pool = pool;
    this.emitter = emitter;
    this.config = config;
    this.vertx = vertx;
    this.notifications = notifications;
  }

  void onStart(@Observes StartupEvent event) {
    if (config.relayEnabled()) {
      start();
    }
  }

  void onStop(@Observes ShutdownEvent event) {
    stop();
  }

  /** Starts relaying (listening for commits, plus the timer) and drains what is waiting. */
  public synchronized void start() {
    if (running) {
      return;
    }
    running = true;
    if (!listening) {
      listening = true;
      // Wake up on every commit to this service's outbox, and once (re)connected, for what was
      // missed. The channel is shared by the database; the payload names the outbox's schema, so
      // another service's commits do not cost this one a round.
      pool.query(OutboxSql.CURRENT_SCHEMA)
          .execute()
          .subscribe()
          .with(
              rows -> schema = rows.iterator().next().getString(0),
              failure ->
                  Log.warnf(
                      "outbox: schema unknown (%s); every outbox commit wakes the relay",
                      failure.getMessage()));
      notifications.subscribe(OutboxSql.NOTIFY_CHANNEL, this::onCommit, this::wakeUp);
    }
    timerId = vertx.setPeriodic(config.pollInterval().toMillis(), id -> wakeUp());
    wakeUp();
  }

  /**
   * Stops relaying. A round in progress sends no further rows; those it already sent are marked in
   * its transaction, the rest wait for the next start.
   */
  public synchronized void stop() {
    running = false;
    if (timerId >= 0) {
      vertx.cancelTimer(timerId);
      timerId = -1;
    }
  }

  public boolean isRunning() {
    return running;
  }

  void onCommit(String payload) {
    String own = schema;
    if (own == null || payload == null || own.equals(payload)) {
      wakeUp();
    }
  }

  /** How many times this relay was asked for a round while running (for tests). */
  long wakeUps() {
    return wakeUps.get();
  }

  /** The schema whose outbox this relay publishes, once known. */
  String schema() {
    return schema;
  }

  /** Asks for a round; coalesces requests that arrive while one is running. */
  void wakeUp() {
    if (!running) {
      return;
    }
    wakeUps.incrementAndGet();
    if (!draining.compareAndSet(false, true)) {
      again.set(true);
      return;
    }
    again.set(false);
    publishRound()
        .subscribe()
        .with(
            published -> {
              draining.set(false);
              if (published >= config.batchSize() || again.get()) {
                wakeUp();
              }
            },
            failure -> {
              draining.set(false);
              Log.warnf("outbox round failed, will retry: %s", failure.getMessage());
            });
  }

  /** One round: returns how many rows were published. */
  Uni<Integer> publishRound() {
    return pool.withTransaction(
        connection ->
            connection
                .preparedQuery(OutboxSql.TRY_LOCK)
                .execute()
                .chain(
                    rows ->
                        rows.iterator().next().getBoolean(0)
                            ? publishLocked(connection)
                            : Uni.createFrom().item(0)));
  }

  private Uni<Integer> publishLocked(SqlConnection connection) {
    return connection
        .preparedQuery(OutboxSql.SELECT_BATCH)
        .execute(Tuple.of(config.batchSize()))
        .chain(
            rows -> {
              Map<String, List<Row>> byKey = new LinkedHashMap<>();
              for (Row row : rows) {
                byKey
                    .computeIfAbsent(row.getString("message_key"), k -> new ArrayList<>())
                    .add(row);
              }
              if (byKey.isEmpty()) {
                return Uni.createFrom().item(List.<Long>of());
              }
              return Multi.createFrom()
                  .iterable(byKey.values())
                  .onItem()
                  .transformToUniAndMerge(this::sendInOrder)
                  .collect()
                  .in(ArrayList<Long>::new, List::addAll);
            })
        .chain(
            published ->
                published.isEmpty()
                    ? Uni.createFrom().item(0)
                    : connection
                        .preparedQuery(OutboxSql.MARK_PUBLISHED)
                        .execute(Tuple.of(published.toArray(Long[]::new)))
                        .replaceWith(published.size()));
  }

  /** Sends one key's rows one after another; stops at the first failure (or a stop request). */
  private Uni<List<Long>> sendInOrder(List<Row> rows) {
    List<Long> sent = new ArrayList<>();
    Uni<Void> chain = Uni.createFrom().voidItem();
    for (Row row : rows) {
      chain =
          chain.chain(
              () -> {
                if (!running) {
                  return Uni.createFrom().failure(new RelayStopped());
                }
                return send(row).invoke(() -> sent.add(row.getLong("position")));
              });
    }
    return chain
        .onFailure()
        .invoke(
            failure -> {
              if (!(failure instanceof RelayStopped)) {
                Log.warnf(
                    "outbox: could not publish to %s, will retry: %s",
                    rows.get(0).getString("topic"), failure.getMessage());
              }
            })
        .onFailure()
        .recoverWithNull()
        .replaceWith(() -> sent);
  }

  private Uni<Void> send(Row row) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(EVENT_TYPE_HEADER, row.getString("event_type").getBytes(StandardCharsets.UTF_8));
    OutgoingKafkaRecordMetadata<String> metadata =
        OutgoingKafkaRecordMetadata.<String>builder()
            .withTopic(row.getString("topic"))
            .withKey(row.getString("message_key"))
            .withHeaders(headers)
            .build();
    return emitter
        .sendMessage(Message.of(row.getString("payload")).addMetadata(metadata))
        .ifNoItem()
        .after(config.sendTimeout())
        .fail();
  }

  /** Deletes what is old enough: published outbox rows and handled inbox ids. */
  @Scheduled(every = "1h", delayed = "1m", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  public Uni<Void> prune() {
    long seconds = config.retention().toSeconds();
    return pool.preparedQuery(OutboxSql.PRUNE_OUTBOX)
        .execute(Tuple.of(seconds))
        .chain(() -> pool.preparedQuery(OutboxSql.PRUNE_INBOX).execute(Tuple.of(seconds)))
        .replaceWithVoid();
  }

  private static final class RelayStopped extends RuntimeException {
    RelayStopped() {
      super("relay stopped", null, false, false);
    }
  }
}
