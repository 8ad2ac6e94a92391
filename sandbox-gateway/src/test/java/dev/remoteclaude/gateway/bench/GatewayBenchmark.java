package dev.remoteclaude.gateway.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.remoteclaude.gateway.Sandbox;
import dev.remoteclaude.gateway.log.LogWriter;
import dev.remoteclaude.gateway.provider.ExecRequest;
import dev.remoteclaude.gateway.provider.ExecResult;
import dev.remoteclaude.gateway.provider.ProviderCalls;
import dev.remoteclaude.gateway.repository.SandboxRepository;
import dev.remoteclaude.gateway.support.Sessions;
import dev.remoteclaude.testing.OnVertx;
import dev.remoteclaude.testing.Tokens;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.junit.QuarkusTest;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketConnectOptions;
import jakarta.inject.Inject;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Gateway benchmarks, run with {@code -Pbench} (see docs/benchmarks.md). Each measures the gateway
 * against a baseline taken in the same run, in the same JVM, and writes its table to
 * target/benchmarks/.
 */
@QuarkusTest
@Tag("benchmark")
class GatewayBenchmark {

  @Inject ProviderCalls providers;
  @Inject SandboxRepository sandboxes;
  @Inject LogWriter logWriter;

  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static int port() {
    return ConfigProvider.getConfig().getValue("quarkus.http.test-port", Integer.class);
  }

  @Test
  void commandRoundTripThroughTheGatewayVersusSpawningDirectly() throws Exception {
    Sessions.Ready session = Sessions.provision();
    Sandbox sandbox =
        OnVertx.await(() -> Panache.withSession(() -> sandboxes.findById(session.sessionId())));
    String token = Tokens.forUser(session.userId());
    HttpRequest viaGateway =
        HttpRequest.newBuilder(
                URI.create(
                    "http://127.0.0.1:"
                        + port()
                        + "/api/v1/sessions/"
                        + session.sessionId()
                        + "/commands"))
            .header("Authorization", "Bearer " + token)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString("{\"argv\": [\"true\"]}"))
            .build();
    ExecRequest direct = ExecRequest.of(List.of("true"), Duration.ofSeconds(30));

