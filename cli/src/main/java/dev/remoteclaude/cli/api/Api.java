package dev.remoteclaude.cli.api;

import com.fasterxml.jackson.databind.JsonNode;
import dev.remoteclaude.cli.CliException;
import dev.remoteclaude.cli.ExitCodes;
import dev.remoteclaude.cli.Json;
import dev.remoteclaude.cli.config.Connection;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.ConnectException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpConnectTimeoutException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.nio.channels.UnresolvedAddressException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.Executor;
import java.util.concurrent.Executors;

/**
 * The platform's HTTP API through the JDK's {@link HttpClient}: JSON in and out, bearer token on
 * every request, and every failure turned into a {@link CliException} with its one line and exit
 * code (problem+json answers into {@link ApiException}).
 */
public final class Api {

  /** How long an ordinary request may take. */
  public static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);

  private static final String JSON = "application/json";

  private final HttpClient http;
  private final Connection connection;

  public Api(HttpClient http, Connection connection) {
    this.http = http;
    this.connection = connection;
  }

  /**
   * The client the CLI uses: HTTP/1.1 (the edge proxies it), short connect timeout, and its own
   * daemon threads: left to the common pool, the JDK client's internal steps (a refused WebSocket
   * handshake, for one) can starve when the caller itself runs on that pool (a one-thread pool on a
   * two-CPU machine), and the CLI may be run in-process from such a thread.
   */
  public static HttpClient newHttpClient() {
    return newHttpClient(
        Executors.newCachedThreadPool(
            Thread.ofPlatform().name("rclaude-http-", 0).daemon(true).factory()));
  }

  /** The same, on the given threads. */
  public static HttpClient newHttpClient(Executor executor) {
    return HttpClient.newBuilder()
        .executor(executor)
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10))
        .followRedirects(HttpClient.Redirect.NORMAL)
        .build();
  }

  public HttpClient http() {
    return http;
  }

  public Connection connection() {
    return connection;
  }

  public String token() {
    return connection.token();
  }

  /** The absolute URI of an API path such as {@code /api/v1/sessions}. */
  public URI uri(String path) {
    return URI.create(connection.baseUrl().toString() + path);
  }

  /** The WebSocket URI of a path: {@code ws(s)://} on the same host. */
  public URI webSocketUri(String path) {
    String base = connection.baseUrl().toString();
    String ws = base.startsWith("https:") ? "wss:" + base.substring(6) : "ws:" + base.substring(5);
    return URI.create(ws + path);
  }

  public static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  public JsonNode get(String path) {
    return json(request(path).GET(), REQUEST_TIMEOUT);
  }

  public JsonNode post(String path, Object body) {
    return post(path, body, REQUEST_TIMEOUT);
  }

  public JsonNode post(String path, Object body, Duration timeout) {
    HttpRequest.Builder request =
        request(path)
            .header("Content-Type", JSON)
            .POST(
                body == null
                    ? HttpRequest.BodyPublishers.noBody()
                    : HttpRequest.BodyPublishers.ofString(Json.compact(body)));
    return json(request, timeout);
  }

  public JsonNode put(String path, Object body) {
    return json(
        request(path)
            .header("Content-Type", JSON)
            .PUT(HttpRequest.BodyPublishers.ofString(Json.compact(body))),
        REQUEST_TIMEOUT);
  }

  public JsonNode delete(String path) {
    return json(request(path).DELETE(), REQUEST_TIMEOUT);
  }

  /** A binary download (files). */
  public byte[] getBytes(String path) {
    HttpRequest request =
        request(path)
            .header("Accept", "application/octet-stream")
            .GET()
            .timeout(REQUEST_TIMEOUT)
            .build();
    HttpResponse<byte[]> response = send(request, HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() >= 400) {
      throw failure(response, new String(response.body(), StandardCharsets.UTF_8));
    }
    return response.body();
  }

  /**
   * A text download in the given media type (the usage CSV export); problem+json answers fail as
   * everywhere else.
   */
  public String getText(String path, String mediaType) {
    HttpRequest request =
        request(path)
            .header("Accept", mediaType + ", application/problem+json")
            .GET()
            .timeout(REQUEST_TIMEOUT)
            .build();
    HttpResponse<String> response = send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() >= 400) {
      throw failure(response, response.body());
    }
    return response.body();
  }

  /** A binary upload (files). */
  public void putBytes(String path, byte[] content) {
    HttpRequest request =
        request(path)
            .header("Content-Type", "application/octet-stream")
            .PUT(HttpRequest.BodyPublishers.ofByteArray(content))
            .timeout(REQUEST_TIMEOUT)
            .build();
    HttpResponse<String> response = send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() >= 400) {
      throw failure(response, response.body());
    }
  }

  private HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(uri(path))
        .header("Authorization", "Bearer " + connection.token())
        .header("Accept", JSON + ", application/problem+json")
        .header("User-Agent", "rclaude");
  }

  private JsonNode json(HttpRequest.Builder builder, Duration timeout) {
    HttpResponse<String> response =
        send(builder.timeout(timeout).build(), HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() >= 400) {
      throw failure(response, response.body());
    }
    JsonNode body = Json.parseOrNull(response.body());
    if (body == null && response.body() != null && !response.body().isBlank()) {
      throw new CliException(
          ExitCodes.UNAVAILABLE,
          "the platform answered "
              + response.statusCode()
              + " with something that is not JSON (is "
              + connection.baseUrl()
              + " the platform's base URL?)");
    }
    return body;
  }

  private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler) {
    try {
      return http.send(request, handler);
    } catch (HttpConnectTimeoutException e) {
      throw unreachable("connection timed out");
    } catch (HttpTimeoutException e) {
      throw new CliException(
          ExitCodes.UNAVAILABLE,
          "the platform did not answer within "
              + request.timeout().orElse(REQUEST_TIMEOUT).toSeconds()
              + " s");
    } catch (ConnectException e) {
      throw unreachable("connection refused");
    } catch (InterruptedIOException e) {
      Thread.currentThread().interrupt();
      throw new CliException(ExitCodes.DETACHED, "interrupted");
    } catch (IOException e) {
      throw unreachable(e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage());
    } catch (UnresolvedAddressException e) {
      throw unreachable("unknown host");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliException(ExitCodes.DETACHED, "interrupted");
    }
  }

  private CliException unreachable(String why) {
    return new CliException(
        ExitCodes.UNAVAILABLE,
        "cannot reach " + connection.baseUrl() + " (" + why + "); is the platform running?");
  }

  private ApiException failure(HttpResponse<?> response, String body) {
    int status = response.statusCode();
    String contentType = response.headers().firstValue("Content-Type").orElse(null);
    String line =
        Problems.oneLine(
            status, contentType, body, response.headers().firstValue("Retry-After").orElse(null));
    if (status == 401) {
      line += "; log in again with `rclaude login`";
    }
    return new ApiException(status, line, Problems.type(contentType, body));
  }
}
