package dev.remoteclaude.system;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.remoteclaude.infra.LocalKafka;
import dev.remoteclaude.infra.LocalPostgres;
import dev.remoteclaude.infra.Ports;
import dev.remoteclaude.launcher.Platform;
import dev.remoteclaude.launcher.PlatformOptions;
import dev.remoteclaude.launcher.ServiceProcess;
import dev.remoteclaude.testing.StreamClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Platform benchmarks, run with {@code -Pbench}; see docs/benchmarks.md. */
@Tag("benchmark")
class PlatformBenchmark {

  private static final HttpClient HTTP = HttpClient.newHttpClient();
  private static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void sessionStartVersusRawCreateAndClone() throws Exception {
    String repo = Api.gitRepository("# bench\n" + "line\n".repeat(200));
    List<Long> platform = new ArrayList<>();
    List<Long> created = new ArrayList<>();
    List<Long> attached = new ArrayList<>();
    List<Long> raw = new ArrayList<>();
    Map<String, List<Long>> steps = new java.util.TreeMap<>();
    // Services run on a JIT: the first sessions pay for compiling their paths.
    int warmup = 100;
    int measured = 30;
    for (int i = 0; i < warmup + measured; i++) {
      Api user = new Api("bench-" + UUID.randomUUID());
      Instant wall0 = Instant.now();
      long t0 = System.nanoTime();
      UUID session = create(user, repo);
      long tCreated = System.nanoTime();
      long tAttached;
      try (StreamClient stream =
          StreamClient.connect(
              StreamClient.uri(TestPlatform.baseUrl(), session, 0), user.token())) {
        tAttached = System.nanoTime();
        // Woken by the message itself: a polling wait would take CPU from the platform.
        stream
            .firstMatching(
                m ->
                    m.path("type").asText().equals("session.state")
                        && m.path("data").path("to").asText().equals("READY"))
            .get(60, TimeUnit.SECONDS);
        if (i >= warmup) {
          stepTimes(stream.messages(), wall0, steps);
        }
      }
      long t1 = System.nanoTime();
      rawCreateAndClone(repo);
      long t2 = System.nanoTime();
      user.call().delete("/api/v1/sessions/{id}", session);
      // Each start is measured alone: the previous session's teardown is over before the next.
      user.awaitSessionState(session, "TERMINATED");
      if (i >= warmup) {
        platform.add(t1 - t0);
        created.add(tCreated - t0);
        attached.add(tAttached - tCreated);
        raw.add(t2 - t1);
      }
    }
    double p50 = median(platform);
    double base = median(raw);
    String table =
        String.format(
            Locale.ROOT,
            "### Session start (POST /sessions → READY on the stream), local provider%n%n"
                + "| what | n | p50 ms | p90 ms | max ms |%n|---|---|---|---|---|%n"
                + "| through the platform | %d | %.1f | %.1f | %.1f |%n"
                + "| baseline: sandbox directories + `git clone` of the same repository, directly | %d | %.1f | %.1f | %.1f |%n%n"
                + "Platform overhead p50: %.1f ms (ratio %.2fx). Of the platform's p50: POST answered"
                + " after %.1f ms, the stream's WebSocket open %.1f ms after that.%n",
            platform.size(),
            p50,
            quantile(platform, 0.9),
            quantile(platform, 1.0),
            raw.size(),
            base,
            quantile(raw, 0.9),
            quantile(raw, 1.0),
            p50 - base,
            p50 / base,
            median(created),
            median(attached));
    StringBuilder breakdown =
        new StringBuilder(
            "%nWhen each event of the session's stream was appended (its `at`), median ms after the POST:%n%n| event | ms |%n|---|---|%n"
                .formatted());
    steps.entrySet().stream()
        .sorted(Map.Entry.comparingByValue(java.util.Comparator.comparingDouble(l -> median(l))))
        .forEach(
            e ->
                breakdown.append(
                    String.format(
                        Locale.ROOT, "| %s | %.1f |%n", e.getKey(), median(e.getValue()))));
    table += breakdown;
    write("session-start.md", table);
  }

  /** Each stream event's append time, ms after {@code start}, keyed by its type and step. */
  private static void stepTimes(
      List<com.fasterxml.jackson.databind.JsonNode> messages,
      Instant start,
      Map<String, List<Long>> steps) {
    for (com.fasterxml.jackson.databind.JsonNode m : messages) {
      if (!m.has("seq")) {
        continue;
      }
      com.fasterxml.jackson.databind.JsonNode data = m.path("data");
      String detail =
          data.hasNonNull("step") ? data.path("step").asText() : data.path("to").asText("");
      String key = m.path("type").asText() + (detail.isEmpty() ? "" : " " + detail);
      long nanos = Duration.between(start, Instant.parse(m.path("at").asText())).toNanos();
      steps.computeIfAbsent(key, k -> new ArrayList<>()).add(nanos);
    }
  }

