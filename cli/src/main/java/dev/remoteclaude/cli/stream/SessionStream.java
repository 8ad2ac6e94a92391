package dev.remoteclaude.cli.stream;

import dev.remoteclaude.cli.CliException;
import dev.remoteclaude.cli.ExitCodes;
import dev.remoteclaude.cli.api.Api;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.net.http.WebSocketHandshakeException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Follows a session's stream ({@code WS /ws/sessions/{id}?after=N}) and survives dropped
 * connections: it remembers the last seq it handed out, reconnects with {@code ?after=<that seq>}
 * and drops anything it already delivered, so the caller sees every event exactly once, in order.
 *
 * <p>Pull style: {@link #next()} blocks until the next {@link Signal}. Messages are requested from
 * the socket one at a time, only when the caller asks for the next one, so a slow reader slows the
 * socket down; the gateway then closes with 4008 and the stream resumes at once. Other drops
 * (server restart, network) are retried with backoff until {@link Options#maxOutage} passes without
 * a connection. A socket that stays silent longer than {@link Options#silence} (the gateway sends
 * heartbeats) is treated as dropped.
 */
public final class SessionStream implements AutoCloseable {

  /** Close code of the gateway for a client that reads too slowly. */
  public static final int SLOW_CONSUMER = 4008;

  /** What {@link #next()} returns. */
  public sealed interface Signal {}

  /** An event of the log, never one delivered before. */
  public record Event(StreamEvent event) implements Signal {}

  /** The server's keep-alive. */
  public record Heartbeat(Instant at) implements Signal {}

  /**
   * The connection dropped; the stream is reconnecting from {@code afterSeq}. {@code expected} is
   * true for a retry that needs no mention (a session's stream that is not there yet).
   */
  public record Reconnecting(String reason, long afterSeq, Duration delay, boolean expected)
      implements Signal {}

  /** The caller detached ({@link #detach()}, Ctrl-C). */
  public record Detached() implements Signal {}

  /** Tuning; the defaults suit a terminal. */
  public record Options(
      Duration initialBackoff,
      Duration maxBackoff,
      Duration maxOutage,
      Duration silence,
      Duration notFoundGrace,
      Duration connectTimeout) {

    public static Options defaults() {
      return new Options(
          Duration.ofMillis(250),
          Duration.ofSeconds(5),
          Duration.ofMinutes(2),
          Duration.ofSeconds(30),
          Duration.ZERO,
          Duration.ofSeconds(10));
    }

    /** Keep retrying a 404 this long (a session created a moment ago). */
    public Options withNotFoundGrace(Duration grace) {
      return new Options(initialBackoff, maxBackoff, maxOutage, silence, grace, connectTimeout);
    }

    public Options withMaxOutage(Duration outage) {
      return new Options(
          initialBackoff, maxBackoff, outage, silence, notFoundGrace, connectTimeout);
    }

    public Options withSilence(Duration quiet) {
      return new Options(
          initialBackoff, maxBackoff, maxOutage, quiet, notFoundGrace, connectTimeout);
    }
  }

  // What the socket's listener reports, tagged with the connection it came from.
  private sealed interface Incoming {}

  private record Opened(int connection, WebSocket socket) implements Incoming {}

  private record Text(int connection, String text) implements Incoming {}

  private record Closed(int connection, int code, String reason) implements Incoming {}

  private record Failed(int connection, Throwable error) implements Incoming {}

  private record Detach() implements Incoming {}

  private final HttpClient http;
  private final URI endpoint;
  private final String token;
  private final UUID sessionId;
  private final Options options;
  private final Clock clock;
  private final LinkedBlockingQueue<Incoming> incoming = new LinkedBlockingQueue<>();

  private long lastSeq;
  private int connection;
  private WebSocket socket;
  private boolean connecting;
  private boolean demandOwed;
  private Instant lastHeard;
  private Instant reconnectAt;
  private Instant outageSince;
  private Instant firstTry;
  private Duration backoff;
  private int connections;
  private boolean closed;

  public SessionStream(Api api, UUID sessionId, long after, Options options, Clock clock) {
    this(
        api.http(),
        api.webSocketUri("/ws/sessions/" + sessionId),
        api.token(),
        sessionId,
        after,
        options,
        clock);
  }

  SessionStream(
      HttpClient http,
      URI endpoint,
      String token,
      UUID sessionId,
      long after,
      Options options,
      Clock clock) {
    this.http = http;
    this.endpoint = endpoint;
    this.token = token;
    this.sessionId = sessionId;
    this.lastSeq = after;
    this.options = options;
    this.clock = clock;
    this.backoff = options.initialBackoff();
  }

  /** The seq of the last event delivered (the cursor to resume from). */
  public long lastSeq() {
    return lastSeq;
  }

  public UUID sessionId() {
    return sessionId;
  }

  /** How many connections were opened so far (1 when nothing dropped). */
  public int connections() {
    return connections;
  }

  /** Makes a waiting or the next {@link #next()} return {@link Detached}; safe from any thread. */
  public void detach() {
    incoming.add(new Detach());
  }

  /**
   * The next signal. Blocks; fails with a {@link CliException} when the server refuses the stream
   * (401/403: not logged in, 404: no such session) or stays unreachable beyond the max outage.
   */
  public Signal next() throws InterruptedException {
    if (closed) {
      throw new IllegalStateException("the stream is closed");
    }
    if (demandOwed && socket != null) {
      demandOwed = false;
      socket.request(1);
    }
    while (true) {
      Instant now = clock.instant();
      if (socket == null && !connecting) {
        if (reconnectAt == null || !now.isBefore(reconnectAt)) {
          connect();
        }
      }
      Incoming item = poll(waitMillis(now));
      if (item == null) {
        Signal silent = checkSilence();
        if (silent != null) {
          return silent;
        }
        continue;
      }
      Signal signal = handle(item);
      if (signal != null) {
        return signal;
      }
    }
  }

  /**
   * Waits for what the socket reports. Through {@link ForkJoinPool#managedBlock} so that a caller
   * on a fork-join pool thread (the CLI run in-process from {@code supplyAsync}) lets the pool add
   * a thread: the JDK's HttpClient finishes some steps there, and a one-thread common pool would
   * otherwise wait on us while we wait on it.
   */
  private Incoming poll(long millis) throws InterruptedException {
    Incoming[] item = new Incoming[1];
    ForkJoinPool.managedBlock(
        new ForkJoinPool.ManagedBlocker() {
          private boolean done;

          @Override
          public boolean block() throws InterruptedException {
            item[0] = incoming.poll(millis, TimeUnit.MILLISECONDS);
            done = true;
            return true;
          }

          @Override
          public boolean isReleasable() {
            if (!done) {
              item[0] = incoming.poll();
              done = item[0] != null;
            }
            return done;
          }
        });
    return item[0];
  }

  private long waitMillis(Instant now) {
    long wait = 1000;
    if (socket == null && !connecting && reconnectAt != null) {
      wait = Math.max(1, Duration.between(now, reconnectAt).toMillis());
    } else if (socket != null && lastHeard != null) {
      long quietFor = Duration.between(lastHeard, now).toMillis();
      wait = Math.max(1, Math.min(wait, options.silence().toMillis() - quietFor));
    }
    return wait;
  }

  private Signal handle(Incoming item) {
    switch (item) {
      case Detach d -> {
        return new Detached();
      }
      case Opened opened -> {
        if (opened.connection() != connection) {
          opened.socket().abort();
          return null;
        }
        socket = opened.socket();
        connecting = false;
        connections++;
        lastHeard = clock.instant();
        outageSince = null;
        firstTry = null;
        backoff = options.initialBackoff();
        return null;
      }
      case Text text -> {
        if (text.connection() != connection) {
          return null;
        }
        lastHeard = clock.instant();
        StreamEvent event = StreamEvent.parse(text.text());
        demandOwed = true;
        if (event == null) {
          return skip();
        }
        if (event.isHeartbeat()) {
          return new Heartbeat(event.at());
        }
        if (event.seq() <= lastSeq) {
          return skip(); // replayed again after a reconnect: already delivered
        }
        lastSeq = event.seq();
        return new Event(event);
      }
      case Closed close -> {
        if (close.connection() != connection) {
          return null;
        }
        socket = null;
        connecting = false;
        demandOwed = false;
        connection++; // anything else this connection reports is stale
        String why =
            close.code() == SLOW_CONSUMER
                ? "the server dropped the connection because we read too slowly (4008)"
                : "the connection closed ("
                    + close.code()
                    + (close.reason() == null || close.reason().isBlank()
                        ? ""
                        : " " + close.reason())
                    + ")";
        return dropped(why, close.code() == SLOW_CONSUMER, false);
      }
      case Failed failed -> {
        if (failed.connection() != connection) {
          return null;
        }
        socket = null;
        connecting = false;
        demandOwed = false;
        connection++; // anything else this connection reports is stale
        return failure(failed.error());
      }
    }
  }

  /** Asks for the next message after one the caller will not see. */
  private Signal skip() {
    demandOwed = false;
    if (socket != null) {
      socket.request(1);
    }
    return null;
  }

  private Signal failure(Throwable error) {
    Throwable cause = error;
    while (cause instanceof CompletionException && cause.getCause() != null) {
      cause = cause.getCause();
    }
    if (cause instanceof WebSocketHandshakeException handshake) {
      int status = handshake.getResponse().statusCode();
      if (status == 401 || status == 403) {
        throw new CliException(
            ExitCodes.AUTH,
            "the stream refused the token (" + status + "); log in again with `rclaude login`");
      }
      if (status == 404) {
        Instant now = clock.instant();
        if (firstTry == null) {
          firstTry = now;
        }
        if (Duration.between(firstTry, now).compareTo(options.notFoundGrace()) >= 0) {
          throw new CliException(ExitCodes.NOT_FOUND, "no such session: " + sessionId);
        }
        return dropped("the session's stream is not there yet (404)", false, true);
      }
      if (status == 400) {
        throw new CliException(ExitCodes.INVALID, "the stream refused the cursor " + lastSeq);
      }
      return dropped("the stream answered HTTP " + status, false, false);
    }
    String message =
        cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    return dropped("cannot connect: " + message, false, false);
  }

  /** Plans the reconnect: at once after a slow-consumer close, else after the backoff. */
  private Signal dropped(String why, boolean immediately, boolean expected) {
    Instant now = clock.instant();
    if (outageSince == null) {
      outageSince = now;
    } else if (Duration.between(outageSince, now).compareTo(options.maxOutage()) > 0) {
      throw new CliException(
          ExitCodes.UNAVAILABLE,
          "lost the stream of session "
              + sessionId
              + " and could not reconnect for "
              + options.maxOutage().toSeconds()
              + " s: "
              + why);
    }
    Duration delay = immediately ? Duration.ZERO : backoff;
    if (!immediately) {
      backoff = backoff.multipliedBy(2);
      if (backoff.compareTo(options.maxBackoff()) > 0) {
        backoff = options.maxBackoff();
      }
    }
    reconnectAt = now.plus(delay);
    return new Reconnecting(why, lastSeq, delay, expected);
  }

  /** Drops a connection that said nothing (not even a heartbeat) for too long. */
  private Signal checkSilence() {
    if (socket == null || lastHeard == null) {
      return null;
    }
    Duration quiet = Duration.between(lastHeard, clock.instant());
    if (quiet.compareTo(options.silence()) < 0) {
      return null;
    }
    WebSocket silent = socket;
    connection++; // whatever the old socket still says is stale
    silent.abort();
    socket = null;
    demandOwed = false;
    return dropped("nothing heard for " + quiet.toMillis() + " ms", false, false);
  }

  private void connect() {
    connection++;
    connecting = true;
    reconnectAt = null;
    int id = connection;
    URI uri = URI.create(endpoint + "?after=" + lastSeq);
    http.newWebSocketBuilder()
        .header("Authorization", "Bearer " + token)
        .connectTimeout(options.connectTimeout())
        .buildAsync(uri, new Listener(id))
        .whenComplete(
            (ws, error) -> {
              if (error != null) {
                incoming.add(new Failed(id, error));
              }
            });
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    connection++;
    WebSocket open = socket;
    socket = null;
    if (open != null) {
      try {
        open.sendClose(WebSocket.NORMAL_CLOSURE, "bye")
            .toCompletableFuture()
            .orTimeout(1, TimeUnit.SECONDS)
            .exceptionally(e -> null)
            .join();
      } catch (RuntimeException e) {
        // closing anyway
      }
      open.abort();
    }
  }

  /** Collects text frames into messages and reports them to the queue. */
  private final class Listener implements WebSocket.Listener {
    private final int id;
    private final StringBuilder partial = new StringBuilder();

    Listener(int id) {
      this.id = id;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
      incoming.add(new Opened(id, webSocket));
      webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
      partial.append(data);
      if (!last) {
        webSocket.request(1);
        return null;
      }
      String message = partial.toString();
      partial.setLength(0);
      incoming.add(new Text(id, message));
      return null;
    }

    @Override
    public CompletionStage<?> onBinary(
        WebSocket webSocket, java.nio.ByteBuffer data, boolean last) {
      webSocket.request(1);
      return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
      incoming.add(new Closed(id, statusCode, reason));
      return CompletableFuture.completedFuture(null);
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
      incoming.add(new Failed(id, error));
    }
  }
}
