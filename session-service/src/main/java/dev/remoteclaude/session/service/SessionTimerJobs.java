package dev.remoteclaude.session.service;

import dev.remoteclaude.session.Times;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Runs the session clocks on every replica; {@link SessionTimers} makes that safe. A failed round
 * is logged and the next one tries again.
 */
@ApplicationScoped
public class SessionTimerJobs {

  private static final String EVERY = "${session.timers.interval:5s}";

  private final SessionTimers timers;

  public SessionTimerJobs(SessionTimers timers) {
    this.timers = timers;
  }

  @Scheduled(
      identity = "session-idle",
      every = EVERY,
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> idle() {
    return guarded(
        "idle",
        timers.warnIdle(Times.now()).chain(() -> timers.pauseIdle(Times.now())).replaceWithVoid());
  }

  @Scheduled(
      identity = "session-lifetime",
      every = EVERY,
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> lifetime() {
    return guarded("lifetime", timers.enforceLifetime(Times.now()).replaceWithVoid());
  }

  @Scheduled(
      identity = "session-snapshots",
      every = EVERY,
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> snapshots() {
    return guarded("snapshot", timers.requestSnapshots(Times.now()).replaceWithVoid());
  }

  @Scheduled(
      identity = "session-task-prune",
      every = "1h",
      delayed = "1m",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> pruneTasks() {
    return guarded("task prune", timers.pruneTasks(Times.now()).replaceWithVoid());
  }

  private static Uni<Void> guarded(String round, Uni<Void> work) {
    return work.onFailure()
        .recoverWithUni(
            failure -> {
              Log.warnf(
                  "session %s round failed, the next one retries: %s", round, failure.getMessage());
              return Uni.createFrom().voidItem();
            });
  }
}
