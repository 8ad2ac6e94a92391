package dev.remoteclaude.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import org.eclipse.microprofile.config.ConfigProvider;

/** A real WebSocket client (the JDK's) following a session's stream, for tests. */
public final class StreamClient implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();
  // One client (its selector thread and executor) for every connection, as an application has.
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private final List<JsonNode> messages = new CopyOnWriteArrayList<>();
  private final List<JsonNode> heartbeats = new CopyOnWriteArrayList<>();
  private final CompletableFuture<Integer> closed = new CompletableFuture<>();
  private final List<Waiter> waiters = new CopyOnWriteArrayList<>();
  private final boolean reading;
  private WebSocket socket;

  private StreamClient(boolean reading) {
    this.reading = reading;
  }

  /** The stream URI of a session on a server ({@code http://host:port}). */
  public static URI uri(String baseUrl, UUID sessionId, long after) {
    return URI.create(
        baseUrl.replaceFirst("^http", "ws") + "/ws/sessions/" + sessionId + "?after=" + after);
  }

  /** The stream URI of a session on the application under test (@QuarkusTest). */
  public static URI uri(UUID sessionId, long after) {
    int port = ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
    return uri("http://127.0.0.1:" + port, sessionId, after);
  }

  /** Connects with a bearer header; reads every message as it comes. */
  public static StreamClient connect(URI uri, String token) {
    return open(uri, token, true, false);
  }

  /** Connects but reads nothing until {@link #readEverything()}: a client that cannot keep up. */
  public static StreamClient connectWithoutReading(URI uri, String token) {
    return open(uri, token, false, false);
  }

  /** Connects the way a browser can: the token as a subprotocol. */
  public static StreamClient connectLikeABrowser(URI uri, String token) {
    return open(uri, token, true, true);
  }

  /** The HTTP status the server refused the upgrade with. */
  public static int refusal(URI uri, String token) {
    try {
      open(uri, token, true, false).close();
      return 101;
    } catch (CompletionException e) {
      if (e.getCause() instanceof WebSocketHandshakeException refused) {
        return refused.getResponse().statusCode();
      }
      throw e;
    }
  }

  private static StreamClient open(URI uri, String token, boolean reading, boolean subprotocol) {
    StreamClient client = new StreamClient(reading);
    WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(Duration.ofSeconds(30));
    if (token != null) {
      if (subprotocol) {
        builder.subprotocols("rc.v1", "quarkus-http-upgrade#Authorization#Bearer%20" + token);
      } else {
        builder.header("Authorization", "Bearer " + token);
      }
    }
    client.socket = builder.buildAsync(uri, client.new Listener()).join();
    return client;
  }

  private final class Listener implements WebSocket.Listener {
    private final StringBuilder partial = new StringBuilder();

    @Override
    public void onOpen(WebSocket webSocket) {
      if (reading) {
        webSocket.request(1);
      }
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (last) {
        try {
          JsonNode message = JSON.readTree(partial.toString());
          if ("heartbeat".equals(message.path("type").asText())) {
            heartbeats.add(message);
          } else {
            messages.add(message);
            for (Waiter waiter : waiters) {
              if (waiter.match().test(message)) {
                waiter.found().complete(message);
              }
            }
          }
        } catch (Exception e) {
          throw new IllegalStateException(e);
        }
        partial.setLength(0);
      }
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      closed.complete(statusCode);
      return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      closed.complete(-1);
    }
  }

  public void readEverything() {
    socket.request(Long.MAX_VALUE);
  }

  private record Waiter(Predicate<JsonNode> match, CompletableFuture<JsonNode> found) {}

  /**
   * Completes with the first message, already received or still to come, that matches: lets a
   * client react to a message the moment it arrives, without polling.
   */
  public CompletableFuture<JsonNode> firstMatching(Predicate<JsonNode> match) {
    Waiter waiter = new Waiter(match, new CompletableFuture<>());
    waiters.add(waiter);
    messages.stream().filter(match).findFirst().ifPresent(waiter.found()::complete);
    waiter.found().whenComplete((m, f) -> waiters.remove(waiter));
    return waiter.found();
  }

  public List<JsonNode> messages() {
    return List.copyOf(messages);
  }

  public List<Long> seqs() {
    return messages.stream().map(m -> m.path("seq").asLong()).toList();
  }

  public long lastSeq() {
    List<Long> seqs = seqs();
    return seqs.isEmpty() ? 0 : seqs.get(seqs.size() - 1);
  }

  public List<JsonNode> heartbeats() {
    return List.copyOf(heartbeats);
  }

  public CompletableFuture<Integer> closeCode() {
    return closed;
  }

  public String subprotocol() {
    return socket.getSubprotocol();
  }

  @Override
  public void close() {
    if (!socket.isOutputClosed()) {
      socket.sendClose(WebSocket.NORMAL_CLOSURE, "bye").exceptionally(e -> null);
    }
    socket.abort();
  }
}
