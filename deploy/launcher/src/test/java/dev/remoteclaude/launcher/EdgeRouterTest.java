package dev.remoteclaude.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.UpgradeRejectedException;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The edge router in front of a small Vert.x backend that stands in for the services: it answers
 * REST calls with the headers it received, accepts WebSocket streams (greeting each with "hello")
 * and holds requests to {@code .../hang} unanswered until the test lets them go.
 */
class EdgeRouterTest {

  private static Vertx vertx;
  private static HttpServer backend;
  private static HttpClient http;
  private static final AtomicInteger backendStreams = new AtomicInteger();
  private static final Map<String, JsonObject> upgradeHeaders = new ConcurrentHashMap<>();
  private static final List<HttpServerRequest> hanging = new CopyOnWriteArrayList<>();

  private EdgeRouter edge;
  private WebSocketClient streams;

  @BeforeAll
  static void startBackend() {
    vertx = Vertx.vertx();
    backend =
        vertx
            .createHttpServer()
            .requestHandler(
                request -> {
                  if (request.path().startsWith("/ws/")) {
                    upgradeHeaders.put(request.path(), headers(request.headers()));
                    request
                        .toWebSocket()
                        .onSuccess(
                            ws -> {
                              backendStreams.incrementAndGet();
                              ws.closeHandler(v -> backendStreams.decrementAndGet());
                              ws.textMessageHandler(ws::writeTextMessage);
                              ws.writeTextMessage("hello");
                            });
                  } else if (request.path().endsWith("/hang")) {
                    hanging.add(request);
                  } else {
                    request
                        .response()
                        .putHeader("content-type", "application/json")
                        .end(headers(request.headers()).encode());
                  }
                })
            .listen(0, "127.0.0.1")
            .toCompletionStage()
            .toCompletableFuture()
            .join();
    http = HttpClient.newHttpClient();
  }

  @AfterAll
  static void stopBackend() {
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }

  @AfterEach
  void stopEdge() {
    hanging.forEach(r -> r.response().end());
    hanging.clear();
    if (streams != null) {
      streams.close().toCompletionStage().toCompletableFuture().join();
    }
    if (edge != null) {
      edge.close();
    }
  }

  private static JsonObject headers(MultiMap headers) {
    JsonObject out = new JsonObject();
    for (String name : headers.names()) {
      out.put(name.toLowerCase(Locale.ROOT), new JsonArray(headers.getAll(name)));
    }
    return out;
  }

