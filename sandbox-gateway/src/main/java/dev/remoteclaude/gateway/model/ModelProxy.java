package dev.remoteclaude.gateway.model;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.remoteclaude.common.events.ModelUsage;
import dev.remoteclaude.common.outbox.Outbox;
import dev.remoteclaude.gateway.config.GatewayConfig;
import dev.remoteclaude.gateway.git.GitProxy;
import dev.remoteclaude.gateway.work.SafeContext;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.logging.Log;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import io.vertx.core.Context;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.http.RequestOptions;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The model proxy: the only way from a sandbox to the model's API. Claude Code in a sandbox sends
 * its requests here with the token of its task run (as its API key); the proxy checks the token,
 * puts the platform's key in its place and streams request and response through untouched (SSE
 * included). It listens on a port of its own, so that a sandbox allowed to reach it reaches nothing
 * else of the gateway. Errors are answered in the Messages API's own shape, which Claude Code
 * shows. The same port serves the git proxy ({@link GitProxy}, paths under {@code /git/}).
 */
@ApplicationScoped
public class ModelProxy {

  private static final Set<String> PATHS = Set.of("/v1/messages", "/v1/messages/count_tokens");

  /** Request headers never forwarded: the caller's credentials, and hop-by-hop headers. */
  private static final Set<String> DROPPED_REQUEST =
      Set.of(
          "host",
          "x-api-key",
          "authorization",
          "cookie",
          "connection",
          "keep-alive",
          "proxy-authorization",
          "proxy-connection",
          "te",
          "trailer",
          "transfer-encoding",
          "upgrade",
          "forwarded",
          "x-forwarded-for",
          "x-forwarded-host",
          "x-forwarded-proto");

  private static final Set<String> DROPPED_RESPONSE =
      Set.of("connection", "keep-alive", "transfer-encoding", "upgrade", "set-cookie");

  private final Vertx vertx;
  private final ModelTokenRepository tokens;
  private final Outbox outbox;
  private final GatewayConfig config;
  private final GitProxy git;
  private final ObjectMapper json = new ObjectMapper();
  private final String upstream;
  private HttpServer server;
  private HttpClient client;

  public ModelProxy(
      Vertx vertx, ModelTokenRepository tokens, Outbox outbox, GatewayConfig config, GitProxy git) {
    this.vertx = vertx;
    this.git = git;
    this.tokens = tokens;
    this.outbox = outbox;
    this.config = config;
    this.upstream =
        config
            .claude()
            .baseUrl()
            .filter(url -> !url.isBlank())
            .orElse(config.modelProxy().upstream())
            .replaceAll("/+$", "");
  }

  void start(@Observes StartupEvent ignored) throws Exception {
    GatewayConfig.ModelProxy proxy = config.modelProxy();
    client =
        vertx.createHttpClient(
            new HttpClientOptions()
                .setConnectTimeout(10_000)
                .setIdleTimeout((int) proxy.idleTimeout().toSeconds())
                .setIdleTimeoutUnit(TimeUnit.SECONDS)
                .setMaxPoolSize(256)
                .setVerifyHost(true));
    server =
        vertx
            .createHttpServer(
                new HttpServerOptions()
                    .setHost(proxy.host())
                    .setPort(proxy.port())
                    .setMaxHeaderSize(64 * 1024))
            .requestHandler(this::handle)
            .listen()
            .toCompletionStage()
            .toCompletableFuture()
            .get(30, TimeUnit.SECONDS);
    Log.infof(
        "model proxy on %s:%d, forwarding to %s", proxy.host(), server.actualPort(), upstream);
  }

  void stop(@Observes ShutdownEvent ignored) {
    if (server != null) {
      server.close();
    }
    if (client != null) {
      client.close();
    }
  }

  /** The URL sandboxes reach the proxy at (their ANTHROPIC_BASE_URL). */
  public String sandboxUrl() {
    return config
        .modelProxy()
        .sandboxUrl()
        .filter(url -> !url.isBlank())
        .orElse("http://127.0.0.1:" + config.modelProxy().port());
  }

  private void handle(HttpServerRequest request) {
    request.pause();
    if (GitProxy.serves(request.path())) {
      git.handle(request);
      return;
    }
    if (request.method() != HttpMethod.POST || !PATHS.contains(request.path())) {
      refuse(request, 404, "not_found_error", "the model proxy serves POST /v1/messages only");
      return;
    }
    long declared = contentLength(request);
    long max = config.modelProxy().maxRequestBytes();
    if (declared > max) {
      refuse(request, 413, "request_too_large", "the request is larger than " + max + " bytes");
      return;
    }
    String token = token(request);
    Context context = Vertx.currentContext();
    SafeContext.run(() -> Panache.withSession(() -> tokens.verify(token)))
        .subscribe()
        .with(
            grant ->
                context.runOnContext(
                    v -> {
                      if (grant.isEmpty()) {
                        refuse(
                            request,
                            401,
                            "authentication_error",
                            "this token is not valid for the model proxy (its task run ended?)");
                      } else {
                        forward(request, grant.get());
                      }
                    }),
            failure ->
                context.runOnContext(
                    v -> {
                      Log.warnf("model proxy: cannot check a token: %s", failure.getMessage());
                      refuse(request, 503, "overloaded_error", "the platform is unavailable");
                    }));
  }

