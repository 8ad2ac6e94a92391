package dev.remoteclaude.launcher;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.NetSocket;
import io.vertx.core.net.SocketAddress;
import io.vertx.httpproxy.Body;
import io.vertx.httpproxy.HttpProxy;
import io.vertx.httpproxy.ProxyContext;
import io.vertx.httpproxy.ProxyInterceptor;
import io.vertx.httpproxy.ProxyResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.regex.Pattern;

/**
 * The platform's one base URL: routes each request to the service that owns its path, as the
 * Kubernetes Ingress does (k8s/base/ingress.yaml has the same table). WebSocket upgrades are
 * tunnelled too. {@code /q/openapi/<service>} serves each service's OpenAPI document; {@code /} and
 * the files next to it are the web dashboard ({@link DashboardFiles}).
 *
 * <p>REST calls and streams use separate connection pools: a stream holds its connection to the
 * service for as long as it is open, so streams must never take the connections REST calls wait
 * for. Both are bounded ({@link Limits}); a request that finds no connection within {@link
 * Limits#connectionWait()}, or a stream beyond {@link Limits#streams()}, is answered 503 with a
 * problem+json body instead of waiting without end.
 *
 * <p>The edge is the only way in (the services listen on the loopback interface and trust
 * forwarding headers only from it): it drops every {@code Forwarded} and {@code X-Forwarded-*}
 * header a client sends and sets its own.
 */
public final class EdgeRouter implements AutoCloseable {

  /**
   * The edge's bounds.
   *
   * @param streams WebSocket streams open at once through the edge (all services together)
   * @param connections REST connections to each service
   * @param waitQueue REST requests waiting for a connection to each service; more are refused
   * @param connectionWait how long a request or a stream waits for a connection to its service
   */
  public record Limits(int streams, int connections, int waitQueue, Duration connectionWait) {

    public static final Limits DEFAULT = new Limits(4096, 64, 1024, Duration.ofSeconds(5));

    public Limits {
      if (streams < 1 || connections < 1 || waitQueue < 0 || connectionWait.toMillis() < 1) {
        throw new IllegalArgumentException(
            "edge limits: streams and connections must be positive, the wait queue not negative"
                + " and the connection wait at least 1 ms");
      }
    }

    /**
     * {@code RC_EDGE_STREAMS}, {@code RC_EDGE_CONNECTIONS}, {@code RC_EDGE_WAIT_QUEUE} and {@code
     * RC_EDGE_CONNECTION_WAIT_MS}, each defaulting to {@link #DEFAULT}.
     */
    static Limits fromEnvironment(Map<String, String> env) {
      return new Limits(
          number(env, "RC_EDGE_STREAMS", DEFAULT.streams()),
          number(env, "RC_EDGE_CONNECTIONS", DEFAULT.connections()),
          number(env, "RC_EDGE_WAIT_QUEUE", DEFAULT.waitQueue()),
          Duration.ofMillis(
              number(
                  env, "RC_EDGE_CONNECTION_WAIT_MS", (int) DEFAULT.connectionWait().toMillis())));
    }

    private static int number(Map<String, String> env, String name, int fallback) {
      String value = env.get(name);
      if (value == null || value.isBlank()) {
        return fallback;
      }
      try {
        return Integer.parseInt(value.strip());
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException(name + " must be a whole number, not '" + value + "'");
      }
    }
  }

  /** Which service owns a path; the first match wins (same order as the Ingress). */
  static final Map<Pattern, String> ROUTES = new LinkedHashMap<>();

