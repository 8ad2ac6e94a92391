package dev.remoteclaude.gateway.provider.e2b;

import dev.remoteclaude.gateway.provider.ProviderException;
import io.smallrye.mutiny.Uni;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.multipart.MultipartForm;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/**
 * envd, E2B's daemon inside each sandbox, at {@code <envd-port>-<sandbox id>.<domain>} with the
 * sandbox's access token ({@code X-Access-Token}): files over {@code GET/POST /files}, processes
 * over its Connect RPC service {@code process.Process} in the JSON codec (server streams framed by
 * {@link ConnectFrames}). Requests act as {@code gateway.e2b.user} (HTTP Basic with that name and
 * no password, as envd expects).
 */
final class Envd {

  /** One sandbox's envd: its id (for the host name) and access token. */
  record Target(String sandboxId, String accessToken) {
    @Override
    public String toString() {
      return "Target[" + sandboxId + "]";
    }
  }

  private final HttpClient http;
  private final WebClient web;
  private final E2bConfig config;
  private final SocketAddress connectTo;
  private final String user;

  Envd(HttpClient http, WebClient web, E2bConfig config) {
    this.http = http;
    this.web = web;
    this.config = config;
    this.connectTo =
        config
            .envdConnectTo()
            .map(
                address -> {
                  int colon = address.lastIndexOf(':');
                  return SocketAddress.inetSocketAddress(
                      Integer.parseInt(address.substring(colon + 1)), address.substring(0, colon));
                })
            .orElse(null);
    this.user =
        "Basic "
            + Base64.getEncoder()
                .encodeToString((config.user() + ":").getBytes(StandardCharsets.UTF_8));
  }

  private RequestOptions options(Target target, HttpMethod method, String uri) {
    String host = config.envdPort() + "-" + target.sandboxId() + "." + config.domain();
    RequestOptions options =
        new RequestOptions()
            .setMethod(method)
            .setHost(host)
            .setPort(config.envdTls() ? 443 : 80)
            .setSsl(config.envdTls())
            .setURI(uri)
            .putHeader("X-Access-Token", target.accessToken())
            .putHeader("Authorization", user);
    if (connectTo != null) {
      options.setServer(connectTo);
    }
    return options;
  }

  private io.vertx.ext.web.client.HttpRequest<Buffer> webRequest(RequestOptions options) {
    return connectTo == null
        ? web.request(options.getMethod(), options)
        : web.request(options.getMethod(), connectTo, options);
  }

  private String filesUri(String path) {
    return "/files?path="
        + URLEncoder.encode(path, StandardCharsets.UTF_8)
        + "&username="
        + URLEncoder.encode(config.user(), StandardCharsets.UTF_8);
  }

  /** POST /files (multipart, field {@code file}): writes it, creating parent directories. */
  Uni<Void> upload(Target target, String path, byte[] content) {
    RequestOptions options = options(target, HttpMethod.POST, filesUri(path));
    Future<HttpResponse<Buffer>> sent =
        webRequest(options)
            .timeout(config.requestTimeout().toMillis())
            .sendMultipartForm(
                MultipartForm.create()
                    .binaryFileUpload(
                        "file",
                        fileName(path),
                        Buffer.buffer(content),
                        "application/octet-stream"));
    return Uni.createFrom()
        .completionStage(sent.toCompletionStage())
        .onFailure()
        .transform(f -> E2bFailures.unreachable("write a file in the sandbox", f))
        .flatMap(
            response ->
                response.statusCode() == 200
                    ? Uni.createFrom().voidItem()
                    : Uni.createFrom()
                        .failure(
                            fileFailure("write a file", response.statusCode(), response.body())));
  }

  /** GET /files: the file's bytes, refused as INVALID beyond {@code maxBytes} (not buffered). */
  Uni<byte[]> download(Target target, String path, int maxBytes) {
    RequestOptions options =
        options(target, HttpMethod.GET, filesUri(path))
            .setIdleTimeout(config.requestTimeout().toMillis());
    Promise<byte[]> result = Promise.promise();
    http.request(options)
        .compose(request -> request.send())
        .onFailure(f -> result.tryFail(E2bFailures.unreachable("read a file in the sandbox", f)))
        .onSuccess(response -> readBounded(response, maxBytes, result));
    return Uni.createFrom().completionStage(result.future().toCompletionStage());
  }

