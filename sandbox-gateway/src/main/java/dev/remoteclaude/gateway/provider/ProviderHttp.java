package dev.remoteclaude.gateway.provider;

import dev.remoteclaude.gateway.provider.ProviderRateLimits.RateLimited;
import io.smallrye.mutiny.Uni;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import java.util.function.Supplier;

/**
 * A call to an HTTP provider's API (Daytona, Northflank), answered the same way for each: no answer
 * is an outage (UNAVAILABLE), a 429 is waited out as the provider asks ({@link
 * ProviderRateLimits}), any other error status is the provider's own failure, which {@code failure}
 * reads from its body.
 */
public final class ProviderHttp {
  private ProviderHttp() {}

  /**
   * Sends {@code call} (built anew per attempt) to {@code provider}; {@code what} names the call in
   * messages.
   */
  public static <T> Uni<HttpResponse<T>> send(
      String provider,
      String what,
      Supplier<Uni<HttpResponse<T>>> call,
      BiFunction<String, HttpResponse<?>, ProviderException> failure,
      int rateLimitRetries,
      Duration maxRetryAfter) {
    return ProviderRateLimits.honouringRetryAfter(
        () -> once(provider, what, call, failure), rateLimitRetries, maxRetryAfter);
  }

  private static <T> Uni<HttpResponse<T>> once(
      String provider,
      String what,
      Supplier<Uni<HttpResponse<T>>> call,
      BiFunction<String, HttpResponse<?>, ProviderException> failure) {
    return Uni.createFrom()
        .<HttpResponse<T>>deferred(call::get)
        .onFailure(f -> !(f instanceof ProviderException))
        .transform(
            f ->
                ownFailure(f)
                    .orElseGet(
                        () ->
                            new ProviderException(
                                ProviderException.Kind.UNAVAILABLE,
                                what + ": " + provider + " did not answer (" + describe(f) + ")",
                                f)))
        .onItem()
        .transformToUni(
            response -> {
              if (response.statusCode() == 429) {
                return Uni.createFrom()
                    .failure(
                        new RateLimited(
                            what + ": " + provider + " is rate limiting this gateway's requests",
                            ProviderRateLimits.retryAfter(response.getHeader("Retry-After"))));
              }
              if (response.statusCode() >= 400) {
                return Uni.createFrom().failure(failure.apply(what, response));
              }
              return Uni.createFrom().item(response);
            });
  }

  /** A failure of ours carried inside another (a bounded body refusing more bytes). */
  private static Optional<ProviderException> ownFailure(Throwable failure) {
    for (Throwable f = failure; f != null; f = f.getCause()) {
      if (f instanceof ProviderException own) {
        return Optional.of(own);
      }
    }
    return Optional.empty();
  }

  /** Why a request got no answer, in words for the user (never the exception's own text). */
  public static String describe(Throwable failure) {
    return failure instanceof TimeoutException
            || failure.getClass().getSimpleName().contains("Timeout")
        ? "timed out"
        : "connection failed";
  }
}
