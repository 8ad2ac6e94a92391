package dev.remoteclaude.common.outbox;

import dev.remoteclaude.common.db.PgNotifications;
import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.observability.Traces;
import io.opentelemetry.context.Context;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import io.smallrye.reactive.messaging.MutinyEmitter;
import io.smallrye.reactive.messaging.TracingMetadata;
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
 *
 * <p>A round takes at most {@link OutboxConfig#rowsPerKey()} rows of one key, so a key that cannot
 * be published never fills a batch. A row that fails waits (its whole key waits) for a backoff that
 * doubles with each failure. A row that can never be published (larger than the broker takes, not
 * serialisable) or that failed {@link OutboxConfig#maxAttempts()} times is <em>dead-lettered</em>:
 * kept, marked {@code dead_at}, logged once at ERROR, and skipped: the later rows of its key go on
 * without it (a dead row would otherwise hold its key forever), and an operator lists and replays
 * it through {@link OutboxAdminResource}; a replayed row is published after the rows of its key
 * that overtook it. Failures that look like the broker being down (Kafka's retriable errors,
 * timeouts) count towards the attempts only in rounds where other rows were published, so an outage
 * never dead-letters anything.
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

  /** Lets rounds send without the timer or notifications: tests run rounds by hand. */
  synchronized void startManually() {
    running = true;
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
              // Rows that left the queue may have had others of their key behind them.
              if (published > 0 || again.get()) {
                wakeUp();
              }
            },
            failure -> {
              draining.set(false);
              Log.warnf("outbox round failed, will retry: %s", failure.getMessage());
            });
  }

  /** One round: returns how many rows left the queue (published or dead-lettered). */
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
        .execute(Tuple.of(config.batchSize(), config.rowsPerKey()))
        .chain(
            rows -> {
              Map<String, List<Row>> byKey = new LinkedHashMap<>();
              for (Row row : rows) {
                byKey
                    .computeIfAbsent(row.getString("message_key"), k -> new ArrayList<>())
                    .add(row);
              }
              if (byKey.isEmpty()) {
                return Uni.createFrom().item(List.<KeyResult>of());
              }
              return Multi.createFrom()
                  .iterable(byKey.values())
                  .onItem()
                  .transformToUniAndMerge(this::sendInOrder)
                  .collect()
                  .asList();
            })
        .chain(results -> record(connection, results));
  }

  /**
   * Marks what was published and what failed, in the round's transaction; returns how many rows
   * left their key's queue (published or dead-lettered).
   */
  private Uni<Integer> record(SqlConnection connection, List<KeyResult> results) {
    List<Long> published = new ArrayList<>();
    List<Tuple> failed = new ArrayList<>();
    results.forEach(result -> published.addAll(result.sent()));
    int dead = 0;
    for (KeyResult result : results) {
      if (result.failed() == null) {
        continue;
      }
      Row row = result.failed();
      Throwable failure = result.failure();
      boolean fatal = Failures.fatal(failure);
      // A broker that is down fails every row alike: such failures count against a row only when
      // the broker took other rows in the same round.
      boolean charged = fatal || !Failures.transientFailure(failure) || !published.isEmpty();
      int attempts = row.getInteger("attempts") + (charged ? 1 : 0);
      boolean deadNow = fatal || attempts >= config.maxAttempts();
      String error = Failures.describe(failure);
      if (deadNow) {
        dead++;
        Log.errorf(
            "outbox: event %s (%s, key %s, position %d) dead-lettered after %d attempt(s): %s;"
                + " later events of its key are published without it; replay it with POST"
                + " /api/v1/admin/outbox/dead/%d/replay",
            row.getString("event_type"),
            row.getString("topic"),
            row.getString("message_key"),
            row.getLong("position"),
            attempts,
            error,
            row.getLong("position"));
      } else {
        Log.warnf(
            "outbox: could not publish %s to %s (attempt %d of %d), will retry: %s",
            row.getString("event_type"),
            row.getString("topic"),
            attempts,
            config.maxAttempts(),
            error);
      }
      failed.add(
          Tuple.of(row.getLong("position"), attempts, error, backoffMillis(attempts), deadNow));
    }
    int moved = published.size() + dead;
    Uni<Void> marks = Uni.createFrom().voidItem();
    if (!published.isEmpty()) {
      marks =
          marks.chain(
              () ->
                  connection
                      .preparedQuery(OutboxSql.MARK_PUBLISHED)
                      .execute(Tuple.of(published.toArray(Long[]::new)))
                      .replaceWithVoid());
    }
    if (!failed.isEmpty()) {
      marks =
          marks.chain(
              () ->
                  connection
                      .preparedQuery(OutboxSql.MARK_FAILED)
                      .executeBatch(failed)
                      .replaceWithVoid());
    }
    return marks.replaceWith(moved);
  }

  /** The wait before the next try: the backoff doubled per charged failure, up to the maximum. */
  long backoffMillis(int attempts) {
    long base = Math.max(1, config.retryBackoff().toMillis());
    long max = Math.max(base, config.retryBackoffMax().toMillis());
    int doublings = Math.clamp(attempts - 1L, 0, 30);
    return Math.min(max, base << doublings);
  }

  /**
   * Sends one key's rows one after another; stops at the first failure (or a stop request), which
   * it returns with the row that failed.
   */
  private Uni<KeyResult> sendInOrder(List<Row> rows) {
    List<Long> sent = new ArrayList<>();
    Row[] current = new Row[1];
    Uni<Void> chain = Uni.createFrom().voidItem();
    for (Row row : rows) {
      chain =
          chain.chain(
              () -> {
                if (!running) {
                  return Uni.createFrom().failure(new RelayStopped());
                }
                current[0] = row;
                return send(row).invoke(() -> sent.add(row.getLong("position")));
              });
    }
    return chain
        .replaceWith(() -> new KeyResult(sent, null, null))
        .onFailure()
        .recoverWithItem(
            failure ->
                failure instanceof RelayStopped
                    ? new KeyResult(sent, null, null)
                    : new KeyResult(sent, current[0], failure));
  }

  /** What became of one key's rows in a round. */
  private record KeyResult(List<Long> sent, Row failed, Throwable failure) {}

  private Uni<Void> send(Row row) {
    RecordHeaders headers = new RecordHeaders();
    headers.add(EVENT_TYPE_HEADER, row.getString("event_type").getBytes(StandardCharsets.UTF_8));
    OutgoingKafkaRecordMetadata<String> metadata =
        OutgoingKafkaRecordMetadata.<String>builder()
            .withTopic(row.getString("topic"))
            .withKey(row.getString("message_key"))
            .withHeaders(headers)
            .build();
    // The send joins the trace of the request that emitted the event: the producer's span is a
    // child of it, and its context goes in the record's traceparent header.
    Context trace = Traces.parent(traceparent(row.getString("payload")));
    return emitter
        .sendMessage(
            Message.of(row.getString("payload"))
                .addMetadata(metadata)
                .addMetadata(TracingMetadata.with(trace, trace)))
        .ifNoItem()
        .after(config.sendTimeout())
        .fail();
  }

  /** The trace context an envelope carries, or null (an unreadable payload has none). */
  private static String traceparent(String payload) {
    try {
      return EventCodec.mapper().readTree(payload).path("traceparent").textValue();
    } catch (java.io.IOException | RuntimeException e) {
      return null;
    }
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
