package dev.remoteclaude.session.service;

import dev.remoteclaude.session.Times;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.function.Supplier;

/**
 * Runs the session clocks on every replica; {@link SessionTimers} makes that safe. A failed round
 * is logged and the next one tries again.
 */
@ApplicationScoped
public class SessionTimerJobs {

  private static final String EVERY = "${session.timers.interval:5s}";

  private final SessionTimers timers;
  private final AuditTrail audit;
  private volatile boolean stopping;

  public SessionTimerJobs(SessionTimers timers, AuditTrail audit) {
    this.timers = timers;
    this.audit = audit;
  }

  void onStop(@Observes ShutdownEvent event) {
    stopping = true;
  }

  @Scheduled(
      identity = "session-idle",
      every = EVERY,
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> idle() {
    return guarded(
        "idle",
        () ->
            timers
                .warnIdle(Times.now())
                .chain(() -> timers.pauseIdle(Times.now()))
                .replaceWithVoid());
  }

  @Scheduled(
      identity = "session-lifetime",
      every = EVERY,
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> lifetime() {
    return guarded("lifetime", () -> timers.enforceLifetime(Times.now()).replaceWithVoid());
  }

  @Scheduled(
      identity = "session-stuck-transitions",
      every = EVERY,
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> stuckTransitions() {
    return guarded(
        "stuck transition", () -> timers.retryStuckTransitions(Times.now()).replaceWithVoid());
  }

  @Scheduled(
      identity = "session-snapshots",
      every = EVERY,
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> snapshots() {
    return guarded("snapshot", () -> timers.requestSnapshots(Times.now()).replaceWithVoid());
  }

  @Scheduled(
      identity = "session-task-prune",
      every = "1h",
      delayed = "1m",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> pruneTasks() {
    return guarded("task prune", () -> timers.pruneTasks(Times.now()).replaceWithVoid());
  }

  /** Deletes audit entries past their retention (session.audit.retention). */
  @Scheduled(
      identity = "audit-retention",
      every = "${session.audit.purge-every:1h}",
      delayed = "1m",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> purgeAudit() {
    return guarded("audit retention", () -> audit.purge().replaceWithVoid());
  }

  /** Runs a round unless the application is stopping; a failure waits for the next round. */
  private Uni<Void> guarded(String round, Supplier<Uni<Void>> work) {
    if (stopping) {
      return Uni.createFrom().voidItem();
    }
    return work.get()
        .onFailure()
        .recoverWithUni(
            failure -> {
              Log.warnf(
                  "session %s round failed, the next one retries: %s", round, failure.getMessage());
              return Uni.createFrom().voidItem();
            });
  }
}
