package dev.remoteclaude.billing.service;

import dev.remoteclaude.billing.repository.UsageLineRepository;
import dev.remoteclaude.billing.repository.UsageLineRepository.Totals;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.hibernate.reactive.panache.common.WithSession;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The business metrics, from the billing ledger over a sliding window ({@code
 * rc.metrics.billing-window}, a day by default): what a session costs on average ({@code
 * rc_billing_cost_per_session_dollars}), what a user brings in ({@code
 * rc_billing_revenue_per_user_dollars}), the revenue ({@code rc_billing_revenue_dollars}), the
 * users billed ({@code rc_billing_users}) and the share of billed sandbox time spent READY ({@code
 * rc_billing_sandbox_utilisation_ratio}). One query refreshes them every {@code
 * rc.metrics.refresh-interval}; a scrape costs none.
 */
@ApplicationScoped
public class BillingMetrics {

  private final UsageLineRepository ledger;
  private final Duration window;
  private final AtomicReference<Totals> last =
      new AtomicReference<>(new Totals(BigDecimal.ZERO, 0, 0, 0, 0));

  public BillingMetrics(
      UsageLineRepository ledger,
      MeterRegistry registry,
      @ConfigProperty(name = "rc.metrics.billing-window", defaultValue = "P1D") Duration window) {
    this.ledger = ledger;
    this.window = window;
    Gauge.builder(
            "rc.billing.cost.per.session",
            last,
            t -> ratio(t.get().amountUsd(), t.get().sessions()))
        .description("Average amount billed per session over the window")
        .baseUnit("dollars")
        .register(registry);
    Gauge.builder(
            "rc.billing.revenue.per.user", last, t -> ratio(t.get().amountUsd(), t.get().users()))
        .description("Average amount billed per user over the window")
        .baseUnit("dollars")
        .register(registry);
    Gauge.builder("rc.billing.revenue", last, t -> t.get().amountUsd().doubleValue())
        .description("Amount billed over the window")
        .baseUnit("dollars")
        .register(registry);
    Gauge.builder("rc.billing.users", last, t -> t.get().users())
        .description("Users billed over the window")
        .register(registry);
    Gauge.builder(
            "rc.billing.sandbox.utilisation",
            last,
            t ->
                t.get().computeSeconds() == 0
                    ? 0
                    : (double) t.get().readySeconds() / t.get().computeSeconds())
        .description("Share of billed sandbox time spent READY (not paused or in transition)")
        .baseUnit("ratio")
        .register(registry);
  }

  @Scheduled(
      every = "${rc.metrics.refresh-interval:15s}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  @WithSession
  Uni<Void> refresh() {
    return ledger
        .totalsSince(Instant.now().minus(window))
        .invoke(last::set)
        .onFailure()
        .invoke(failure -> Log.debugf("billing metrics not refreshed: %s", failure.getMessage()))
        .onFailure()
        .recoverWithNull()
        .replaceWithVoid();
  }

  private static double ratio(BigDecimal amount, long count) {
    return count == 0 ? 0 : amount.doubleValue() / count;
  }
}
