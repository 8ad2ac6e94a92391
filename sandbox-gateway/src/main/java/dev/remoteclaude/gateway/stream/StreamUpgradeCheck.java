package dev.remoteclaude.gateway.stream;

import dev.remoteclaude.common.auth.CurrentUser;
import dev.remoteclaude.common.ratelimit.RateLimitClass;
import dev.remoteclaude.common.ratelimit.RateLimiter;
import dev.remoteclaude.gateway.config.GatewayConfig;
import dev.remoteclaude.gateway.sandbox.Sandboxes;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.quarkus.websockets.next.HttpUpgradeCheck;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * Refuses a stream upgrade with 404 unless the caller owns the session, with 400 for a malformed
 * cursor, and with 429 when the caller has every stream it may have open.
 *
 * <p>A session the gateway does not know as the caller's may be one created a moment ago that has
 * not reached the gateway yet, so the request waits (on the log's notifications, not by polling) up
 * to {@code gateway.stream.attach-wait} for it to become known. Another user's session waits
 * exactly as long and is then refused the same way as an unknown id, so neither the answer nor its
 * timing tells whether a session exists. Waiting requests are bounded per user and in all (429
 * beyond, whatever the id).
 *
 * <p>Opening streams is rate limited per user ({@code rc.rate-limit.streams.*}): over the limit the
 * upgrade is refused with 429, {@code Retry-After} and the {@code RateLimit} headers, before
 * anything else is looked at; an accepted upgrade carries the {@code RateLimit} headers too.
 */
@ApplicationScoped
public class StreamUpgradeCheck implements HttpUpgradeCheck {

  /** When a refused client may try again: a stream closes, a waiting request ends. */
  static final Duration RETRY_AFTER = Duration.ofSeconds(5);

  private final Sandboxes sandboxes;
  private final StreamHub hub;
  private final StreamLimits limits;
  private final GatewayConfig config;
  private final RateLimiter rateLimiter;

  public StreamUpgradeCheck(
      Sandboxes sandboxes,
      StreamHub hub,
      StreamLimits limits,
      GatewayConfig config,
      RateLimiter rateLimiter) {
    this.sandboxes = sandboxes;
    this.hub = hub;
    this.limits = limits;
    this.config = config;
    this.rateLimiter = rateLimiter;
  }

  @Override
  public boolean appliesTo(String endpointId) {
    return endpointId.equals(SessionStreamSocket.class.getName());
  }

  @Override
  public Uni<CheckResult> perform(HttpUpgradeContext context) {
    UUID sessionId;
    try {
      sessionId = UUID.fromString(context.pathParam("id"));
      after(context.httpRequest().query());
    } catch (IllegalArgumentException e) {
      return CheckResult.rejectUpgrade(400);
    }
    return context
        .securityIdentity()
        .chain(
            identity -> {
              if (identity == null || identity.isAnonymous()) {
                return CheckResult.rejectUpgrade(401);
              }
              String user = CurrentUser.userId(identity);
              if (!rateLimiter.enabled()) {
                return admit(sessionId, user, Map.of());
              }
              return rateLimiter
                  .take(user, RateLimitClass.STREAMS)
                  .chain(
                      decision ->
                          decision.allowed()
                              ? admit(sessionId, user, decision.headers())
                              : CheckResult.rejectUpgrade(429, decision.headers()));
            });
  }

  /** The checks after the rate limit; {@code headers} go with an accepted upgrade. */
  private Uni<CheckResult> admit(UUID sessionId, String user, Map<String, List<String>> headers) {
    if (limits.streamsFull(user)) {
      return tooMany();
    }
    return sandboxes
        .ownerOf(sessionId)
        .chain(
            owner -> {
              if (user.equals(owner)) {
                return CheckResult.permitUpgrade(headers);
              }
              if (!limits.startWaiting(user)) {
                return tooMany();
              }
              long deadline = System.nanoTime() + config.stream().attachWait().toNanos();
              return becomesOwn(sessionId, user, owner, deadline)
                  .eventually(() -> limits.stopWaiting(user))
                  .chain(
                      own ->
                          own
                              ? CheckResult.permitUpgrade(headers)
                              : CheckResult.rejectUpgrade(404));
            });
  }

  private Uni<CheckResult> tooMany() {
    return CheckResult.rejectUpgrade(
        429, Map.of("Retry-After", List.of(Long.toString(RETRY_AFTER.toSeconds()))));
  }

  /**
   * Whether the session becomes the user's before the deadline. One the gateway knows as someone
   * else's never does, but its answer waits for the deadline too; for one it does not know yet, the
   * wait ends early when the session's log gets its first event.
   */
  private Uni<Boolean> becomesOwn(UUID sessionId, String user, String owner, long deadline) {
    if (user.equals(owner)) {
      return Uni.createFrom().item(true);
    }
    // Whole milliseconds: a timer can wait no less than one (Vert.x refuses a shorter one, and
    // the request would then never be answered).
    long left = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
    if (left < 1) {
      return Uni.createFrom().item(false);
    }
    if (owner != null) {
      return Uni.createFrom().item(false).onItem().delayIt().by(Duration.ofMillis(left));
    }
    return hub.awaitActivity(sessionId, Duration.ofMillis(left))
        .chain(() -> sandboxes.ownerOf(sessionId))
        .chain(known -> becomesOwn(sessionId, user, known, deadline));
  }

  /** The {@code after} cursor of a query string (0 when absent); fails when malformed. */
  static long after(String query) {
    if (query == null || query.isEmpty()) {
      return 0;
    }
    List<String> values =
        new QueryStringDecoder(query, false).parameters().getOrDefault("after", List.of());
    if (values.isEmpty()) {
      return 0;
    }
    long after = Long.parseLong(values.get(0));
    if (after < 0) {
      throw new IllegalArgumentException("after must not be negative");
    }
    return after;
  }
}
