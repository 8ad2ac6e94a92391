package dev.remoteclaude.billing.service;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * With Stripe configured: sends the meter events the ledger queued, and refuses sessions to users
 * whose grace period after a failed payment ran out. Safe on every replica; a failed round is
 * logged and the next one tries again.
 */
@ApplicationScoped
public class StripeJob {

  private final StripeService stripe;
  private volatile boolean stopping;

  public StripeJob(StripeService stripe) {
    this.stripe = stripe;
  }

  void onStop(@Observes ShutdownEvent event) {
    stopping = true;
  }

  @Scheduled(
      identity = "billing-stripe",
      every = "${billing.stripe.relay-interval:10s}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> round() {
    if (stopping || !stripe.enabled()) {
      return Uni.createFrom().voidItem();
    }
    return stripe
        .relayMeterEvents()
        .chain(stripe::blockOverdue)
        .replaceWithVoid()
        .onFailure()
        .recoverWithUni(
            failure -> {
              Log.warnf("Stripe round failed, the next one retries: %s", failure.getMessage());
              return Uni.createFrom().voidItem();
            });
  }
}
