package dev.remoteclaude.gateway.bench;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The stream benchmark's WebSocket clients: {@code perSession} Vert.x clients on each session. For
 * every {@code bench.line} event numbered at least {@code warmup}, it records the time from the
 * event's {@code t} (System.nanoTime when it was appended) to its arrival, without locks, so that
 * recording does not hold the clients up.
 */
final class StreamLoadClient implements AutoCloseable {

  /** A session to follow: its id, its owner's token, and the seq to follow it after. */
  record Target(String sessionId, String token, long after) {}

  private final Vertx vertx = Vertx.vertx();
  private final long[] latencies;
  private final AtomicLong measured = new AtomicLong();
  private final AtomicLong received = new AtomicLong();
  private final CountDownLatch done = new CountDownLatch(1);
  private final int warmup;
  private final long expected;

  private StreamLoadClient(int warmup, long expected, int measuredCapacity) {
    this.warmup = warmup;
    this.expected = expected;
    this.latencies = new long[measuredCapacity];
  }

  /** Connects every client and returns once all are open. */
  static StreamLoadClient connect(
      int port,
      List<Target> targets,
      int perSession,
      int warmup,
      long expected,
      int measuredCapacity)
      throws Exception {
    StreamLoadClient load = new StreamLoadClient(warmup, expected, measuredCapacity);
    WebSocketClient client =
        load.vertx.createWebSocketClient(new WebSocketClientOptions().setMaxConnections(5000));
    List<Future<WebSocket>> connecting = new ArrayList<>();
    for (Target target : targets) {
      for (int c = 0; c < perSession; c++) {
        connecting.add(
            client
                .connect(
                    new WebSocketConnectOptions()
                        .setHost("127.0.0.1")
                        .setPort(port)
                        .setURI("/ws/sessions/" + target.sessionId() + "?after=" + target.after())
                        .addHeader("Authorization", "Bearer " + target.token()))
                .onSuccess(ws -> ws.textMessageHandler(load::onMessage)));
        if (connecting.size() % 100 == 0) {
          Future.all(connecting).toCompletionStage().toCompletableFuture().get(2, TimeUnit.MINUTES);
        }
      }
    }
    Future.all(connecting).toCompletionStage().toCompletableFuture().get(2, TimeUnit.MINUTES);
    return load;
  }

  private void onMessage(String message) {
    long now = System.nanoTime();
    if (!message.contains("\"bench.line\"")) {
      return;
    }
    if (number(message, "\"n\":") >= warmup) {
      long i = measured.getAndIncrement();
      if (i < latencies.length) {
        latencies[(int) i] = now - number(message, "\"t\":");
      }
    }
    if (received.incrementAndGet() == expected) {
      done.countDown();
    }
  }

  /** Waits until every expected event has arrived at every client; false after {@code timeout}. */
  boolean awaitAll(long timeout, TimeUnit unit) throws InterruptedException {
    return done.await(timeout, unit);
  }

  long expected() {
    return expected;
  }

  long received() {
    return received.get();
  }

  /** The recorded latencies in nanoseconds. */
  List<Long> latencies() {
    return Arrays.stream(latencies, 0, (int) Math.min(measured.get(), latencies.length))
        .boxed()
        .toList();
  }

  @Override
  public void close() throws Exception {
    vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** The number after {@code key} in a message. */
  private static long number(String message, String key) {
    int at = message.indexOf(key) + key.length();
    int end = at;
    while (end < message.length() && Character.isDigit(message.charAt(end))) {
      end++;
    }
    return Long.parseLong(message.substring(at, end));
  }
}
