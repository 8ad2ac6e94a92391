package dev.remoteclaude.gateway.provider;

import io.smallrye.mutiny.Uni;
import java.time.Duration;
import java.time.Instant;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * A provider's 429 and its {@code Retry-After}, one policy for the HTTP providers (E2B, Daytona,
 * Northflank): a 429 means nothing was done, so any call, creating a sandbox included, may wait as
 * long as the provider asks and try again; a few times at most, and only for a wait within the
 * configured cap. Otherwise the 429 fails the call as UNAVAILABLE, saying when to try again.
 */
public final class ProviderRateLimits {
  /** The wait when a 429 names none, or none that can be read. */
  static final Duration UNSAID = Duration.ofSeconds(1);

  private ProviderRateLimits() {}

  /**
   * A provider's 429: nothing was done; come back after {@link #retryAfter()}. It is also the
   * failure a call ends with when the wait is not waited out, so its message is the user's reason.
   */
  public static final class RateLimited extends ProviderException {
    private final Duration retryAfter;

    /** {@code reason} says who is rate limiting which call; the wait is added to it. */
    public RateLimited(String reason, Duration retryAfter) {
      super(
          Kind.UNAVAILABLE, reason + "; try again in " + Math.max(1, retryAfter.toSeconds()) + "s");
      this.retryAfter = retryAfter;
    }

    public Duration retryAfter() {
      return retryAfter;
    }
  }

  /** A {@code Retry-After} header as a wait: seconds or an HTTP date; 1s when absent or unread. */
  public static Duration retryAfter(String header) {
    return retryAfter(header, Instant.now());
  }

  static Duration retryAfter(String header, Instant now) {
    if (header == null || header.isBlank()) {
      return UNSAID;
    }
    String value = header.strip();
    try {
      return Duration.ofSeconds(Math.max(0, Long.parseLong(value)));
    } catch (NumberFormatException notSeconds) {
      try {
        Duration until =
            Duration.between(
                now, ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME).toInstant());
        return until.isNegative() ? Duration.ZERO : until;
      } catch (DateTimeParseException notADate) {
        return UNSAID;
      }
    }
  }

  /**
   * The call (subscribed anew per attempt), with its {@link RateLimited} failures waited out as the
   * provider asks, up to {@code retries} times and only when the wait is at most {@code maxWait};
   * otherwise the call fails with that {@link RateLimited} at once.
   */
  public static <T> Uni<T> honouringRetryAfter(
      Supplier<Uni<T>> call, int retries, Duration maxWait) {
    return Uni.createFrom()
        .deferred(call::get)
        .onFailure(RateLimited.class)
        .retry()
        .when(
            failures -> {
              AtomicInteger attempts = new AtomicInteger();
              return failures
                  .onItem()
                  .transformToUniAndConcatenate(
                      failure -> {
                        Duration wait = ((RateLimited) failure).retryAfter();
                        if (attempts.incrementAndGet() > retries || wait.compareTo(maxWait) > 0) {
                          return Uni.createFrom().failure(failure);
                        }
                        // a non-null item (a Uni's null item is dropped by the stream); and
                        // Mutiny delays by more than nothing only
                        return Uni.createFrom()
                            .item(Boolean.TRUE)
                            .onItem()
                            .delayIt()
                            .by(wait.isZero() ? Duration.ofMillis(1) : wait);
                      });
            });
  }
}
