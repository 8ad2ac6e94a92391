package dev.remoteclaude.gateway.provider.e2b;

import dev.remoteclaude.gateway.provider.ProviderException;
import dev.remoteclaude.gateway.provider.ProviderRateLimits;
import dev.remoteclaude.gateway.provider.ProviderRateLimits.RateLimited;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;

/**
 * E2B's answers turned into the platform's failure kinds, each with a reason a user can act on. E2B
 * (its API and envd alike) answers an error with {@code {"code": <status>, "message": "..."}}.
 */
final class E2bFailures {
  private E2bFailures() {}

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
      case 429 ->
          new RateLimited(
              "E2B is rate limiting the platform (" + what + ")",
              ProviderRateLimits.retryAfter(retryAfter));
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
}