  private void forward(HttpServerRequest request, ModelTokenRepository.Grant grant) {
    RequestOptions options =
        new RequestOptions()
            .setMethod(HttpMethod.POST)
            .setAbsoluteURI(upstream + request.uri())
            .setIdleTimeout(config.modelProxy().idleTimeout().toMillis());
    client
        .request(options)
        .onFailure(
            failure -> {
              Log.warnf("model proxy: the model API cannot be reached: %s", failure.getMessage());
              refuse(request, 502, "api_error", "the model API cannot be reached");
            })
        .onSuccess(upstreamRequest -> send(request, upstreamRequest, grant));
  }

  private void send(
      HttpServerRequest request,
      HttpClientRequest upstreamRequest,
      ModelTokenRepository.Grant grant) {
    request
        .headers()
        .forEach(
            (name, value) -> {
              if (!DROPPED_REQUEST.contains(name.toLowerCase(Locale.ROOT))) {
                upstreamRequest.headers().add(name, value);
              }
            });
    config
        .claude()
        .apiKey()
        .filter(k -> !k.isBlank())
        .ifPresent(key -> upstreamRequest.putHeader("x-api-key", key));
    if (!upstreamRequest.headers().contains("content-length")) {
      upstreamRequest.setChunked(true);
    }
    upstreamRequest
        .response()
        .onSuccess(response -> relay(request, response, grant))
        .onFailure(
            failure -> {
              Log.debugf("model proxy: task %s: upstream failed: %s", grant.taskId(), failure);
              refuse(request, 502, "api_error", "the model API failed to answer");
            });
    // The client going away ends the upstream request too.
    request.response().closeHandler(v -> upstreamRequest.reset());
    AtomicLong sent = new AtomicLong();
    long max = config.modelProxy().maxRequestBytes();
    request.handler(
        chunk -> {
          if (sent.addAndGet(chunk.length()) > max) {
            upstreamRequest.reset();
            refuse(
                request, 413, "request_too_large", "the request is larger than " + max + " bytes");
            return;
          }
          upstreamRequest.write(chunk);
          if (upstreamRequest.writeQueueFull()) {
            request.pause();
            upstreamRequest.drainHandler(v -> request.resume());
          }
        });
    request.endHandler(v -> upstreamRequest.end());
    request.resume();
  }

  private void relay(
      HttpServerRequest request, HttpClientResponse response, ModelTokenRepository.Grant grant) {
    HttpServerResponse out = request.response();
    if (out.ended() || out.closed()) {
      response.request().reset();
      return;
    }
    out.setStatusCode(response.statusCode());
    MultiMap headers = response.headers();
    headers.forEach(
        (name, value) -> {
          if (!DROPPED_RESPONSE.contains(name.toLowerCase(Locale.ROOT))) {
            out.headers().add(name, value);
          }
        });
    if (!headers.contains("content-length")) {
      out.setChunked(true);
    }
    Optional<UsageMeter> meter =
        response.statusCode() / 100 == 2 && request.path().equals("/v1/messages")
            ? Optional.of(new UsageMeter(headers.get("content-type")))
            : Optional.empty();
    response.handler(
        chunk -> {
          meter.ifPresent(m -> m.accept(chunk.getBytes()));
          out.write(chunk);
          if (out.writeQueueFull()) {
            response.pause();
            out.drainHandler(v -> response.resume());
          }
        });
    response.exceptionHandler(failure -> out.reset());
    response.endHandler(
        v -> {
          out.end();
          meter.flatMap(m -> m.finish(grant.taskId())).ifPresent(usage -> record(grant, usage));
        });
  }

  /** The usage of an answer, announced for billing (metered once per event there). */
  private void record(ModelTokenRepository.Grant grant, ModelUsage usage) {
    SafeContext.run(
            () ->
                Panache.withTransaction(
                    () -> outbox.emit(usage, grant.sessionId().toString(), grant.ownerId())))
        .subscribe()
        .with(
            ok -> {},
            failure ->
                Log.warnf(
                    "task %s: model usage not recorded (%d output tokens): %s",
                    grant.taskId(), usage.outputTokens(), failure.getMessage()));
  }

  /** An error in the Messages API's shape, after which the connection is not reused. */
  private void refuse(HttpServerRequest request, int status, String type, String message) {
    HttpServerResponse out = request.response();
    if (out.headWritten()) {
      out.reset();
      return;
    }
    ObjectNode body = json.createObjectNode().put("type", "error");
    body.putObject("error").put("type", type).put("message", message);
    out.setStatusCode(status)
        .putHeader("content-type", "application/json")
        .putHeader("connection", "close")
        .end(body.toString());
  }

  private static long contentLength(HttpServerRequest request) {
    try {
      return Optional.ofNullable(request.getHeader("content-length"))
          .map(Long::parseLong)
          .orElse(0L);
    } catch (NumberFormatException e) {
      return Long.MAX_VALUE;
    }
  }

  private static String token(HttpServerRequest request) {
    String key = request.getHeader("x-api-key");
    if (key != null) {
      return key.strip();
    }
    String authorization = request.getHeader("authorization");
    if (authorization != null && authorization.regionMatches(true, 0, "Bearer ", 0, 7)) {
      return authorization.substring(7).strip();
    }
    return null;
  }
}
