package dev.remoteclaude.gateway.provider.daytona;

import dev.remoteclaude.gateway.provider.ProviderException;
import dev.remoteclaude.gateway.provider.ProviderHttp;
import io.smallrye.mutiny.Uni;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpRequest;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import java.util.function.Supplier;

/**
 * Requests to Daytona (its API and the toolbox), with what every call shares: the bearer key, the
 * organization header, a timeout, 429s waited out for their {@code Retry-After} and retried, and
 * Daytona's error bodies ({@code {"statusCode":…,"message":…}}) turned into provider failures a
 * user can act on. The key is only ever put into a header: never into a message or a log.
 */
final class DaytonaApi {

  private final WebClient client;
  private final io.vertx.core.http.WebSocketClient webSockets;
  private final DaytonaConfig config;
  private final String bearer;

  DaytonaApi(
      WebClient client, io.vertx.core.http.WebSocketClient webSockets, DaytonaConfig config) {
    this.client = client;
    this.webSockets = webSockets;
    this.config = config;
    this.bearer =
        "Bearer "
            + config
                .apiKey()
                .filter(k -> !k.isBlank())
                .orElseThrow(
                    () ->
                        new IllegalStateException(
                            "gateway.daytona.api-key (DAYTONA_API_KEY) is not set"));
  }

  WebClient client() {
    return client;
  }

  /** For the toolbox's log streams. */
  io.vertx.core.http.WebSocketClient webSockets() {
    return webSockets;
  }

  /** A request to {@code url} with the headers every Daytona call carries. */
  HttpRequest<Buffer> request(io.vertx.core.http.HttpMethod method, String url) {
    HttpRequest<Buffer> request =
        client
            .requestAbs(method, url)
            .putHeader("Authorization", bearer)
            .timeout(config.requestTimeout().toMillis());
    config.organizationId().ifPresent(org -> request.putHeader("X-Daytona-Organization-ID", org));
    return request;
  }

  String authorization() {
    return bearer;
  }

  /**
   * Sends a request (built anew per attempt), waits out 429s as Daytona asks and fails with a
   * {@link ProviderException} on any error status; {@code what} names the call in messages.
   */
  <T> Uni<HttpResponse<T>> send(String what, Supplier<Uni<HttpResponse<T>>> call) {
    return ProviderHttp.send(
        "Daytona",
        what,
        call,
        DaytonaApi::failure,
        config.rateLimitRetries(),
        config.maxRetryAfter());
  }

  /** Daytona's error body as a provider failure: a user's mistake is not an outage. */
  static ProviderException failure(String what, HttpResponse<?> response) {
    int status = response.statusCode();
    String message = message(response);
    ProviderException.Kind kind =
        switch (status) {
          case 404 -> ProviderException.Kind.NOT_FOUND;
          case 400, 422 -> ProviderException.Kind.INVALID;
          default -> ProviderException.Kind.UNAVAILABLE;
        };
    String reason =
        switch (status) {
          case 401, 403 ->
              "Daytona refused the gateway's API key (check gateway.daytona.api-key and its organization)";
          case 404 -> "not found at Daytona";
          default -> status >= 500 ? "Daytona is failing (" + status + ")" : "Daytona said";
        };
    return new ProviderException(
        kind, what + ": " + reason + (message.isEmpty() ? "" : ": " + message));
  }

  /** The {@code message} of Daytona's error body (API and toolbox alike), or nothing. */
  private static String message(HttpResponse<?> response) {
    try {
      if (!(response.body() instanceof Buffer body)) {
        return "";
      }
      if (body.length() == 0) {
        return "";
      }
      Object message = new JsonObject(body.getDelegate()).getValue("message");
      String text = message == null ? "" : message.toString();
      return text.length() > 300 ? text.substring(0, 300) + "…" : text;
    } catch (RuntimeException notJson) {
      return "";
    }
  }
}
