package dev.remoteclaude.common.outbox;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.sqlclient.Pool;
import io.vertx.mutiny.sqlclient.Row;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The outbox as Prometheus sees it: how many events wait to be published ({@code
 * rc_outbox_backlog}), how long the oldest has waited ({@code rc_outbox_oldest_age_seconds}) and
 * how many are dead-lettered ({@code rc_outbox_dead_letters}). The gauges read a snapshot that one
 * query refreshes every {@code rc.metrics.refresh-interval}, so a scrape never costs a query. That
 * query's round trip is timed ({@code rc_database_response_seconds}): how fast the service's
 * database answers, measured the same way every interval.
 */
@ApplicationScoped
public class OutboxMetrics {

  /** What the last refresh read. */
  private record Snapshot(long backlog, double oldestSeconds, long dead) {}

  private final Pool pool;
  private final Timer response;
  private final AtomicReference<Snapshot> last = new AtomicReference<>(new Snapshot(0, 0, 0));

  public OutboxMetrics(Pool pool, MeterRegistry registry) {
    this.pool = pool;
    this.response =
        Timer.builder("rc.database.response")
            .description("Round trip of the service's periodic outbox query to its database")
            .publishPercentileHistogram()
            .register(registry);
    Gauge.builder("rc.outbox.backlog", last, s -> s.get().backlog())
        .description("Events written to the outbox and not yet published to Kafka")
        .register(registry);
    Gauge.builder("rc.outbox.oldest.age", last, s -> s.get().oldestSeconds())
        .description("How long the oldest unpublished outbox event has waited")
        .baseUnit("seconds")
        .register(registry);
    Gauge.builder("rc.outbox.dead.letters", last, s -> s.get().dead())
        .description("Outbox events set aside as unpublishable, waiting for an operator's replay")
        .register(registry);
  }

  @Scheduled(
      every = "${rc.metrics.refresh-interval:15s}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> refresh() {
    Timer.Sample started = Timer.start();
    return pool.query(OutboxSql.BACKLOG)
        .execute()
        .invoke(() -> started.stop(response))
        .invoke(rows -> last.set(read(rows.iterator().next())))
        .onFailure()
        .invoke(failure -> Log.debugf("outbox metrics not refreshed: %s", failure.getMessage()))
        .onFailure()
        .recoverWithNull()
        .replaceWithVoid();
  }

  private static Snapshot read(Row row) {
    Number oldest = row.getNumeric("oldest_seconds");
    return new Snapshot(
        row.getLong("backlog"), oldest == null ? 0 : oldest.doubleValue(), row.getLong("dead"));
  }
}
