package dev.remoteclaude.launcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocket;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * The local edge with 1,000 open streams (see docs/benchmarks.md, "Local edge: 1,000 open
 * streams"): REST latency through the edge against the same calls straight to the backend, p50 and
 * p99, first with no stream open, then with 1,000 WebSocket streams open through the edge, each
 * carrying a message a second. Calls alternate between the edge and the direct path so that drift
 * of the machine hits both alike. The backend is a small Vert.x server in this JVM (a REST answer
 * of about 200 bytes, WebSocket streams), so the figures are the edge's own cost; the client is
 * Vert.x's HTTP and WebSocket client. Run with -Pbench only.
 */
@Tag("benchmark")
class EdgeBenchmark {

  private static final int STREAMS = 1_000;
  private static final int WARM_UP = 2_000;
  private static final int SEQUENTIAL = 3_000;
  private static final int CONCURRENT_ROUNDS = 300;
  private static final int IN_FLIGHT = 16;
  private static final String PATH = "/api/v1/sessions/s/commands";
  private static final Buffer ANSWER =
      Buffer.buffer(
          "{\"id\":\"0b7e3f5e-5a4c-4f7e-9a57-3c1f1a3a0c11\",\"state\":\"COMPLETED\","
              + "\"exitCode\":0,\"stdout\":\"hello\\n\",\"stderr\":\"\",\"durationMillis\":3,"
              + "\"startedAt\":\"2026-12-06T12:00:00Z\",\"command\":\"echo hello\"}");

  @Test
  void restLatencyThroughTheEdgeWithAThousandOpenStreams() throws Exception {
    Vertx backendVertx = Vertx.vertx();
    Vertx clientVertx = Vertx.vertx();
    EdgeRouter edge = null;
    try {
      AtomicLong pushed = new AtomicLong();
      HttpServer backend =
          backendVertx
              .createHttpServer()
              .requestHandler(
                  request -> {
                    if (request.path().startsWith("/ws/")) {
                      request
                          .toWebSocket()
                          .onSuccess(
                              ws -> {
                                // A message a second on every stream, started at random phases.
                                long start = 1 + (long) (Math.random() * 1_000);
                                backendVertx.setTimer(
                                    start,
                                    t -> {
                                      long timer =
                                          backendVertx.setPeriodic(
                                              1_000,
                                              p -> {
                                                ws.writeTextMessage(
                                                    "{\"seq\":" + pushed.incrementAndGet() + "}");
                                              });
                                      ws.closeHandler(v -> backendVertx.cancelTimer(timer));
                                    });
                                ws.writeTextMessage("hello");
                              });
                    } else {
                      request.response().putHeader("content-type", "application/json").end(ANSWER);
                    }
                  })
              .listen(0, "127.0.0.1")
              .toCompletionStage()
              .toCompletableFuture()
              .join();
      edge =
          EdgeRouter.start(
              0, Map.of("sandbox-gateway", backend.actualPort()), () -> "{\"status\":\"UP\"}");

      HttpClient client =
          clientVertx.createHttpClient(
              new HttpClientOptions().setKeepAlive(true),
              new PoolOptions().setHttp1MaxSize(IN_FLIGHT));
      Map<String, Integer> targets = new LinkedHashMap<>();
      targets.put("direct", backend.actualPort());
      targets.put("edge", edge.port());

      Map<String, List<Long>> idle = sequential(client, targets, WARM_UP, SEQUENTIAL);
      Map<String, List<Long>> idleConcurrent = concurrent(client, targets, CONCURRENT_ROUNDS);

      WebSocketClient streams =
          clientVertx.createWebSocketClient(
              new WebSocketClientOptions().setMaxConnections(STREAMS * 2));
      AtomicLong received = new AtomicLong();
      List<WebSocket> open = new CopyOnWriteArrayList<>();
      List<Throwable> failed = new CopyOnWriteArrayList<>();
      long openStart = System.nanoTime();
      for (int i = 0; i < STREAMS; i++) {
        streams
            .connect(edge.port(), "localhost", "/ws/sessions/bench-" + i)
            .compose(
                ws -> {
                  Promise<WebSocket> greeted = Promise.promise();
                  ws.textMessageHandler(
                      text -> {
                        received.incrementAndGet();
                        greeted.tryComplete(ws);
                      });
                  return greeted.future();
                })
            .onSuccess(open::add)
            .onFailure(failed::add);
      }
      await()
          .atMost(Duration.ofMinutes(3))
          .until(() -> open.size() + failed.size() == STREAMS || !failed.isEmpty());
      assertThat(failed).isEmpty();
      double openSeconds = (System.nanoTime() - openStart) / 1e9;
      // Let every stream's periodic message start before measuring.
      long before = received.get();
      await().atMost(Duration.ofSeconds(30)).until(() -> received.get() >= before + 2L * STREAMS);

      long receivedAtStart = received.get();
      long measureStart = System.nanoTime();
      Map<String, List<Long>> loaded = sequential(client, targets, WARM_UP / 4, SEQUENTIAL);
      Map<String, List<Long>> loadedConcurrent = concurrent(client, targets, CONCURRENT_ROUNDS);
      double measureSeconds = (System.nanoTime() - measureStart) / 1e9;
      double messagesPerSecond = (received.get() - receivedAtStart) / measureSeconds;
      assertThat(edge.openStreams()).isEqualTo(STREAMS);

      String report =
          report(
              idle,
              idleConcurrent,
              loaded,
              loadedConcurrent,
              openSeconds,
              messagesPerSecond,
              edge.openStreams());
      System.out.println(report);
      Path out = Path.of("target", "benchmarks", "edge.md");
      Files.createDirectories(out.getParent());
      Files.writeString(out, report);

      open.forEach(WebSocket::close);
      EdgeRouter closing = edge;
      await().atMost(Duration.ofMinutes(1)).until(() -> closing.openStreams() == 0);
    } finally {
      if (edge != null) {
        edge.close();
      }
      clientVertx.close().toCompletionStage().toCompletableFuture().join();
      backendVertx.close().toCompletionStage().toCompletableFuture().join();
    }
  }

  private static Future<Long> call(HttpClient client, int port) {
    long start = System.nanoTime();
    return client
        .request(
            new RequestOptions()
                .setMethod(HttpMethod.GET)
                .setHost("localhost")
                .setPort(port)
                .setURI(PATH))
        .compose(request -> request.send().compose(response -> response.body()))
        .map(body -> System.nanoTime() - start);
  }

  private static long join(Future<Long> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  /** One call at a time, alternating between the targets; warm-up calls are not counted. */
  private static Map<String, List<Long>> sequential(
      HttpClient client, Map<String, Integer> targets, int warmUp, int measured) throws Exception {
    Map<String, List<Long>> samples = new LinkedHashMap<>();
    targets.keySet().forEach(name -> samples.put(name, new ArrayList<>()));
    for (int i = -warmUp; i < measured; i++) {
      for (Map.Entry<String, Integer> target : targets.entrySet()) {
        long nanos = join(call(client, target.getValue()));
        if (i >= 0) {
          samples.get(target.getKey()).add(nanos);
        }
      }
    }
    return samples;
  }

  /** Rounds of {@link #IN_FLIGHT} calls at once, each round against one target, alternating. */
  private static Map<String, List<Long>> concurrent(
      HttpClient client, Map<String, Integer> targets, int rounds) throws Exception {
    Map<String, List<Long>> samples = new LinkedHashMap<>();
    targets.keySet().forEach(name -> samples.put(name, new ArrayList<>()));
    for (int round = 0; round < rounds; round++) {
      for (Map.Entry<String, Integer> target : targets.entrySet()) {
        List<Future<Long>> calls = new ArrayList<>();
        for (int i = 0; i < IN_FLIGHT; i++) {
          calls.add(call(client, target.getValue()));
        }
        for (Future<Long> call : calls) {
          samples.get(target.getKey()).add(join(call));
        }
      }
    }
    return samples;
  }

  private static double percentile(List<Long> nanos, double q) {
    long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
  }

  private static String row(String what, Map<String, List<Long>> samples) {
    List<Long> direct = samples.get("direct");
    List<Long> edge = samples.get("edge");
    double d50 = percentile(direct, 0.50);
    double d99 = percentile(direct, 0.99);
    double e50 = percentile(edge, 0.50);
    double e99 = percentile(edge, 0.99);
    return String.format(
        Locale.ROOT,
        "| %s | %d | %.3f / %.3f | %.3f / %.3f | %.2f / %.2f |%n",
        what,
        edge.size(),
        d50,
        d99,
        e50,
        e99,
        e50 / d50,
        e99 / d99);
  }

  private static String report(
      Map<String, List<Long>> idle,
      Map<String, List<Long>> idleConcurrent,
      Map<String, List<Long>> loaded,
      Map<String, List<Long>> loadedConcurrent,
      double openSeconds,
      double messagesPerSecond,
      int openStreams) {
    return "| REST GET | n per path | direct p50 / p99 ms | through the edge p50 / p99 ms |"
        + " ratio edge/direct p50 / p99 |\n|---|---|---|---|---|\n"
        + row("no stream open, 1 call at a time", idle)
        + row("no stream open, " + IN_FLIGHT + " calls at once", idleConcurrent)
        + row(openStreams + " streams open, 1 call at a time", loaded)
        + row(openStreams + " streams open, " + IN_FLIGHT + " calls at once", loadedConcurrent)
        + String.format(
            Locale.ROOT,
            "%n%d streams opened through the edge in %.1f s; while measuring they carried %.0f"
                + " messages/s.%n",
            openStreams,
            openSeconds,
            messagesPerSecond);
  }
}
