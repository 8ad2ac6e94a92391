package dev.remoteclaude.common.ratelimit;

import dev.remoteclaude.common.problem.ProblemException;
import io.quarkus.logging.Log;
import io.quarkus.scheduler.Scheduled;
import io.smallrye.mutiny.Uni;
import io.smallrye.mutiny.infrastructure.Infrastructure;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Optional;
import javax.sql.DataSource;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The rate limits of this service: one bucket per user and {@link RateLimitClass}, kept in the
 * service's PostgreSQL ({@code rate_limit_bucket}) so every replica counts in the same one.
 */
@ApplicationScoped
public class RateLimiter {

  private static final int CLEANUP_BATCH = 1000;

  private final RateLimitConfig config;
  private final TokenBuckets buckets;

  public RateLimiter(
      RateLimitConfig config,
      DataSource dataSource,
      @ConfigProperty(name = "quarkus.flyway.default-schema") Optional<String> schema) {
    this.config = config;
    this.buckets =
        new TokenBuckets(
            dataSource, schema.map(s -> s + ".rate_limit_bucket").orElse("rate_limit_bucket"));
  }

  /** Whether limits are enforced at all ({@code rc.rate-limit.enabled}). */
  public boolean enabled() {
    return config.enabled();
  }

  /**
   * Takes one request of the user's quota of a class. The database work runs on a worker thread;
   * the answer comes back on the caller's Vert.x context.
   */
  public Uni<RateDecision> take(String user, RateLimitClass limited) {
    RateLimitConfig.Limit limit = config.of(limited);
    Uni<RateDecision> taken =
        Uni.createFrom()
            .item(() -> buckets.take(user, limited, limit.capacity(), limit.window()))
            .runSubscriptionOn(Infrastructure.getDefaultWorkerPool())
            // Without its database the limit cannot be checked: refused (fail closed), plainly.
            .onFailure(e -> !(e instanceof ProblemException))
            .transform(
                e -> {
                  Log.warnf("rate limit of %s not checked: %s", limited, e.getMessage());
                  return ProblemException.unavailable(
                      "the request could not be checked against its rate limit; try again shortly");
                });
    io.vertx.core.Context context = io.vertx.core.Vertx.currentContext();
    return context == null
        ? taken
        : taken.emitOn(task -> context.runOnContext(ignored -> task.run()));
  }

  /** Deletes buckets nobody used for a window (they are full again, so nothing is lost). */
  @Scheduled(
      every = "${rc.rate-limit.cleanup-interval:5m}",
      delayed = "${rc.rate-limit.cleanup-interval:5m}",
      concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
  void removeFullBuckets() {
    if (!config.enabled()) {
      return;
    }
    try {
      int removed;
      do {
        removed = buckets.removeExpired(CLEANUP_BATCH);
      } while (removed == CLEANUP_BATCH);
    } catch (RuntimeException e) {
      Log.warnf("rate limit buckets not cleaned up: %s", e.getMessage());
    }
  }
}
