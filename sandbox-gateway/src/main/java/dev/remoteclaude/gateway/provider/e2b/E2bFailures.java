package dev.remoteclaude.gateway.provider.e2b;

import dev.remoteclaude.gateway.provider.ProviderException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import java.time.Duration;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;

/**
 * E2B's answers turned into the platform's failure kinds, each with a reason a user can act on. E2B
 * (its API and envd alike) answers an error with {@code {"code": <status>, "message": "..."}}.
 */
final class E2bFailures {
  private E2bFailures() {}

  /** E2B's 429: nothing was done; come back after {@code retryAfter}. */
  static final class RateLimited extends ProviderException {
    private final Duration retryAfter;

    RateLimited(String message, Duration retryAfter) {
      super(Kind.UNAVAILABLE, message);
      this.retryAfter = retryAfter;
    }

    Duration retryAfter() {
      return retryAfter;
    }
  }

  /**
   * The failure an answer of E2B's with this status means, for the call described by {@code what}.
   */
  static ProviderException of(String what, int status, Buffer body, String retryAfter) {
    String message = messageOf(body);
    return switch (status) {
      case 400, 409, 422 ->
          new ProviderException(
              ProviderException.Kind.INVALID, "E2B refused to " + what + ": " + message);
      case 401, 403 ->
          new ProviderException(
              ProviderException.Kind.UNAVAILABLE,
              "E2B refused the gateway's credentials for "
                  + what
                  + " (check gateway.e2b.api-key and the team's access)");
      case 404, 410 ->
          new ProviderException(
              ProviderException.Kind.NOT_FOUND, "E2B does not have it (" + what + ")");
      case 429 -> {
        Duration wait = retryAfter(retryAfter);
        yield new RateLimited(
            "E2B is rate limiting the platform ("
                + what
                + "); try again in "
                + wait.toSeconds()
                + "s",
            wait);
      }
      case 507 ->
          new ProviderException(
              ProviderException.Kind.INVALID, "the sandbox's disk is full (" + what + ")");
      default ->
          new ProviderException(
              ProviderException.Kind.UNAVAILABLE,
              "E2B failed to "
                  + what
                  + " ("
                  + status
                  + (message.isEmpty() ? "" : ": " + message)
                  + ")");
    };
  }

  /** A request that got no answer: E2B unreachable or too slow. */
  static ProviderException unreachable(String what, Throwable cause) {
    return new ProviderException(
        ProviderException.Kind.UNAVAILABLE,
        "E2B could not be reached to " + what + "; try again later",
        cause);
  }

  /** E2B's error message, cut short (it is shown to users); empty when the body has none. */
  static String messageOf(Buffer body) {
    if (body == null || body.length() == 0) {
      return "";
    }
    try {
      String message = new JsonObject(body).getString("message", "");
      return message.length() > 300 ? message.substring(0, 300) + "..." : message;
    } catch (DecodeException | ClassCastException e) {
      return "";
    }
  }

  /** Retry-After as seconds or an HTTP date; 1s when absent or unreadable. */
  static Duration retryAfter(String header) {
    if (header == null || header.isBlank()) {
      return Duration.ofSeconds(1);
    }
    String value = header.strip();
    try {
      return Duration.ofSeconds(Math.max(0, Long.parseLong(value)));
    } catch (NumberFormatException notSeconds) {
      try {
        Duration until =
            Duration.between(
                ZonedDateTime.now(),
                ZonedDateTime.parse(value, DateTimeFormatter.RFC_1123_DATE_TIME));
        return until.isNegative() ? Duration.ZERO : until;
      } catch (DateTimeParseException notADate) {
        return Duration.ofSeconds(1);
      }
    }
  }

  /**
   * The call, with E2B's 429s waited out as E2B asks (its Retry-After), up to {@code retries} times
   * and only when the wait is at most {@code maxWait}; otherwise the 429 fails the call as
   * UNAVAILABLE with its wait in the reason. A 429 means nothing was done, so this is safe for
   * every call, creating a sandbox included.
   */
  static <T> Uni<T> honouringRetryAfter(Supplier<Uni<T>> call, int retries, Duration maxWait) {
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
                        // a non-null item: a Uni's null item is dropped by the stream
                        return Uni.createFrom()
                            .item(Boolean.TRUE)
                            .onItem()
                            .delayIt()
                            .by(wait.isZero() ? Duration.ofMillis(1) : wait);
                      });
            });
  }
}
