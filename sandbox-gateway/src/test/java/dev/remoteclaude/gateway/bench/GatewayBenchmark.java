package dev.remoteclaude.gateway.bench;

import static org.assertj.core.api.Assertions.assertThat;

import dev.remoteclaude.gateway.config.GatewayConfig;
import dev.remoteclaude.gateway.log.LogWriter;
import dev.remoteclaude.gateway.provider.ExecRequest;
import dev.remoteclaude.gateway.provider.ProviderCalls;
import dev.remoteclaude.gateway.sandbox.Sandbox;
import dev.remoteclaude.gateway.sandbox.SandboxRepository;
import dev.remoteclaude.gateway.support.Sessions;
import dev.remoteclaude.testing.OnVertx;
import dev.remoteclaude.testing.Tokens;
import io.quarkus.hibernate.reactive.panache.Panache;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
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
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;
import org.eclipse.microprofile.config.ConfigProvider;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/**
 * Gateway benchmarks, run with {@code -Pbench} (see docs/benchmarks.md). Each measures the gateway
 * against a baseline taken in the same run, in the same JVM, and writes its table to
 * target/benchmarks/.
 */
@QuarkusTest
@TestProfile(ProductionTimings.class)
@Tag("benchmark")
class GatewayBenchmark {

  @Inject ProviderCalls providers;
  @Inject SandboxRepository sandboxes;
  @Inject LogWriter logWriter;
  @Inject GatewayConfig config;
  @Inject io.vertx.core.Vertx vertx;

  @BeforeEach
  void productionTimings() {
    // The profile's values win over the test resources' accelerated clocks.
    assertThat(config.stream().heartbeat())
        .isEqualTo(Duration.parse("PT" + ProductionTimings.STREAM_HEARTBEAT));
    assertThat(config.recoveryInterval()).isEqualTo(Duration.ofSeconds(5));
  }

  /** The client of the command benchmark, configured as the CLI's: HTTP/1.1, a thread pool. */
  private static final HttpClient HTTP =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .executor(Executors.newCachedThreadPool())
          .build();

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
    CommandCall gatewayCall =
        () -> {
          HttpResponse<String> response =
              HTTP.send(viaGateway, HttpResponse.BodyHandlers.ofString());
          assertThat(response.statusCode()).isEqualTo(200);
        };
    CommandCall directCall =
        () ->
            assertThat(
                    providers
                        .exec(sandbox.provider, sandbox.providerId, direct)
                        .chain(providers::collect)
                        .await()
                        .atMost(Duration.ofSeconds(30))
                        .exitCode())
                .isZero();

