package dev.remoteclaude.launcher;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyOptions;
import io.vertx.httpproxy.ProxyResponse;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The platform's one base URL: routes each request to the service that owns its path, as the
 * Kubernetes Ingress does (k8s/base/ingress.yaml has the same table). WebSocket upgrades are
 * proxied too. {@code /q/openapi/<service>} serves each service's OpenAPI document.
 */
public final class EdgeRouter implements AutoCloseable {

  /** Which service owns a path; the first match wins (same order as the Ingress). */
  static final Map<Pattern, String> ROUTES = new LinkedHashMap<>();

  static {
    ROUTES.put(Pattern.compile("^/api/v1/sessions/[^/]+/tasks(/.*)?$"), "task-service");
    ROUTES.put(Pattern.compile("^/api/v1/tasks(/.*)?$"), "task-service");
    ROUTES.put(
        Pattern.compile("^/api/v1/sessions/[^/]+/(commands|files|events)(/.*)?$"),
        "sandbox-gateway");
    ROUTES.put(Pattern.compile("^/api/v1/sessions/[^/]+/git(/.*)?$"), "repository-service");
    ROUTES.put(Pattern.compile("^/api/v1/sessions(/.*)?$"), "session-service");
    ROUTES.put(Pattern.compile("^/api/v1/repositories(/.*)?$"), "repository-service");
    ROUTES.put(Pattern.compile("^/api/v1/billing(/.*)?$"), "billing-service");
    ROUTES.put(Pattern.compile("^/ws/.*$"), "sandbox-gateway");
  }

  static Optional<String> route(String path) {
    for (Map.Entry<Pattern, String> route : ROUTES.entrySet()) {
      if (route.getKey().matcher(path).matches()) {
        return Optional.of(route.getValue());
      }
    }
    return Optional.empty();
  }

  /** Tells the service the address the client used, so Location headers point at the edge. */
  private static final ProxyInterceptor FORWARDED =
      new ProxyInterceptor() {
        @Override
        public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
          HttpServerRequest original = context.request().proxiedRequest();
          if (original.authority() != null) {
            context.request().headers().set("X-Forwarded-Host", original.authority().toString());
          }
          context.request().headers().set("X-Forwarded-Proto", original.scheme());
          context
              .request()
              .headers()
              .set("X-Forwarded-For", original.remoteAddress().hostAddress());
          return context.sendRequest();
        }
      };

  private final Vertx vertx;
  private final HttpServer server;

  private EdgeRouter(Vertx vertx, HttpServer server) {
    this.vertx = vertx;
    this.server = server;
  }

  /**
   * Listens on {@code port}; {@code ports} maps service names to their local ports; {@code health}
   * answers the edge's own /q/health.
   */
  public static EdgeRouter start(int port, Map<String, Integer> ports, Supplier<String> health) {
    Vertx vertx = Vertx.vertx();
    HttpClient client = vertx.createHttpClient();
    Map<String, HttpProxy> proxies = new LinkedHashMap<>();
    Map<String, HttpProxy> openapi = new LinkedHashMap<>();
    ports.forEach(
        (service, servicePort) -> {
          SocketAddress origin = SocketAddress.inetSocketAddress(servicePort, "127.0.0.1");
          HttpProxy proxy =
              HttpProxy.reverseProxy(new ProxyOptions().setSupportWebSocket(true), client)
                  .originSelector(request -> Future.succeededFuture(origin));
          proxy.addInterceptor(FORWARDED);
          proxies.put(service, proxy);
          HttpProxy docs =
              HttpProxy.reverseProxy(client)
                  .originSelector(request -> Future.succeededFuture(origin));
          docs.addInterceptor(
              new ProxyInterceptor() {
                @Override
                public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
                  context.request().setURI("/q/openapi");
                  return context.sendRequest();
                }
              });
          openapi.put(service, docs);
        });
    HttpServer server =
        vertx
            .createHttpServer()
            .requestHandler(request -> dispatch(request, proxies, openapi, health));
    server.listen(port, "0.0.0.0").toCompletionStage().toCompletableFuture().join();
    return new EdgeRouter(vertx, server);
  }

  private static void dispatch(
      HttpServerRequest request,
      Map<String, HttpProxy> proxies,
      Map<String, HttpProxy> openapi,
      Supplier<String> health) {
    String path = request.path();
    if (path.equals("/q/health") || path.equals("/q/health/ready")) {
      String body = health.get();
      request
          .response()
          .setStatusCode(body.contains("\"DOWN\"") ? 503 : 200)
          .putHeader("content-type", "application/json")
          .end(body);
      return;
    }
    if (path.startsWith("/q/openapi/")) {
      HttpProxy docs = openapi.get(path.substring("/q/openapi/".length()));
      if (docs != null) {
        docs.handle(request);
        return;
      }
    }
    Optional<String> service = route(path);
    if (service.isPresent() && proxies.containsKey(service.get())) {
      proxies.get(service.get()).handle(request);
      return;
    }
    request
        .response()
        .setStatusCode(404)
        .putHeader("content-type", "application/problem+json")
        .end(
            "{\"type\":\"https://remote-claude.dev/problems/not-found\",\"title\":\"Not Found\","
                + "\"status\":404,\"detail\":\"no such resource\",\"instance\":\""
                + path.replace("\"", "")
                + "\"}");
  }

  public int port() {
    return server.actualPort();
  }

  @Override
  public void close() {
    server.close().toCompletionStage().toCompletableFuture().join();
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }
}
