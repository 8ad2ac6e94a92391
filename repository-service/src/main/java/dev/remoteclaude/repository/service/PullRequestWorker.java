package dev.remoteclaude.repository.service;

import dev.remoteclaude.repository.PullRequestIntent;
import dev.remoteclaude.repository.config.RepositoryConfig;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.common.vertx.VertxContext;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Context;
import io.vertx.core.Vertx;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/**
 * Opens the pull requests tasks asked for, after the transaction that recorded them: every poll
 * claims the due intents in a short transaction, then tries each on a new duplicated context of its
 * own (which {@link PullRequestService#attempt} marks safe), so a slow forge holds neither a
 * database connection nor the other intents (nor the inbox).
 */
@ApplicationScoped
public class PullRequestWorker {

  /** Intents claimed per poll. */
  static final int BATCH = 20;

  /** How long a claimed intent is left to its try before another may take it. */
  static final Duration LEASE = Duration.ofMinutes(2);

  private final PullRequestService pullRequests;
  private final RepositoryConfig config;
  private final Vertx vertx;

  public PullRequestWorker(PullRequestService pullRequests, RepositoryConfig config, Vertx vertx) {
    this.pullRequests = pullRequests;
    this.config = config;
    this.vertx = vertx;
  }

  @Scheduled(
      every = "${repository.forges.pull-request-poll:1s}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  Uni<Void> poll() {
    return Panache.withTransaction(() -> pullRequests.claimDue(BATCH, LEASE))
        .invoke(due -> due.forEach(this::start))
        .onFailure()
        .recoverWithItem(
            failure -> {
              Log.warnf("pull requests: cannot claim the due ones: %s", failure.getMessage());
              return null;
            })
        .replaceWithVoid();
  }

  private void start(PullRequestIntent intent) {
    Context context = VertxContext.createNewDuplicatedContext(vertx.getOrCreateContext());
    context.runOnContext(
        ignored -> {
          pullRequests
              .attempt(
                  intent,
                  config.forges().pullRequestAttempts(),
                  config.forges().pullRequestRetryDelay())
              .subscribe()
              .with(
                  done -> {},
                  failure ->
                      Log.warnf(
                          "Session %s: its pull request was not tried (again after %s): %s",
                          intent.sessionId, LEASE, failure.getMessage()));
        });
  }
}
