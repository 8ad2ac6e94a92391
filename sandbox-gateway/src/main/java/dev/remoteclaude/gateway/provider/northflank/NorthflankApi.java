package dev.remoteclaude.gateway.provider.northflank;

import dev.remoteclaude.gateway.provider.ProviderException;
import dev.remoteclaude.gateway.provider.ProviderHttp;
import io.smallrye.mutiny.Uni;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.buffer.Buffer;
import io.vertx.mutiny.ext.web.client.HttpRequest;
import io.vertx.mutiny.ext.web.client.HttpResponse;
import io.vertx.mutiny.ext.web.client.WebClient;
import java.util.function.Supplier;

/**
 * Requests to Northflank's API, with what every call shares: the bearer token, a timeout, 429s
 * waited out for their {@code Retry-After} and retried, and Northflank's error bodies ({@code
 * {"error":{"status":…,"message":…,"id":…}}}) turned into provider failures a user can act on. The
 * token is only ever put into a header (and the command-exec handshake): never into a message or a
 * log.
 */
final class NorthflankApi {

  private final WebClient client;
  private final io.vertx.core.http.WebSocketClient webSockets;
  private final NorthflankConfig config;
  private final String token;
  private final String project;

  NorthflankApi(
      WebClient client, io.vertx.core.http.WebSocketClient webSockets, NorthflankConfig config) {
    this.client = client;
    this.webSockets = webSockets;
    this.config = config;
    this.token =
        config
            .token()
            .filter(t -> !t.isBlank())
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "gateway.northflank.token (NORTHFLANK_API_TOKEN) is not set"));
    this.project =
        config
            .projectId()
            .filter(p -> p.matches("[A-Za-z0-9-]+"))
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "gateway.northflank.project-id is not set (or not a project id)"));
  }

  WebClient client() {
    return client;
  }

  io.vertx.core.http.WebSocketClient webSockets() {
    return webSockets;
  }

  /** For the command-exec handshake only. */
  String token() {
    return token;
  }

  /** {@code <api-url>/v1/projects/<project>} followed by {@code path}. */
  String projectUrl(String path) {
    return trim(config.apiUrl()) + "/v1/projects/" + project + path;
  }

  /** The command-exec WebSocket of a service. */
  String execUrl(String serviceId) {
    return trim(config.execUrl().filter(u -> !u.isBlank()).orElse(config.apiUrl()))
            .replaceFirst("^http", "ws")
        + "/v1/command-exec/projects/"
        + project
        + "/services/"
        + serviceId;
  }

  private static String trim(String url) {
    return url.endsWith("/") ? url.substring(0, url.length() - 1) : url;
  }

  /** A request to {@code url} with the headers every Northflank call carries. */
  HttpRequest<Buffer> request(HttpMethod method, String url) {
    return client
        .requestAbs(method, url)
        .putHeader("Authorization", "Bearer " + token)
        .timeout(config.requestTimeout().toMillis());
  }

  /**
   * Sends a request (built anew per attempt), waits out 429s as Northflank asks and fails with a
   * {@link ProviderException} on any error status; {@code what} names the call in messages.
   */
  <T> Uni<HttpResponse<T>> send(String what, Supplier<Uni<HttpResponse<T>>> call) {
    return ProviderHttp.send(
        "Northflank",
        what,
        call,
        NorthflankApi::failure,
        config.rateLimitRetries(),
        config.maxRetryAfter());
  }

  /** Northflank's error body as a provider failure: a tenant's mistake is not an outage. */
  static ProviderException failure(String what, HttpResponse<?> response) {
    int status = response.statusCode();
    String message = message(response);
    ProviderException.Kind kind =
        switch (status) {
          case 404 -> ProviderException.Kind.NOT_FOUND;
          case 400, 409, 422 -> ProviderException.Kind.INVALID;
          default -> ProviderException.Kind.UNAVAILABLE;
        };
    String reason =
        switch (status) {
          case 401, 403 ->
              "Northflank refused the gateway's API token (check gateway.northflank.token and its"
                  + " API role's permissions on the project)";
          case 404 -> "not found at Northflank";
          default -> status >= 500 ? "Northflank is failing (" + status + ")" : "Northflank said";
        };
    return new ProviderException(
        kind, what + ": " + reason + (message.isEmpty() ? "" : ": " + message));
  }

  /** The {@code error.message} of Northflank's error body, or nothing. */
  private static String message(HttpResponse<?> response) {
    try {
      if (!(response.body() instanceof Buffer body) || body.length() == 0) {
        return "";
      }
      JsonObject json = new JsonObject(body.getDelegate());
      Object error = json.getValue("error");
      Object message =
          error instanceof JsonObject e ? e.getValue("message") : json.getValue("message");
      String text = message == null ? "" : message.toString();
      return text.length() > 300 ? text.substring(0, 300) + "…" : text;
    } catch (RuntimeException notJson) {
      return "";
    }
  }
}
