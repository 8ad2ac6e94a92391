package dev.remoteclaude.billing.service;

import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;

/**
 * Keeps the used session seconds of running sessions' owners fresh at session-service, and starts
 * every user's month afresh ({@link AccountService#publishDue}). Safe on every replica; a failed
 * round is logged and the next one tries again.
 */
@ApplicationScoped
public class QuotaJob {

  private final AccountService accounts;
  private volatile boolean stopping;

  public QuotaJob(AccountService accounts) {
    this.accounts = accounts;
  }

  void onStop(@Observes ShutdownEvent event) {
    stopping = true;
  }

  @Scheduled(
      identity = "billing-quota",
      every = "${billing.quota.publish-interval:1m}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> publishDue() {
    if (stopping) {
      return Uni.createFrom().voidItem();
    }
    return accounts
        .publishDue()
        .invoke(count -> Log.debugf("published the quota of %d users", count))
        .replaceWithVoid()
        .onFailure()
        .recoverWithUni(
            failure -> {
              Log.warnf("quota round failed, the next one retries: %s", failure.getMessage());
              return Uni.createFrom().voidItem();
            });
  }
}