  static {
    ROUTES.put(Pattern.compile("^/api/v1/sessions/[^/]+/tasks(/.*)?$"), "task-service");
    ROUTES.put(Pattern.compile("^/api/v1/tasks(/.*)?$"), "task-service");
    ROUTES.put(
        Pattern.compile("^/api/v1/sessions/[^/]+/(commands|files|events|git)(/.*)?$"),
        "sandbox-gateway");
    ROUTES.put(
        Pattern.compile("^/api/v1/sessions/[^/]+/pull-requests(/.*)?$"), "repository-service");
    ROUTES.put(Pattern.compile("^/api/v1/sessions(/.*)?$"), "session-service");
    ROUTES.put(Pattern.compile("^/api/v1/repositories(/.*)?$"), "repository-service");
    ROUTES.put(Pattern.compile("^/api/v1/webhooks(/.*)?$"), "repository-service");
    ROUTES.put(Pattern.compile("^/api/v1/billing(/.*)?$"), "billing-service");
    ROUTES.put(Pattern.compile("^/api/v1/audit(/.*)?$"), "session-service");
    ROUTES.put(Pattern.compile("^/api/v1/settings(/.*)?$"), "session-service");
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

  /** Headers that are not passed on to a service's upgrade request (besides forwarding ones). */
  private static final Set<String> HOP_BY_HOP =
      Set.of(
          "host",
          "connection",
          "keep-alive",
          "proxy-authenticate",
          "proxy-authorization",
          "proxy-connection",
          "te",
          "trailer",
          "transfer-encoding",
          "content-length");

  /** Whether a client-sent header claims something about the client only the edge may say. */
  static boolean isForwardingHeader(String name) {
    String lower = name.toLowerCase(Locale.ROOT);
    return lower.equals("forwarded") || lower.startsWith("x-forwarded-");
  }

  /**
   * Replaces every forwarding header the client sent by the edge's own: the address the client used
   * (so Location headers point at the edge), its scheme and its address.
   */
  static void setForwardingHeaders(MultiMap headers, HttpServerRequest original) {
    List<String> names = headers.names().stream().filter(EdgeRouter::isForwardingHeader).toList();
    names.forEach(headers::remove);
    if (original.authority() != null) {
      headers.set("X-Forwarded-Host", original.authority().toString());
    }
    headers.set("X-Forwarded-Proto", original.scheme());
    headers.set("X-Forwarded-For", original.remoteAddress().hostAddress());
  }

  private final Vertx vertx;
  private final HttpServer server;
  private final AtomicInteger openStreams;

  private EdgeRouter(Vertx vertx, HttpServer server, AtomicInteger openStreams) {
    this.vertx = vertx;
    this.server = server;
    this.openStreams = openStreams;
  }

  /**
   * Listens on {@code port}; {@code ports} maps service names to their local ports; {@code health}
   * answers the edge's own /q/health.
   */
  public static EdgeRouter start(int port, Map<String, Integer> ports, Supplier<String> health) {
    return start(port, ports, health, Limits.DEFAULT);
  }

  /** As {@link #start(int, Map, Supplier)}, with the given bounds. */
  public static EdgeRouter start(
      int port, Map<String, Integer> ports, Supplier<String> health, Limits limits) {
    return start(port, ports, health, limits, Optional.empty());
  }

  /**
   * As {@link #start(int, Map, Supplier, Limits)}; the dashboard's {@code /config.json} is the file
   * {@code dashboardConfig} (read on every request), without one the local sign-in.
   */
  public static EdgeRouter start(
      int port,
      Map<String, Integer> ports,
      Supplier<String> health,
      Limits limits,
      Optional<Path> dashboardConfig) {
    Vertx vertx = Vertx.vertx();
    HttpClient rest =
        vertx.createHttpClient(
            new HttpClientOptions().setConnectTimeout((int) limits.connectionWait().toMillis()),
            new PoolOptions()
                .setHttp1MaxSize(limits.connections())
                .setMaxWaitQueueSize(limits.waitQueue()));
    // A stream keeps its connection while it is open: the streams' pool has room for all of them
    // (their number is bounded by the edge's own count, below).
    HttpClient streamClient =
        vertx.createHttpClient(
            new HttpClientOptions().setConnectTimeout((int) limits.connectionWait().toMillis()),
            new PoolOptions()
                .setHttp1MaxSize(limits.streams())
                .setMaxWaitQueueSize(limits.streams()));
    AtomicInteger openStreams = new AtomicInteger();
    Map<String, HttpProxy> proxies = new LinkedHashMap<>();
    Map<String, HttpProxy> openapi = new LinkedHashMap<>();
    Map<String, SocketAddress> origins = new LinkedHashMap<>();
    ports.forEach(
        (service, servicePort) -> {
          SocketAddress origin = SocketAddress.inetSocketAddress(servicePort, "127.0.0.1");
          origins.put(service, origin);
          HttpProxy proxy =
              HttpProxy.reverseProxy(rest).origin(context -> connect(context, origin, limits));
          proxy.addInterceptor(forwarding(service, limits));
          proxies.put(service, proxy);
          HttpProxy docs =
              HttpProxy.reverseProxy(rest).origin(context -> connect(context, origin, limits));
          docs.addInterceptor(forwarding(service, limits));
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
    Streams streams = new Streams(streamClient, limits, openStreams);
    DashboardFiles dashboard =
        new DashboardFiles(EdgeRouter.class.getClassLoader(), dashboardConfig);
    HttpServer server =
        vertx
            // HTTP/1.1 only: a client's h2c upgrade (java.net.http asks for one) is declined
            // rather than proxied as HTTP/2 to services that speak HTTP/1.1 here.
            .createHttpServer(new HttpServerOptions().setHttp2ClearTextEnabled(false))
            .requestHandler(
                request ->
                    dispatch(request, proxies, openapi, origins, streams, dashboard, health));
    server.listen(port, "0.0.0.0").toCompletionStage().toCompletableFuture().join();
    return new EdgeRouter(vertx, server, openStreams);
  }

  /** A request to the service, waiting at most {@link Limits#connectionWait()} for a connection. */
  private static Future<io.vertx.core.http.HttpClientRequest> connect(
      ProxyContext context, SocketAddress origin, Limits limits) {
    return context
        .client()
        .request(
            new RequestOptions()
                .setServer(origin)
                .setConnectTimeout(limits.connectionWait().toMillis()));
  }

  /**
   * Sets the edge's forwarding headers, and answers 503 problem+json when no connection to the
   * service was had in time (or the service does not answer at all).
   */
  private static ProxyInterceptor forwarding(String service, Limits limits) {
    return new ProxyInterceptor() {
      @Override
      public Future<ProxyResponse> handleProxyRequest(ProxyContext context) {
        setForwardingHeaders(context.request().headers(), context.request().proxiedRequest());
        return context
            .sendRequest()
            .recover(
                failure -> {
                  ProxyResponse response = context.request().release().response();
                  response.headers().clear();
                  String problem =
                      problem(
                          503,
                          "Service Unavailable",
                          unavailable(service, limits),
                          context.request().proxiedRequest().path());
                  return Future.succeededFuture(
                      response
                          .setStatusCode(503)
                          .setStatusMessage("Service Unavailable")
                          .putHeader(HttpHeaders.CONTENT_TYPE, "application/problem+json")
                          .putHeader(HttpHeaders.RETRY_AFTER, "1")
                          .setBody(Body.body(Buffer.buffer(problem))));
                });
      }
    };
  }

  private static String unavailable(String service, Limits limits) {
    return service
        + " did not take the request within "
        + limits.connectionWait().toMillis()
        + " ms (busy or not running); retry later";
  }

  /** WebSocket upgrades, tunnelled byte for byte to the service once it accepts them. */
  private static final class Streams {
    private final HttpClient client;
    private final Limits limits;
    private final AtomicInteger open;

    Streams(HttpClient client, Limits limits, AtomicInteger open) {
      this.client = client;
      this.limits = limits;
      this.open = open;
    }

    static boolean isUpgrade(HttpServerRequest request) {
      String upgrade = request.getHeader(HttpHeaders.UPGRADE);
      String connection = request.getHeader(HttpHeaders.CONNECTION);
      return request.method() == HttpMethod.GET
          && upgrade != null
          && upgrade.toLowerCase(Locale.ROOT).contains("websocket")
          && connection != null
          && connection.toLowerCase(Locale.ROOT).contains("upgrade");
    }

    void open(HttpServerRequest request, String service, SocketAddress origin) {
      if (open.incrementAndGet() > limits.streams()) {
        open.decrementAndGet();
        refuse(
            request, "the edge carries at most " + limits.streams() + " open streams; retry later");
        return;
      }
      AtomicBoolean released = new AtomicBoolean();
      Runnable release =
          () -> {
            if (released.compareAndSet(false, true)) {
              open.decrementAndGet();
            }
          };
      request.pause();
      client
          .request(
              new RequestOptions()
                  .setServer(origin)
                  .setMethod(HttpMethod.GET)
                  .setURI(request.uri())
                  .setConnectTimeout(limits.connectionWait().toMillis()))
          .compose(
              upstream -> {
                request
                    .headers()
                    .forEach(
                        header -> {
                          String name = header.getKey().toLowerCase(Locale.ROOT);
                          if (!HOP_BY_HOP.contains(name) && !isForwardingHeader(name)) {
                            upstream.headers().add(header.getKey(), header.getValue());
                          }
                        });
                upstream.headers().set(HttpHeaders.CONNECTION, HttpHeaders.UPGRADE);
                // Once tunnelled, the request hears of the connection's end; the tunnel's sockets
                // handle it (an unhandled one would be logged as an error at every stream's end).
                upstream.exceptionHandler(e -> {});
                setForwardingHeaders(upstream.headers(), request);
                return upstream.connect();
              })
          .onComplete(
              answered -> {
                if (answered.failed()) {
                  release.run();
                  request.resume();
                  refuse(request, unavailable(service, limits));
                } else if (answered.result().statusCode() != 101) {
                  release.run();
                  relayRejection(request, answered.result());
                } else {
                  tunnel(request, answered.result(), release);
                }
              });
    }

    /** The service refused the upgrade (401, 404, ...): its answer goes to the client. */
    private static void relayRejection(HttpServerRequest request, HttpClientResponse answer) {
      request.resume();
      HttpServerResponse response = request.response().setStatusCode(answer.statusCode());
      answer
          .headers()
          .forEach(
              header -> {
                String name = header.getKey().toLowerCase(Locale.ROOT);
                if (!HOP_BY_HOP.contains(name) && !name.equals("upgrade")) {
                  response.headers().add(header.getKey(), header.getValue());
                }
              });
      answer
          .body()
          .onComplete(
              body -> {
                if (body.succeeded()) {
                  response.end(body.result());
                } else {
                  response.end();
                }
              });
    }

    private static void tunnel(
        HttpServerRequest request, HttpClientResponse answer, Runnable release) {
      HttpServerResponse response = request.response().setStatusCode(101);
      response.headers().addAll(answer.headers());
      request.resume();
      request
          .toNetSocket()
          .onComplete(
              accepted -> {
                NetSocket service = answer.netSocket();
                if (accepted.failed()) {
                  service.close();
                  release.run();
                  return;
                }
                NetSocket client = accepted.result();
                client.closeHandler(v -> closed(service, release));
                service.closeHandler(v -> closed(client, release));
                client.exceptionHandler(e -> client.close());
                service.exceptionHandler(e -> service.close());
                // pipeTo pauses the reading side while the other's write queue is full: a slow
                // client slows its stream down instead of growing the edge's memory.
                client.pipeTo(service);
                service.pipeTo(client);
              });
    }

    private static void closed(NetSocket other, Runnable release) {
      release.run();
      other.close();
    }

    private static void refuse(HttpServerRequest request, String detail) {
      request
          .response()
          .setStatusCode(503)
          .putHeader(HttpHeaders.CONTENT_TYPE, "application/problem+json")
          .putHeader(HttpHeaders.RETRY_AFTER, "1")
          .end(problem(503, "Service Unavailable", detail, request.path()));
    }
  }

  private static void dispatch(
      HttpServerRequest request,
      Map<String, HttpProxy> proxies,
      Map<String, HttpProxy> openapi,
      Map<String, SocketAddress> origins,
      Streams streams,
      DashboardFiles dashboard,
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
      if (Streams.isUpgrade(request)) {
        streams.open(request, service.get(), origins.get(service.get()));
      } else {
        proxies.get(service.get()).handle(request);
      }
      return;
    }
    if (dashboard.serve(request)) {
      return;
    }
    request
        .response()
        .setStatusCode(404)
        .putHeader("content-type", "application/problem+json")
        .end(problem(404, "Not Found", "no such resource", path));
  }

  /** An RFC 9457 problem document. */
  private static String problem(int status, String title, String detail, String path) {
    return new JsonObject()
        .put(
            "type",
            "https://remote-claude.dev/problems/"
                + (status == 404 ? "not-found" : "service-unavailable"))
        .put("title", title)
        .put("status", status)
        .put("detail", detail)
        .put("instance", path)
        .encode();
  }

  public int port() {
    return server.actualPort();
  }

  /** Streams open through the edge now. */
  public int openStreams() {
    return openStreams.get();
  }

  @Override
  public void close() {
    server.close().toCompletionStage().toCompletableFuture().join();
    vertx.close().toCompletionStage().toCompletableFuture().join();
  }
}