    List<Long> gateway = new ArrayList<>();
    List<Long> spawn = new ArrayList<>();
    int warmup = 200;
    int measured = 1000;
    for (int i = 0; i < warmup + measured; i++) {
      // Alternate, so both see the same machine conditions.
      long t0 = System.nanoTime();
      HttpResponse<String> response = HTTP.send(viaGateway, HttpResponse.BodyHandlers.ofString());
      long t1 = System.nanoTime();
      ExecResult result =
          providers
              .exec(sandbox.provider, sandbox.providerId, direct)
              .chain(providers::collect)
              .await()
              .atMost(Duration.ofSeconds(30));
      long t2 = System.nanoTime();
      assertThat(response.statusCode()).isEqualTo(200);
      assertThat(result.exitCode()).isZero();
      if (i >= warmup) {
        gateway.add(t1 - t0);
        spawn.add(t2 - t1);
      }
    }
    Stats viaGw = Stats.of(gateway);
    Stats baseline = Stats.of(spawn);
    String table =
        String.join(
            "\n",
            "### Command round trip (`true` in a bubblewrap sandbox)",
            "",
            Stats.header(),
            viaGw.row("POST /commands through the gateway (HTTP, auth, owner check, exec, reply)"),
            baseline.row("baseline: the same process spawned directly through the provider"),
            "",
            String.format(
                java.util.Locale.ROOT,
                "Gateway overhead: p50 %.2f ms, p99 %.2f ms (ratio p50 %.2fx).",
                viaGw.p50() - baseline.p50(),
                viaGw.p99() - baseline.p99(),
                viaGw.p50() / baseline.p50()),
            "");
    write("command-round-trip.md", table);
  }

  @Test
  void streamDeliveryLatencyAndHeapAtAThousandSubscribers() throws Exception {
    StringBuilder out =
        new StringBuilder("### Stream delivery (line produced → client receives)\n\n");
    out.append(Stats.header()).append('\n');
    long heapIdle = heapAfterGc();
    resetPeaks();
    out.append(
            Stats.of(deliver(1, 1, 200, 50)).row("baseline: 1 subscriber, 1 session, 20 events/s"))
        .append('\n');
    resetPeaks();
    out.append(
            Stats.of(deliver(1, 1000, 200, 50))
                .row("1,000 subscribers on 1 session, 20 events/s (20,000 messages/s)"))
        .append('\n');
    long heapOne = peakHeap();
    resetPeaks();
    out.append(
            Stats.of(deliver(100, 10, 20, 500))
                .row(
                    "1,000 subscribers over 100 sessions, 2 events/s per session (2,000 messages/s)"))
        .append('\n');
    long heapSpread = peakHeap();
    resetPeaks();
    out.append(
            Stats.of(deliver(1, 1000, 200, 10))
                .row("stress: 1,000 subscribers on 1 session, 100 events/s (100,000 messages/s)"))
        .append('\n');
    long heapStress = peakHeap();
    out.append(
        String.format(
            java.util.Locale.ROOT,
            "%nHeap: %d MiB idle after GC; peak %d MiB at 1,000 subscribers on one session, %d MiB over 100 sessions, "
                + "%d MiB under the stress row (the benchmark's 1,000 WebSocket clients run in the same JVM and are included).%n",
            heapIdle >> 20,
            heapOne >> 20,
            heapSpread >> 20,
            heapStress >> 20));
    write("stream-delivery.md", out.toString());
  }

  /**
   * Opens {@code perSession} clients on each of {@code sessions} sessions (Vert.x WebSocket clients
   * on their own event loops) and appends {@code events} events to each, one every {@code
   * intervalMillis}.
   */
  private List<Long> deliver(int sessions, int perSession, int events, long intervalMillis)
      throws Exception {
    List<Long> latencies = Collections.synchronizedList(new ArrayList<>());
    List<Sessions.Ready> ready = new ArrayList<>();
    for (int s = 0; s < sessions; s++) {
      ready.add(Sessions.provision());
    }
    AtomicLong received = new AtomicLong();
    io.vertx.core.Vertx clients = io.vertx.core.Vertx.vertx();
    try {
      WebSocketClient client =
          clients.createWebSocketClient(
              new io.vertx.core.http.WebSocketClientOptions().setMaxConnections(5000));
      List<io.vertx.core.Future<io.vertx.core.http.WebSocket>> connecting = new ArrayList<>();
      for (Sessions.Ready session : ready) {
        String token = Tokens.forUser(session.userId());
        long after =
            logWriter
                .append(session.sessionId(), "bench.mark", null, Map.of())
                .await()
                .indefinitely()
                .seq();
        for (int c = 0; c < perSession; c++) {
          connecting.add(
              client
                  .connect(
                      new WebSocketConnectOptions()
                          .setHost("127.0.0.1")
                          .setPort(port())
                          .setURI("/ws/sessions/" + session.sessionId() + "?after=" + after)
                          .addHeader("Authorization", "Bearer " + token))
                  .onSuccess(
                      ws ->
                          ws.textMessageHandler(
                              m -> onMessage(m, latencies, received, warmup(events)))));
          if (connecting.size() % 100 == 0) {
            io.vertx.core.Future.all(connecting)
                .toCompletionStage()
                .toCompletableFuture()
                .get(2, java.util.concurrent.TimeUnit.MINUTES);
          }
        }
      }
      io.vertx.core.Future.all(connecting)
          .toCompletionStage()
          .toCompletableFuture()
          .get(2, java.util.concurrent.TimeUnit.MINUTES);
      // The first fifth of the events warm the path up (JIT) and are not measured. Events are
      // appended on a timer: a load generator that spins between events would take one of the
      // machine's two cores away from the gateway and the clients.
      int total = events + warmup(events);
      long expected = (long) sessions * perSession * total;
      AtomicLong next = new AtomicLong();
      ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
      try {
        timer.scheduleAtFixedRate(
            () -> {
              long e = next.getAndIncrement();
              if (e >= total) {
                return;
              }
              for (Sessions.Ready session : ready) {
                logWriter.append(
                    session.sessionId(),
                    "bench.line",
                    null,
                    Map.of("t", System.nanoTime(), "n", e));
              }
            },
            0,
            intervalMillis,
            TimeUnit.MILLISECONDS);
        await().atMost(Duration.ofMinutes(3)).until(() -> received.get() >= expected);
      } finally {
        timer.shutdownNow();
      }
    } finally {
      clients.close().toCompletionStage().toCompletableFuture().get();
    }
    return new ArrayList<>(latencies);
  }

  private static int warmup(int events) {
    return events / 5;
  }

  private static void onMessage(
      String message, List<Long> latencies, AtomicLong received, int warmup) {
    long now = System.nanoTime();
    if (message.contains("\"bench.line\"")) {
      received.incrementAndGet();
      if (number(message, "\"n\":") >= warmup) {
        latencies.add(now - number(message, "\"t\":"));
      }
    }
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

  private static long heapAfterGc() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static void resetPeaks() {
    System.gc();
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        pool.resetPeakUsage();
      }
    }
  }

  private static long peakHeap() {
    long peak = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() == MemoryType.HEAP) {
        peak += pool.getPeakUsage().getUsed();
      }
    }
    return peak;
  }

  private static void write(String name, String content) throws IOException {
    Path dir = Path.of("target", "benchmarks");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(name), content);
    System.out.println(content);
  }

  @SuppressWarnings("unused")
  private static UUID unused() {
    return UUID.randomUUID();
  }
}