  private void startEdge(EdgeRouter.Limits limits) {
    Map<String, Integer> ports =
        Map.of("sandbox-gateway", backend.actualPort(), "session-service", backend.actualPort());
    edge =
        limits == null
            ? EdgeRouter.start(0, ports, () -> "{\"status\":\"UP\"}")
            : EdgeRouter.start(0, ports, () -> "{\"status\":\"UP\"}", limits);
    streams = vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(5_000));
  }

  private HttpResponse<String> get(String path, Map<String, String> headers) throws Exception {
    HttpRequest.Builder request =
        HttpRequest.newBuilder(URI.create("http://localhost:" + edge.port() + path))
            // A bound for the test only: the edge must answer long before.
            .timeout(Duration.ofSeconds(30));
    headers.forEach(request::header);
    return http.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  /** Opens a stream and waits for the backend's greeting through it. */
  private Future<WebSocket> openStream(String path) {
    return streams
        .connect(edge.port(), "localhost", path)
        .compose(
            ws -> {
              io.vertx.core.Promise<WebSocket> greeted = io.vertx.core.Promise.promise();
              ws.textMessageHandler(
                  text -> {
                    if (text.equals("hello")) {
                      greeted.tryComplete(ws);
                    }
                  });
              return greeted.future();
            });
  }

  private static <T> T join(Future<T> future) throws Exception {
    try {
      return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof Exception cause) {
        throw cause;
      }
      throw e;
    }
  }

  @Test
  void aThousandStreamsStayOpenThroughTheEdgeWhileRestCallsAnswer() throws Exception {
    startEdge(null);
    int count = 1_000;
    List<WebSocket> open = new CopyOnWriteArrayList<>();
    List<Throwable> failed = new CopyOnWriteArrayList<>();
    for (int i = 0; i < count; i++) {
      openStream("/ws/sessions/s" + i).onSuccess(open::add).onFailure(failed::add);
    }
    await()
        .atMost(Duration.ofMinutes(2))
        .until(() -> open.size() + failed.size() == count || !failed.isEmpty());
    assertThat(failed).isEmpty();
    assertThat(open).hasSize(count);
    assertThat(edge.openStreams()).isEqualTo(count);

    // With every stream open, the same service still answers REST calls through the edge.
    for (int i = 0; i < 20; i++) {
      HttpResponse<String> response = get("/api/v1/sessions/s/commands", Map.of());
      assertThat(response.statusCode()).isEqualTo(200);
    }
    assertThat(get("/api/v1/sessions", Map.of()).statusCode()).isEqualTo(200);

    // Streams still carry messages both ways.
    WebSocket last = open.get(open.size() - 1);
    List<String> echoed = new CopyOnWriteArrayList<>();
    last.textMessageHandler(echoed::add);
    last.writeTextMessage("ping");
    await().atMost(Duration.ofSeconds(30)).until(() -> echoed.contains("ping"));

    // Closing them frees their connections: after the burst, new streams open again.
    open.forEach(WebSocket::close);
    await()
        .atMost(Duration.ofMinutes(1))
        .until(() -> backendStreams.get() == 0 && edge.openStreams() == 0);
    List<WebSocket> again = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      again.add(join(openStream("/ws/sessions/again" + i)));
    }
    assertThat(again).hasSize(10);
    assertThat(get("/api/v1/sessions/s/files", Map.of()).statusCode()).isEqualTo(200);
  }

  @Test
  void aStreamBeyondTheLimitIsRefusedWith503AndClosingOneMakesRoom() throws Exception {
    startEdge(new EdgeRouter.Limits(3, 2, 4, Duration.ofSeconds(5)));
    List<WebSocket> open = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      open.add(join(openStream("/ws/sessions/limit" + i)));
    }

    Throwable refused = null;
    try {
      join(openStream("/ws/sessions/limit3"));
    } catch (Exception e) {
      refused = e;
    }
    assertThat(refused).isInstanceOf(UpgradeRejectedException.class);
    UpgradeRejectedException rejected = (UpgradeRejectedException) refused;
    assertThat(rejected.getStatus()).isEqualTo(503);
    assertThat(rejected.getHeaders().get("content-type")).isEqualTo("application/problem+json");
    JsonObject problem = new JsonObject(rejected.getBody());
    assertThat(problem.getInteger("status")).isEqualTo(503);
    assertThat(problem.getString("detail")).contains("at most 3 open streams");
    // REST calls are not affected by the streams' limit.
    assertThat(get("/api/v1/sessions/s/commands", Map.of()).statusCode()).isEqualTo(200);

    open.remove(0).close();
    await().atMost(Duration.ofSeconds(30)).until(() -> edge.openStreams() == 2);
    open.add(join(openStream("/ws/sessions/limit3")));

    // All closed, all reopened: nothing of the earlier streams holds a place.
    open.forEach(WebSocket::close);
    await().atMost(Duration.ofSeconds(30)).until(() -> edge.openStreams() == 0);
    for (int i = 0; i < 3; i++) {
      assertThat(join(openStream("/ws/sessions/reopen" + i))).isNotNull();
    }
  }

  @Test
  void aRestCallThatGetsNoConnectionInTimeIsAnswered503ProblemJson() throws Exception {
    startEdge(new EdgeRouter.Limits(10, 1, 4, Duration.ofMillis(300)));
    // The only connection to the gateway is taken by a call the backend does not answer yet.
    var held =
        http.sendAsync(
            HttpRequest.newBuilder(
                    URI.create(
                        "http://localhost:" + edge.port() + "/api/v1/sessions/s/commands/hang"))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    await().atMost(Duration.ofSeconds(30)).until(() -> hanging.size() == 1);

    HttpResponse<String> response = get("/api/v1/sessions/s/commands", Map.of());
    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(response.headers().firstValue("content-type")).hasValue("application/problem+json");
    assertThat(response.headers().firstValue("retry-after")).hasValue("1");
    JsonObject problem = new JsonObject(response.body());
    assertThat(problem.getString("type"))
        .isEqualTo("https://remote-claude.dev/problems/service-unavailable");
    assertThat(problem.getInteger("status")).isEqualTo(503);
    assertThat(problem.getString("detail")).contains("sandbox-gateway").contains("300 ms");
    assertThat(problem.getString("instance")).isEqualTo("/api/v1/sessions/s/commands");

    // Once the held call is answered its connection serves the next one.
    hanging.remove(0).response().end("done");
    assertThat(held.get(30, TimeUnit.SECONDS).body()).isEqualTo("done");
    assertThat(get("/api/v1/sessions/s/commands", Map.of()).statusCode()).isEqualTo(200);
  }

  @Test
  void theDashboardIsServedAtTheRootWithAPolicyThatLetsOnlyItsOwnScriptsRun() throws Exception {
    startEdge(null);
    HttpResponse<String> page = get("/", Map.of());
    assertThat(page.statusCode()).isEqualTo(200);
    assertThat(page.headers().firstValue("content-type")).hasValue("text/html; charset=utf-8");
    assertThat(page.body()).contains("<title>Remote Claude</title>").contains("app.js");
    assertThat(page.headers().firstValue("content-security-policy"))
        .hasValueSatisfying(csp -> assertThat(csp).contains("script-src 'self'"));
    assertThat(page.headers().firstValue("x-content-type-options")).hasValue("nosniff");

    HttpResponse<String> script = get("/app.js", Map.of());
    assertThat(script.statusCode()).isEqualTo(200);
    assertThat(script.headers().firstValue("content-type"))
        .hasValue("text/javascript; charset=utf-8");
    assertThat(get("/style.css", Map.of()).headers().firstValue("content-type"))
        .hasValue("text/css; charset=utf-8");

    // Only the dashboard's own files: nothing else on the edge's classpath, no directories.
    for (String path :
        List.of(
            "/missing.js",
            "/dev/remoteclaude/dashboard/static/app.js",
            "/%2e%2e/EdgeRouter.class",
            "/..%2fapp.js",
            "/META-INF/MANIFEST.MF")) {
      HttpResponse<String> refused = get(path, Map.of());
      assertThat(refused.statusCode()).as(path).isEqualTo(404);
      assertThat(refused.headers().firstValue("content-type")).hasValue("application/problem+json");
    }
    // The API's routes still go to their services.
    assertThat(get("/api/v1/sessions", Map.of()).body()).contains("x-forwarded-host");
  }

  @Test
  void theDashboardsSignInSettingsComeFromTheConfiguredFileAndOpenThePolicyToTheIssuerOnly(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path config = dir.resolve("config.json");
    edge =
        EdgeRouter.start(
            0,
            Map.of("session-service", backend.actualPort()),
            () -> "{}",
            EdgeRouter.Limits.DEFAULT,
            java.util.Optional.of(config));
    streams = vertx.createWebSocketClient();

    // No file yet: the local sign-in (a token of the launcher's key), the page's own policy.
    HttpResponse<String> local = get("/config.json", Map.of());
    assertThat(local.statusCode()).isEqualTo(200);
    assertThat(local.headers().firstValue("content-type")).hasValue("application/json");
    assertThat(new JsonObject(local.body()).getString("mode")).isEqualTo("local");
    assertThat(get("/", Map.of()).headers().firstValue("content-security-policy"))
        .hasValue(DashboardFiles.CONTENT_SECURITY_POLICY);

    // An issuer: the page may connect to its origin (discovery, token endpoint) and nowhere else.
    java.nio.file.Files.writeString(
        config,
        "{\"mode\":\"oidc\",\"issuer\":\"https://id.example.com:8443/realms/rc\","
            + "\"clientId\":\"rc-dashboard\"}");
    HttpResponse<String> oidc = get("/config.json", Map.of());
    assertThat(new JsonObject(oidc.body()).getString("clientId")).isEqualTo("rc-dashboard");
    for (String path : List.of("/", "/app.js", "/config.json")) {
      assertThat(get(path, Map.of()).headers().firstValue("content-security-policy"))
          .as(path)
          .hasValueSatisfying(
              csp ->
                  assertThat(csp)
                      .contains("connect-src 'self' https://id.example.com:8443 ws: wss:;")
                      .contains("script-src 'self';"));
    }

    // An issuer that would smuggle a directive into the header is not let in.
    java.nio.file.Files.writeString(
        config, "{\"mode\":\"oidc\",\"issuer\":\"https://x;script-src *\",\"clientId\":\"c\"}");
    assertThat(get("/", Map.of()).headers().firstValue("content-security-policy"))
        .hasValue(DashboardFiles.CONTENT_SECURITY_POLICY);
  }

  @Test
  void aServiceThatIsNotRunningIsAnswered503ProblemJson() throws Exception {
    int closedPort = dev.remoteclaude.infra.Ports.free();
    edge =
        EdgeRouter.start(
            0,
            Map.of("sandbox-gateway", closedPort),
            () -> "{}",
            new EdgeRouter.Limits(10, 2, 4, Duration.ofSeconds(2)));
    streams = vertx.createWebSocketClient();
    HttpResponse<String> response = get("/api/v1/sessions/s/commands", Map.of());
    assertThat(response.statusCode()).isEqualTo(503);
    assertThat(new JsonObject(response.body()).getString("detail"))
        .contains("sandbox-gateway")
        .doesNotContain("Exception");
    Throwable refused = null;
    try {
      join(openStream("/ws/sessions/nobody"));
    } catch (Exception e) {
      refused = e;
    }
    assertThat(refused).isInstanceOf(UpgradeRejectedException.class);
    assertThat(((UpgradeRejectedException) refused).getStatus()).isEqualTo(503);
    assertThat(edge.openStreams()).isZero();
  }

  private static final Map<String, String> SPOOFED =
      Map.of(
          "X-Forwarded-For", "203.0.113.7",
          "X-Forwarded-Host", "evil.example",
          "X-Forwarded-Proto", "https",
          "X-Forwarded-Port", "6666",
          "X-Forwarded-Prefix", "/evil",
          "X-Forwarded-Ssl", "on",
          "X-Forwarded-Server", "evil.example",
          "Forwarded", "for=203.0.113.7;host=evil.example;proto=https");

  private void assertOnlyTheEdgesForwardingHeaders(JsonObject received) {
    assertThat(received.getJsonArray("x-forwarded-for").getList()).containsExactly("127.0.0.1");
    assertThat(received.getJsonArray("x-forwarded-host").getList())
        .containsExactly("localhost:" + edge.port());
    assertThat(received.getJsonArray("x-forwarded-proto").getList()).containsExactly("http");
    assertThat(received.fieldNames())
        .doesNotContain(
            "forwarded",
            "x-forwarded-port",
            "x-forwarded-prefix",
            "x-forwarded-ssl",
            "x-forwarded-server");
    assertThat(received.encode()).doesNotContain("evil").doesNotContain("203.0.113.7");
  }

  @Test
  void forwardingHeadersFromTheClientAreReplacedOnRestCalls() throws Exception {
    startEdge(null);
    HttpResponse<String> response = get("/api/v1/sessions/s/commands", SPOOFED);
    assertThat(response.statusCode()).isEqualTo(200);
    assertOnlyTheEdgesForwardingHeaders(new JsonObject(response.body()));
  }

  @Test
  void forwardingHeadersFromTheClientAreReplacedOnStreams() throws Exception {
    startEdge(null);
    WebSocketConnectOptions options =
        new WebSocketConnectOptions()
            .setPort(edge.port())
            .setHost("localhost")
            .setURI("/ws/sessions/spoofed");
    SPOOFED.forEach(options::addHeader);
    options.addHeader("Authorization", "Bearer kept");
    WebSocket ws = join(streams.connect(options));
    JsonObject received = upgradeHeaders.get("/ws/sessions/spoofed");
    assertOnlyTheEdgesForwardingHeaders(received);
    assertThat(received.getJsonArray("authorization").getList()).containsExactly("Bearer kept");
    ws.close();
  }

  @Test
  void limitsComeFromTheEnvironmentAndNonsenseIsRefusedByName() {
    assertThat(EdgeRouter.Limits.fromEnvironment(Map.of())).isEqualTo(EdgeRouter.Limits.DEFAULT);
    assertThat(
            EdgeRouter.Limits.fromEnvironment(
                Map.of(
                    "RC_EDGE_STREAMS", "2000",
                    "RC_EDGE_CONNECTIONS", "8",
                    "RC_EDGE_WAIT_QUEUE", "0",
                    "RC_EDGE_CONNECTION_WAIT_MS", "250")))
        .isEqualTo(new EdgeRouter.Limits(2000, 8, 0, Duration.ofMillis(250)));
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> EdgeRouter.Limits.fromEnvironment(Map.of("RC_EDGE_STREAMS", "many")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("RC_EDGE_STREAMS");
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> EdgeRouter.Limits.fromEnvironment(Map.of("RC_EDGE_CONNECTIONS", "0")))
        .isInstanceOf(IllegalArgumentException.class);
  }
}