  /** POST /sessions with a plain JDK client, so the figure is the platform's, not a test DSL's. */
  private static UUID create(Api user, String repo) throws Exception {
    HttpResponse<String> response =
        HTTP.send(
            HttpRequest.newBuilder(URI.create(TestPlatform.baseUrl() + "/api/v1/sessions"))
                .header("Authorization", "Bearer " + user.token())
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        JSON.writeValueAsString(Map.of("repositoryUrl", repo, "branch", "main"))))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 202) {
      throw new IllegalStateException("create answered " + response.statusCode());
    }
    return UUID.fromString(JSON.readTree(response.body()).path("id").asText());
  }

  /** What the provider does at least: make the sandbox's directories and clone into it. */
  private static void rawCreateAndClone(String repo) throws Exception {
    Path dir = Files.createTempDirectory("rc-raw-");
    Files.createDirectories(dir.resolve("home"));
    Path workspace = Files.createDirectories(dir.resolve("workspace"));
    Process git =
        new ProcessBuilder("git", "clone", "--quiet", "--branch", "main", "--", repo, ".")
            .directory(workspace.toFile())
            .redirectErrorStream(true)
            .start();
    git.getInputStream().readAllBytes();
    if (!git.waitFor(60, TimeUnit.SECONDS) || git.exitValue() != 0) {
      throw new IllegalStateException("raw clone failed");
    }
  }

  @Test
  void upUntilHealthyAndPeakMemory() throws Exception {
    Path root = Path.of(System.getProperty("rc.project.root", "..")).toAbsolutePath().normalize();

    // Baseline: the infrastructure alone (PostgreSQL and Kafka), started the same way.
    Path infraHome = home();
    long b0 = System.nanoTime();
    LocalPostgres pg =
        LocalPostgres.start(
            new LocalPostgres.Options(infraHome.resolve("pg"), Ports.free(), "rc", "pw", false));
    LocalKafka kafka =
        LocalKafka.start(
            new LocalKafka.Options(
                infraHome.resolve("kafka"),
                Ports.free(),
                3,
                "rc",
                LocalKafka.randomPassword(),
                false));
    long b1 = System.nanoTime();
    long infraRss = peakRssOfTree(pg.pid()) + peakRss(kafka.pid());
    kafka.close();
    pg.close();

    Path home = home();
    PlatformOptions options =
        new PlatformOptions(
            home,
            root,
            Ports.free(),
            Ports.freeRange(5),
            Ports.free(),
            Ports.free(),
            Ports.free(),
            Optional.empty(),
            Optional.empty(),
            Map.of(),
            // Steady-state figures: the JVM's full JIT, as in production.
            List.of(),
            Optional.empty());
    long t0 = System.nanoTime();
    double upSeconds;
    long servicesPeak = 0;
    long infraPeak;
    try (Platform up = Platform.start(options, step -> {})) {
      upSeconds = (System.nanoTime() - t0) / 1e9;
      for (ServiceProcess service : up.services().values()) {
        servicesPeak += peakRss(service.pid());
      }
      infraPeak =
          peakRssOfTree(up.infrastructurePids().get(0)) + peakRss(up.infrastructurePids().get(1));
    }
    double infraSeconds = (b1 - b0) / 1e9;
    String table =
        String.format(
            Locale.ROOT,
            "### `up` until healthy (fresh data directory)%n%n"
                + "| what | seconds | peak RSS MiB |%n|---|---|---|%n"
                + "| whole platform: PostgreSQL, Kafka, 5 services (edge in the launcher) | %.1f | %d (services %d + infrastructure %d) |%n"
                + "| baseline: PostgreSQL + Kafka alone | %.1f | %d |%n%n"
                + "Ratios: start time %.1fx, memory %.1fx the infrastructure alone.%n",
            upSeconds,
            (servicesPeak + infraPeak) >> 20,
            servicesPeak >> 20,
            infraPeak >> 20,
            infraSeconds,
            infraRss >> 20,
            upSeconds / infraSeconds,
            (double) (servicesPeak + infraPeak) / infraRss);
    write("up.md", table);
  }

  private static Path home() throws IOException {
    return Files.createTempDirectory(
        "rc-bench-",
        PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
  }

  /** Peak resident set (VmHWM) of a process, from /proc. */
  static long peakRss(long pid) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", String.valueOf(pid), "status"))) {
        if (line.startsWith("VmHWM:")) {
          return Long.parseLong(line.replaceAll("\\D", "")) * 1024;
        }
      }
    } catch (IOException | NumberFormatException e) {
      return 0;
    }
    return 0;
  }

  /** Peak resident memory of a process and its children (PostgreSQL's postmaster and backends). */
  static long peakRssOfTree(long pid) {
    return ProcessHandle.of(pid)
        .map(p -> peakRss(pid) + p.children().mapToLong(c -> peakRss(c.pid())).sum())
        .orElse(0L);
  }

  private static double median(List<Long> nanos) {
    return quantile(nanos, 0.5);
  }

  private static double quantile(List<Long> nanos, double q) {
    long[] sorted = nanos.stream().mapToLong(Long::longValue).sorted().toArray();
    return sorted[Math.min(sorted.length - 1, (int) Math.ceil(q * sorted.length) - 1)] / 1e6;
  }

  private static void write(String name, String content) throws IOException {
    Path dir = Path.of("target", "benchmarks");
    Files.createDirectories(dir);
    Files.writeString(dir.resolve(name), content);
    System.out.println(content);
  }
}
