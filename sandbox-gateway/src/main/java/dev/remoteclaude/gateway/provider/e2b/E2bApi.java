package dev.remoteclaude.gateway.provider.e2b;

import dev.remoteclaude.gateway.provider.ProviderException;
import dev.remoteclaude.gateway.provider.ProviderRateLimits;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * E2B's control plane (its published OpenAPI, {@code X-API-Key} auth): sandboxes created, listed,
 * paused, resumed (connect), timed out, killed and snapshotted. Every call waits out E2B's 429s as
 * it asks; other failures become {@link ProviderException}s ({@link E2bFailures}).
 */
final class E2bApi {

  private final WebClient web;
  private final E2bConfig config;
  private final String apiKey;

  E2bApi(WebClient web, E2bConfig config) {
    this.web = web;
    this.config = config;
    this.apiKey =
        config
            .apiKey()
            .filter(k -> !k.isBlank())
            .orElseThrow(
                () ->
                    new IllegalStateException(
                        "gateway.e2b.enabled is set but gateway.e2b.api-key is not"
                            + " (give it as GATEWAY_E2B_API_KEY)"));
  }

  /** POST /sandboxes: the new sandbox ({@code sandboxID}, {@code envdAccessToken}, ...). */
  Uni<JsonObject> create(JsonObject body) {
    return call(HttpMethod.POST, "/sandboxes", body, Set.of(201), "create a sandbox")
        .map(HttpResponse::bodyAsJsonObject);
  }

  /** GET /sandboxes/{id}: its detail (state, envd token), or empty when E2B does not have it. */
  Uni<Optional<JsonObject>> find(String id) {
    return call(
            HttpMethod.GET, "/sandboxes/" + segment(id), null, Set.of(200, 404), "read a sandbox")
        .map(r -> r.statusCode() == 404 ? Optional.empty() : Optional.of(r.bodyAsJsonObject()));
  }

  /** GET /v2/sandboxes filtered by metadata, running and paused, every page. */
  Uni<List<JsonObject>> list(String metadataQuery) {
    return page(metadataQuery, null, new ArrayList<>());
  }

  private Uni<List<JsonObject>> page(String metadata, String token, List<JsonObject> found) {
    StringBuilder uri =
        new StringBuilder("/v2/sandboxes?state=running,paused&limit=100&metadata=")
            .append(URLEncoder.encode(metadata, StandardCharsets.UTF_8));
    if (token != null) {
      uri.append("&nextToken=").append(URLEncoder.encode(token, StandardCharsets.UTF_8));
    }
    return call(HttpMethod.GET, uri.toString(), null, Set.of(200), "list sandboxes")
        .flatMap(
            response -> {
              JsonArray items = response.bodyAsJsonArray();
              for (int i = 0; i < items.size(); i++) {
                found.add(items.getJsonObject(i));
              }
              String next = response.getHeader("X-Next-Token");
              return next == null || next.isBlank() || items.isEmpty()
                  ? Uni.createFrom().item(found)
                  : page(metadata, next, found);
            });
  }

  /**
   * POST /sandboxes/{id}/pause without its memory: only the file system is kept, every process
   * stops (a resume boots it again). Pausing a paused sandbox (409) is fine.
   */
  Uni<Void> pause(String id) {
    return call(
            HttpMethod.POST,
            "/sandboxes/" + segment(id) + "/pause",
            new JsonObject().put("memory", false),
            Set.of(204, 409),
            "pause a sandbox")
        .replaceWithVoid();
  }

  /** POST /sandboxes/{id}/connect: resumes a paused sandbox; its detail (a new envd token). */
  Uni<JsonObject> connect(String id, long timeoutSeconds) {
    return call(
            HttpMethod.POST,
            "/sandboxes/" + segment(id) + "/connect",
            new JsonObject().put("timeout", timeoutSeconds),
            Set.of(200, 201),
            "resume a sandbox")
        .map(HttpResponse::bodyAsJsonObject);
  }

  /** POST /sandboxes/{id}/timeout: E2B reclaims it that many seconds from now. */
  Uni<Void> setTimeout(String id, long seconds) {
    return call(
            HttpMethod.POST,
            "/sandboxes/" + segment(id) + "/timeout",
            new JsonObject().put("timeout", seconds),
            Set.of(204),
            "extend a sandbox's timeout")
        .replaceWithVoid();
  }

  /** DELETE /sandboxes/{id}; one E2B does not have is fine. */
  Uni<Void> kill(String id) {
    return call(
            HttpMethod.DELETE,
            "/sandboxes/" + segment(id),
            null,
            Set.of(204, 404),
            "kill a sandbox")
        .replaceWithVoid();
  }

  /** POST /sandboxes/{id}/snapshots: a persistent snapshot; its {@code snapshotID}. */
  Uni<JsonObject> snapshot(String id) {
    return call(
            HttpMethod.POST,
            "/sandboxes/" + segment(id) + "/snapshots",
            new JsonObject(),
            Set.of(201),
            "snapshot a sandbox")
        .map(HttpResponse::bodyAsJsonObject);
  }

  /** DELETE /templates/{id} (a snapshot is a template); one E2B does not have is fine. */
  Uni<Void> deleteTemplate(String id) {
    return call(
            HttpMethod.DELETE,
            "/templates/" + segment(id),
            null,
            Set.of(204, 404),
            "delete a snapshot")
        .replaceWithVoid();
  }

  private Uni<HttpResponse<Buffer>> call(
      HttpMethod method, String uri, JsonObject body, Set<Integer> expected, String what) {
    return ProviderRateLimits.honouringRetryAfter(
        () -> once(method, uri, body, expected, what),
        config.rateLimitRetries(),
        config.maxRetryAfter());
  }

  private Uni<HttpResponse<Buffer>> once(
      HttpMethod method, String uri, JsonObject body, Set<Integer> expected, String what) {
    HttpRequest<Buffer> request =
        web.requestAbs(method, config.apiUrl() + uri)
            .putHeader("X-API-Key", apiKey)
            .putHeader("Accept", "application/json")
            .timeout(config.requestTimeout().toMillis());
    Future<HttpResponse<Buffer>> sent =
        body == null ? request.send() : request.sendJsonObject(body);
    return Uni.createFrom()
        .completionStage(sent.toCompletionStage())
        .onFailure()
        .transform(failure -> E2bFailures.unreachable(what, failure))
        .flatMap(
            response ->
                expected.contains(response.statusCode())
                    ? Uni.createFrom().item(response)
                    : Uni.createFrom()
                        .failure(
                            E2bFailures.of(
                                what,
                                response.statusCode(),
                                response.body(),
                                response.getHeader("Retry-After"))));
  }

  static String segment(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }
}