  private static void readBounded(
      HttpClientResponse response, int maxBytes, Promise<byte[]> result) {
    if (response.statusCode() != 200) {
      response
          .body()
          .onComplete(
              body ->
                  result.tryFail(
                      fileFailure(
                          "read a file",
                          response.statusCode(),
                          body.succeeded() ? body.result() : null)));
      return;
    }
    String length = response.getHeader("Content-Length");
    if (length != null && Long.parseLong(length) > maxBytes) {
      result.tryFail(tooLarge(maxBytes));
      response.request().reset();
      return;
    }
    Buffer read = Buffer.buffer();
    response.handler(
        chunk -> {
          if (read.length() + chunk.length() > maxBytes) {
            if (result.tryFail(tooLarge(maxBytes))) {
              response.request().reset();
            }
            return;
          }
          read.appendBuffer(chunk);
        });
    response.exceptionHandler(
        f -> result.tryFail(E2bFailures.unreachable("read a file in the sandbox", f)));
    response.endHandler(ignored -> result.tryComplete(read.getBytes()));
  }

  private static ProviderException tooLarge(int maxBytes) {
    return new ProviderException(
        ProviderException.Kind.INVALID, "file is larger than " + maxBytes + " bytes");
  }

  /** envd's file errors: 404 a missing file, 400 a directory or a bad path. */
  private static ProviderException fileFailure(String what, int status, Buffer body) {
    return switch (status) {
      case 404 -> new ProviderException(ProviderException.Kind.NOT_FOUND, "no such file");
      case 400 ->
          new ProviderException(
              ProviderException.Kind.INVALID,
              "cannot " + what + ": " + E2bFailures.messageOf(body));
      default -> E2bFailures.of(what + " in the sandbox", status, body, null);
    };
  }

  /** A unary Connect call ({@code process.Process/<method>}) in JSON. */
  Uni<Void> unary(Target target, String method, JsonObject message) {
    RequestOptions options =
        options(target, HttpMethod.POST, "/process.Process/" + method)
            .putHeader("Content-Type", "application/json")
            .putHeader("Connect-Protocol-Version", "1");
    Future<HttpResponse<Buffer>> sent =
        webRequest(options)
            .timeout(config.requestTimeout().toMillis())
            .sendBuffer(message.toBuffer());
    return Uni.createFrom()
        .completionStage(sent.toCompletionStage())
        .onFailure()
        .transform(f -> E2bFailures.unreachable("reach the sandbox's process", f))
        .flatMap(
            response ->
                response.statusCode() == 200
                    ? Uni.createFrom().voidItem()
                    : Uni.createFrom().failure(ConnectFrames.failure(response.body())));
  }

  /**
   * Starts a server-streaming Connect call ({@code process.Process/<method>}); the response's
   * frames are for the caller to read ({@link ConnectFrames#parser}). A non-200 answer is a Connect
   * error in JSON.
   */
  Future<HttpClientResponse> stream(Target target, String method, JsonObject message) {
    RequestOptions options =
        options(target, HttpMethod.POST, "/process.Process/" + method)
            .putHeader("Content-Type", "application/connect+json")
            .putHeader("Connect-Protocol-Version", "1")
            // envd sends keepalive events this often, so that proxies keep a quiet stream open.
            .putHeader("Keepalive-Ping-Interval", "50");
    return http.request(options)
        .compose(request -> request.send(ConnectFrames.frame(0, message)))
        .compose(
            response -> {
              if (response.statusCode() == 200) {
                return Future.succeededFuture(response);
              }
              return response
                  .body()
                  .transform(
                      body ->
                          Future.failedFuture(
                              ConnectFrames.failure(body.succeeded() ? body.result() : null)));
            });
  }

  private static String fileName(String path) {
    int slash = path.lastIndexOf('/');
    return slash < 0 ? path : path.substring(slash + 1);
  }
}