    // Each path runs in blocks of 20 calls, the blocks interleaved. Within a block, every call
    // finds
    // its own code and data warm, as in a gateway serving a stream of commands; switching every
    // 20 calls (under half a second) keeps both paths under the same machine conditions.
    //
    // A gateway in use has long compiled its hot paths; on two busy cores the JIT takes thousands
    // of calls to get there. The run is cut into slices of 1,000 calls per path; the table shows
    // how the overhead settles, and the last slice is the measurement.
    int slices = 8;
    int perSlice = 1000;
    int block = 20;
    List<List<Long>> gateway = new ArrayList<>();
    List<List<Long>> spawn = new ArrayList<>();
    for (int slice = 0; slice < slices; slice++) {
      gateway.add(new ArrayList<>());
      spawn.add(new ArrayList<>());
      for (int i = 0; i < perSlice / block; i++) {
        timeBlock(gatewayCall, block, gateway.get(slice));
        timeBlock(directCall, block, spawn.get(slice));
      }
    }
    // Then strictly alternated: each call runs right after the other path's. That charges the
    // gateway alone for refilling the CPU caches: the baseline runs right after a gateway call that
    // has just run the same spawn path, while the gateway's HTTP, token and database code last ran
    // before a spawn.
    List<Long> gatewayAlternated = new ArrayList<>();
    List<Long> spawnAlternated = new ArrayList<>();
    for (int i = 0; i < perSlice; i++) {
      timeBlock(gatewayCall, 1, gatewayAlternated);
      timeBlock(directCall, 1, spawnAlternated);
    }
    Stats viaGw = Stats.of(gateway.get(slices - 1));
    Stats baseline = Stats.of(spawn.get(slices - 1));
    Stats viaGwAlternated = Stats.of(gatewayAlternated);
    Stats baselineAlternated = Stats.of(spawnAlternated);
    List<String> lines = new ArrayList<>();
    lines.addAll(
        List.of(
            "### Command round trip (`true` in a bubblewrap sandbox)",
            "",
            Stats.header(),
            viaGw.row(
                "POST /commands through the gateway (HTTP, auth, owner check, exec, reply),"
                    + String.format(
                        java.util.Locale.ROOT,
                        " calls %,d–%,d in blocks of %d",
                        (slices - 1) * perSlice + 1,
                        slices * perSlice,
                        block)),
            baseline.row(
                "baseline: the same process spawned directly through the provider, the same"
                    + " slice"),
            viaGwAlternated.row(
                String.format(
                    java.util.Locale.ROOT,
                    "POST /commands, then %,d calls strictly alternated",
                    perSlice)),
            baselineAlternated.row("baseline, strictly alternated"),
            "",
            overhead("Gateway overhead (last slice, blocks of 20)", viaGw, baseline),
            overhead("Strictly alternated", viaGwAlternated, baselineAlternated),
            "",
            "Warm-up: the overhead per slice of 1,000 calls.",
            "",
            "| calls | gateway p50 ms | baseline p50 ms | overhead p50 ms | overhead p99 ms |",
            "|---|---|---|---|---|"));
    for (int slice = 0; slice < slices; slice++) {
      Stats g = Stats.of(gateway.get(slice));
      Stats b = Stats.of(spawn.get(slice));
      lines.add(
          String.format(
              java.util.Locale.ROOT,
              "| %,d–%,d | %.2f | %.2f | %.2f | %.2f |",
              slice * perSlice + 1,
              (slice + 1) * perSlice,
              g.p50(),
              b.p50(),
              g.p50() - b.p50(),
              g.p99() - b.p99()));
    }
    lines.add("");
    write("command-round-trip.md", String.join("\n", lines));
  }

  /** One call of the command benchmark. */
  private interface CommandCall {
    void run() throws Exception;
  }

  /** Runs the call {@code times} times in a row, adding each duration to {@code into}. */
  private static void timeBlock(CommandCall call, int times, List<Long> into) throws Exception {
    for (int j = 0; j < times; j++) {
      long t0 = System.nanoTime();
      call.run();
      into.add(System.nanoTime() - t0);
    }
  }

  private static String overhead(String label, Stats gateway, Stats baseline) {
    return String.format(
        java.util.Locale.ROOT,
        "%s: p50 %.2f ms, p99 %.2f ms (ratio p50 %.2fx).",
        label,
        gateway.p50() - baseline.p50(),
        gateway.p99() - baseline.p99(),
        gateway.p50() / baseline.p50());
  }

  @Test
  void streamDeliveryLatencyAndHeapAtAThousandSubscribers() throws Exception {
    StringBuilder out =
        new StringBuilder("### Stream delivery (line produced → client receives)\n\n");
    out.append(Stats.header()).append('\n');
    StringBuilder appends =
        new StringBuilder(
            "Of which the append: from the append call until the event is committed and handed to"
                + " the subscribers' event loops.\n\n");
    appends.append(Stats.header()).append('\n');
    long heapIdle = heapAfterGc();
    resetPeaks();
    row(
        out,
        appends,
        deliver(1, 1, 200, 50, false),
        "baseline: 1 subscriber, 1 session, 20 events/s");
    resetPeaks();
    out.append(
            Stats.of(bare(1000, 600, 50))
                .row(
                    "baseline: bare Vert.x WebSocket server, same 1,000 clients, 20 messages/s each"))
        .append('\n');
    resetPeaks();
    row(
        out,
        appends,
        // 600 events: the p99 of 600,000 messages is not decided by two or three events.
        deliver(1, 1000, 600, 50, false),
        "1,000 subscribers on 1 session, 20 events/s (20,000 messages/s)");
    long heapOne = peakHeap();
    resetPeaks();
    row(
        out,
        appends,
        deliver(100, 10, 20, 500, true),
        "1,000 subscribers over 100 sessions, 2 events/s per session, each session on its own phase (2,000 messages/s)");
    long heapSpread = peakHeap();
    resetPeaks();
    row(
        out,
        appends,
        deliver(100, 10, 60, 500, false),
        "the same, every session's event at the same instant (bursts of 1,000 messages)");
    heapSpread = Math.max(heapSpread, peakHeap());
    resetPeaks();
    row(
        out,
        appends,
        deliver(1, 1000, 200, 10, false),
        "stress: 1,000 subscribers on 1 session, 100 events/s (100,000 messages/s)");
    long heapStress = peakHeap();
    out.append('\n').append(appends);
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

  private static void row(
      StringBuilder out, StringBuilder appends, Delivery delivery, String what) {
    out.append(Stats.of(delivery.latencies()).row(what)).append('\n');
    appends.append(Stats.of(delivery.appends()).row(what)).append('\n');
  }

  /**
   * Opens {@code perSession} clients on each of {@code sessions} sessions (Vert.x WebSocket clients
   * on their own event loops, in this JVM) and appends {@code events} events to each, one every
   * {@code intervalMillis}: to all sessions at once, or {@code staggered} over the interval.
   */
  private Delivery deliver(
      int sessions, int perSession, int events, long intervalMillis, boolean staggered)
      throws Exception {
    List<Sessions.Ready> ready = new ArrayList<>();
    List<StreamLoadClient.Target> targets = new ArrayList<>();
    for (int s = 0; s < sessions; s++) {
      Sessions.Ready session = Sessions.provision();
      long after =
          logWriter
              .append(session.sessionId(), "bench.mark", null, Map.of())
              .await()
              .indefinitely()
              .seq();
      ready.add(session);
      targets.add(
          new StreamLoadClient.Target(
              session.sessionId().toString(), Tokens.forUser(session.userId()), after));
    }
    // The first fifth of the events warm the path up (JIT) and are not measured.
    int total = events + warmup(events);
    long expected = (long) sessions * perSession * total;
    Recorder appends = new Recorder(sessions * events);
    try (StreamLoadClient clients =
        StreamLoadClient.connect(
            port(),
            targets,
            perSession,
            warmup(events),
            expected,
            sessions * perSession * events)) {
      // Appended on a timer: a load generator that spins between events would take one of the
      // machine's two cores away from the gateway and the clients.
      if (staggered) {
        // Each session on its own phase, as independent sessions are: one append every
        // intervalMillis / sessions, to the sessions in turn.
        return new Delivery(
            drive(
                clients,
                (long) total * sessions,
                intervalMillis * 1000 / sessions,
                TimeUnit.MICROSECONDS,
                tick ->
                    line(
                        ready.get((int) (tick % sessions)),
                        tick / sessions,
                        warmup(events),
                        appends)),
            appends.values());
      }
      // Every session's event at the same instant: bursts of one message per client.
      return new Delivery(
          drive(
              clients,
              total,
              intervalMillis,
              TimeUnit.MILLISECONDS,
              e -> ready.forEach(session -> line(session, e, warmup(events), appends))),
          appends.values());
    }
  }

  /** A row's delivery latencies, and how long its measured appends took to commit. */
  private record Delivery(List<Long> latencies, List<Long> appends) {}

  /**
   * Appends line {@code n}; from line {@code warmup} on, records the time until the append was
   * committed and handed to the subscribers' event loops.
   */
  private void line(Sessions.Ready session, long n, int warmup, Recorder appends) {
    long t = System.nanoTime();
    logWriter
        .append(session.sessionId(), "bench.line", null, Map.of("t", t, "n", n))
        .subscribe()
        .with(
            stored -> {
              if (n >= warmup) {
                appends.add(System.nanoTime() - t);
              }
            },
            failure -> {});
  }

  /** Durations recorded from any thread without a lock. */
  private static final class Recorder {
    private final long[] values;
    private final AtomicInteger count = new AtomicInteger();

    Recorder(int capacity) {
      this.values = new long[capacity];
    }

    void add(long nanos) {
      int i = count.getAndIncrement();
      if (i < values.length) {
        values[i] = nanos;
      }
    }

    List<Long> values() {
      return Arrays.stream(values, 0, Math.min(count.get(), values.length)).boxed().toList();
    }
  }

  /**
   * Calls {@code tick} with 0, 1, ... {@code ticks - 1}, one every {@code period}, and waits until
   * every client has had every message; returns the clients' latencies.
   */
  private static List<Long> drive(
      StreamLoadClient clients, long ticks, long period, TimeUnit unit, LongConsumer tick)
      throws InterruptedException {
    AtomicLong next = new AtomicLong();
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    try {
      timer.scheduleAtFixedRate(
          () -> {
            long n = next.getAndIncrement();
            if (n < ticks) {
              tick.accept(n);
            }
          },
          0,
          period,
          unit);
      assertThat(clients.awaitAll(3, TimeUnit.MINUTES))
          .as(
              "every client received every message (%d of %d)",
              clients.received(), clients.expected())
          .isTrue();
    } finally {
      timer.shutdownNow();
    }
    return clients.latencies();
  }

  /**
   * The transport baseline: the same clients and the same messages, sent by {@link
   * BareBroadcastServer} instead of the gateway.
   */
  private List<Long> bare(int clients, int events, long intervalMillis) throws Exception {
    int total = events + warmup(events);
    long expected = (long) clients * total;
    int port = dev.remoteclaude.infra.Ports.free();
    // As many event loops as the gateway's Vert.x has (Quarkus: one per core, at least two).
    int gatewayLoops =
        ((io.netty.util.concurrent.MultithreadEventExecutorGroup)
                ((io.vertx.core.impl.VertxInternal) vertx).getEventLoopGroup())
            .executorCount();
    try (BareBroadcastServer server = BareBroadcastServer.start(port, gatewayLoops);
        StreamLoadClient load =
            StreamLoadClient.connect(
                port,
                List.of(new StreamLoadClient.Target("bare", "none", 0)),
                clients,
                warmup(events),
                expected,
                clients * events)) {
      return drive(
          load,
          total,
          intervalMillis,
          TimeUnit.MILLISECONDS,
          // Shaped like a log event; built once and shared, as the gateway does.
          e ->
              server.broadcast(
                  "{\"seq\":"
                      + (e + 1)
                      + ",\"type\":\"bench.line\",\"taskId\":null,\"at\":\""
                      + java.time.Instant.now()
                      + "\",\"data\":{\"t\":"
                      + System.nanoTime()
                      + ",\"n\":"
                      + e
                      + "}}"));
    }
  }

  private static int warmup(int events) {
    return events / 5;
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
}
