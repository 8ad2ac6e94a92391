package dev.remoteclaude.gateway.provider.daytona;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.remoteclaude.gateway.provider.ExecEvent;
import dev.remoteclaude.gateway.provider.ExecHandle;
import dev.remoteclaude.gateway.provider.ExecRequest;
import dev.remoteclaude.gateway.provider.ExecResult;
import dev.remoteclaude.gateway.provider.ProviderException;
import dev.remoteclaude.gateway.provider.SandboxSpec;
import dev.remoteclaude.gateway.provider.SandboxStatus;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.logging.Handler;
import java.util.logging.Level;
import java.util.logging.LogRecord;
import java.util.logging.Logger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the daytona provider sends Daytona and how it takes Daytona's answers: request shapes, 429s
 * with Retry-After, failures, Daytona's own timers, and the API key kept out of every log.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class DaytonaSandboxProviderTest {

  private static final Duration CALL = Duration.ofMinutes(1);
  @TempDir static Path root;
  private static Vertx vertx;
  private static DaytonaStub stub;
  private static DaytonaSandboxProvider provider;
  private final List<String> created = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    stub = new DaytonaStub(vertx.getDelegate(), root.resolve("daytona"));
    provider =
        new DaytonaSandboxProvider(
            DaytonaConfigs.of(
                stub,
                root.resolve("archives"),
                Map.of(
                    "gateway.daytona.snapshot", "remote-claude-sandbox:1",
                    "gateway.daytona.disk-gb", "7",
                    "gateway.daytona.auto-stop-margin", "15m",
                    "gateway.daytona.rate-limit-retries", "2",
                    "gateway.daytona.max-retry-after", "5s")),
            Long.MAX_VALUE,
            vertx);
  }

  @AfterAll
  static void stop() {
    provider.close();
    stub.close();
    vertx.closeAndAwait();
  }

  @AfterEach
  void terminate() {
    created.forEach(id -> provider.terminate(id).await().atMost(CALL));
  }

  private String create(SandboxSpec spec) {
    String id = provider.create(spec).await().atMost(CALL);
    created.add(id);
    return id;
  }

  private String create() {
    return create(
        new SandboxSpec(
            UUID.randomUUID().toString(),
            Optional.empty(),
            Map.of(),
            0,
            0,
            Duration.ofHours(1),
            Optional.empty()));
  }

  private static ProviderException.Kind kindOf(Throwable failure) {
    assertThat(failure).isInstanceOf(ProviderException.class);
    return ((ProviderException) failure).kind();
  }

  @Test
  void createAsksDaytonaForTheSnapshotEnvironmentLabelsResourcesAutoStopAndNetwork() {
    String session = UUID.randomUUID().toString();
    String id =
        create(
            new SandboxSpec(
                session,
                Optional.empty(),
                Map.of("RC_TOKEN", "value"),
                3,
                1536,
                Duration.ofMinutes(60),
                Optional.empty()));

    JsonObject body = stub.creates().getLast();
    assertThat(body.getString("snapshot")).isEqualTo("remote-claude-sandbox:1");
    assertThat(body.getJsonObject("env").getMap())
        .containsExactlyEntriesOf(Map.of("RC_TOKEN", "value"));
    assertThat(body.getJsonObject("labels").getMap())
        .containsEntry("remote-claude.dev/managed-by", "remote-claude")
        .containsEntry("remote-claude.dev/session", session);
    assertThat(body.getInteger("cpu")).isEqualTo(3);
    assertThat(body.getInteger("memory")).as("GiB, rounded up").isEqualTo(2);
    assertThat(body.getInteger("disk")).isEqualTo(7);
    // Daytona's auto-stop runs after the platform's own TTL: Daytona never stops it first.
    assertThat(body.getInteger("autoStopInterval")).isEqualTo(75);
    assertThat(body.getInteger("autoDeleteInterval")).isEqualTo(-1);
    assertThat(body.getString("networkAllowList")).isEqualTo("203.0.113.0/24");
    assertThat(body.getBoolean("networkBlockAll")).isFalse();
    assertThat(provider.list().await().atMost(CALL))
        .anySatisfy(s -> assertThat(s.id()).isEqualTo(id));

    provider.extendTtl(id, Duration.ofHours(2)).await().atMost(CALL);
    assertThat(stub.autoStopInterval(id)).isEqualTo(135);
  }

  @Test
  void aRateLimitedCallWaitsForRetryAfterAndThenSucceeds() {
    String id = create();
    int before = stub.requests().size();
    stub.failNext(429, "1", 2);
    assertThat(provider.status(id).await().atMost(CALL)).isEqualTo(SandboxStatus.RUNNING);
    assertThat(
            stub.requests().subList(before, stub.requests().size()).stream()
                .filter(r -> r.startsWith("GET /api/"))
                .toList())
        .as("the same request, twice refused, then answered")
        .containsExactly(
            "GET /api/sandbox/" + id, "GET /api/sandbox/" + id, "GET /api/sandbox/" + id);
  }

  @Test
  void rateLimitingThatOutlastsTheRetriesOrAsksTooLongAWaitFailsAsUnavailable() {
    String id = create();
    stub.failNext(429, "1", 3);
    assertThatThrownBy(() -> provider.status(id).await().atMost(CALL))
        .satisfies(f -> assertThat(kindOf(f)).isEqualTo(ProviderException.Kind.UNAVAILABLE))
        .hasMessageContaining("rate limiting")
        .hasMessageContaining("try again in 1s");

    int before = stub.requests().size();
    stub.failNext(429, "120", 1);
    assertThatThrownBy(() -> provider.status(id).await().atMost(CALL))
        .satisfies(f -> assertThat(kindOf(f)).isEqualTo(ProviderException.Kind.UNAVAILABLE))
        .hasMessageContaining("try again in 120s");
    assertThat(
            stub.requests().subList(before, stub.requests().size()).stream()
                .filter(r -> r.startsWith("GET /api/"))
                .count())
        .as("not retried")
        .isEqualTo(1);
  }

  /**
   * A 5xx is the provider's outage (UNAVAILABLE: what ProviderCalls' breaker counts and retries);
   * Daytona's 400 is the request's fault, with Daytona's reason; its 404 is a missing sandbox.
   */
  @Test
  void daytonasErrorsBecomeFailuresACallerCanActOn() {
    String id = create();
    stub.failNext(500, null, 1);
    assertThatThrownBy(() -> provider.pause(id).await().atMost(CALL))
        .satisfies(f -> assertThat(kindOf(f)).isEqualTo(ProviderException.Kind.UNAVAILABLE))
        .hasMessageContaining("Daytona is failing (500)");

    stub.failNext(400, null, "Snapshot remote-claude-sandbox:1 is not active", 1);
    assertThatThrownBy(() -> create())
        .satisfies(f -> assertThat(kindOf(f)).isEqualTo(ProviderException.Kind.INVALID))
        .hasMessageContaining("Snapshot remote-claude-sandbox:1 is not active");

    assertThatThrownBy(() -> provider.resume(UUID.randomUUID().toString()).await().atMost(CALL))
        .satisfies(f -> assertThat(kindOf(f)).isEqualTo(ProviderException.Kind.NOT_FOUND));
  }

  @Test
  void aDownloadLargerThanItsFileSaidIsCutAtTheLimit() {
    String id = create();
    provider
        .writeFile(id, "small.txt", "ten bytes!".getBytes(StandardCharsets.UTF_8))
        .await()
        .atMost(CALL);
    DaytonaSandboxProvider capped =
        new DaytonaSandboxProvider(
            DaytonaConfigs.of(stub, root.resolve("capped-archives"), Map.of()), 64 * 1024, vertx);
    try {
      stub.downloadPadding = 1024 * 1024;
      // /files/info says ten bytes; the download goes on for a mebibyte: neither the file nor the
      // snapshot takes more than its limit, and the reason is the size, not an outage.
      assertThatThrownBy(() -> provider.readFile(id, "small.txt", 1000).await().atMost(CALL))
          .satisfies(f -> assertThat(kindOf(f)).isEqualTo(ProviderException.Kind.INVALID))
          .hasMessageContaining("file is larger than 1000 bytes");
      assertThatThrownBy(() -> capped.snapshot(id).await().atMost(CALL))
          .satisfies(f -> assertThat(kindOf(f)).isEqualTo(ProviderException.Kind.INVALID))
          .hasMessageContaining("the snapshot is larger than the limit of 65536 bytes");
      // Nothing of the cut download is kept.
      java.nio.file.Path archives = root.resolve("capped-archives");
      if (java.nio.file.Files.exists(archives)) {
        try (var files = java.nio.file.Files.walk(archives)) {
          assertThat(files.filter(java.nio.file.Files::isRegularFile)).isEmpty();
        } catch (java.io.IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }
    } finally {
      stub.downloadPadding = 0;
      capped.close();
    }
    assertThat(provider.readFile(id, "small.txt", 1000).await().atMost(CALL))
        .asString(StandardCharsets.UTF_8)
        .isEqualTo("ten bytes!");
  }

  @Test
  void aSandboxDaytonaStoppedOrArchivedIsPausedAndResumesWithItsFiles() {
    String id = create();
    provider
        .writeFile(id, "kept.txt", "here".getBytes(StandardCharsets.UTF_8))
        .await()
        .atMost(CALL);

    stub.autoStop(id, false);
    assertThat(provider.status(id).await().atMost(CALL)).isEqualTo(SandboxStatus.PAUSED);
    assertThatThrownBy(
            () ->
                provider
                    .exec(id, ExecRequest.of(List.of("true"), Duration.ofSeconds(5)))
                    .await()
                    .atMost(CALL))
        .satisfies(f -> assertThat(kindOf(f)).isEqualTo(ProviderException.Kind.INVALID))
        .hasMessageContaining("resume it first");
    provider.resume(id).await().atMost(CALL);
    assertThat(provider.status(id).await().atMost(CALL)).isEqualTo(SandboxStatus.RUNNING);

    stub.autoStop(id, true);
    assertThat(stub.state(id)).isEqualTo("archived");
    assertThat(provider.status(id).await().atMost(CALL)).isEqualTo(SandboxStatus.PAUSED);
    provider.resume(id).await().atMost(CALL);
    assertThat(
            new String(
                provider.readFile(id, "kept.txt", 100).await().atMost(CALL),
                StandardCharsets.UTF_8))
        .isEqualTo("here");
  }

  @Test
  void aSandboxDeletedAtDaytonaIsMissing() {
    String id = create();
    stub.destroy(id);
    assertThat(provider.status(id).await().atMost(CALL)).isEqualTo(SandboxStatus.MISSING);
    assertThatThrownBy(
            () ->
                provider
                    .exec(id, ExecRequest.of(List.of("true"), Duration.ofSeconds(5)))
                    .await()
                    .atMost(CALL))
        .satisfies(f -> assertThat(kindOf(f)).isEqualTo(ProviderException.Kind.NOT_FOUND));
    assertThat(provider.list().await().atMost(CALL))
        .noneSatisfy(s -> assertThat(s.id()).isEqualTo(id));
  }

  @Test
  void theApiKeyIsInNoLogAndNoFailure() {
    List<String> logged = new CopyOnWriteArrayList<>();
    Handler capture =
        new Handler() {
          @Override
          public void publish(LogRecord record) {
            logged.add(
                record.getLoggerName()
                    + " "
                    + new java.util.logging.SimpleFormatter().formatMessage(record)
                    + (record.getThrown() == null ? "" : " " + record.getThrown()));
          }

          @Override
          public void flush() {}

          @Override
          public void close() {}
        };
    Logger rootLogger = Logger.getLogger("");
    Level level = rootLogger.getLevel();
    rootLogger.addHandler(capture);
    rootLogger.setLevel(Level.ALL);
    List<Throwable> failures = new CopyOnWriteArrayList<>();
    try {
      String id = create();
      ExecResult result =
          ExecResult.collect(
                  provider
                      .exec(
                          id,
                          ExecRequest.of(List.of("sh", "-c", "echo hi"), Duration.ofSeconds(30)))
                      .await()
                      .atMost(CALL))
              .await()
              .atMost(CALL);
      assertThat(result.stdout()).isEqualTo("hi\n");
      stub.failNext(500, null, 1);
      stub.failNext(429, "1", 3);
      for (int i = 0; i < 2; i++) {
        try {
          provider.status(id).await().atMost(CALL);
        } catch (ProviderException e) {
          failures.add(e);
        }
      }
      // A wrong key: Daytona refuses it; the failure says so without naming either key.
      DaytonaSandboxProvider wrongKey =
          new DaytonaSandboxProvider(
              DaytonaConfigs.of(
                  stub,
                  root.resolve("archives"),
                  Map.of("gateway.daytona.api-key", "dtn_wrong_" + UUID.randomUUID())),
              Long.MAX_VALUE,
              vertx);
      try {
        assertThatThrownBy(() -> wrongKey.resume(id).await().atMost(CALL))
            .satisfies(
                f -> {
                  failures.add(f);
                  assertThat(kindOf(f)).isEqualTo(ProviderException.Kind.UNAVAILABLE);
                })
            .hasMessageContaining("refused the gateway's API key");
      } finally {
        wrongKey.close();
      }
    } finally {
      rootLogger.removeHandler(capture);
      rootLogger.setLevel(level);
    }
    assertThat(failures).hasSize(3);
    assertThat(failures).allSatisfy(f -> assertThat(f.toString()).doesNotContain(stub.apiKey()));
    assertThat(logged).isNotEmpty().noneMatch(line -> line.contains(stub.apiKey()));
    assertThat(provider.toString()).doesNotContain(stub.apiKey());
  }

  // --- processes --------------------------------------------------------------------------------

  private ExecHandle exec(String id, String script) {
    return provider
        .exec(id, ExecRequest.of(List.of("sh", "-c", script), Duration.ofMinutes(2)))
        .await()
        .atMost(CALL);
  }

  /**
   * A toolbox may keep a killed command's log open for good: the gateway closes the socket itself,
   * so a cancelled task leaves no connection behind, and the command still ends as cancelled.
   */
  @Test
  void cancellingClosesTheLogSocketTheToolboxKeepsOpen() {
    String id = create();
    stub.logsOutliveKills = true;
    try {
      ExecHandle handle = exec(id, "echo started; sleep 600");
      List<ExecEvent> events = new ArrayList<>();
      for (ExecEvent event : handle.events().subscribe().asIterable()) {
        events.add(event);
        if (event instanceof ExecEvent.Stdout) {
          handle.cancel();
        }
      }
      assertThat(events.getLast()).isEqualTo(new ExecEvent.Exit(137, false, true, false));
      assertThat(events).filteredOn(ExecEvent.Exit.class::isInstance).hasSize(1);
      await().atMost(Duration.ofSeconds(10)).until(() -> stub.openLogSockets() == 0);
    } finally {
      stub.logsOutliveKills = false;
    }
  }

  /** Pausing or terminating the sandbox ends its commands as killed and closes their logs. */
  @Test
  void stoppingTheSandboxClosesTheLogSocketsOfItsCommands() {
    String id = create();
    stub.logsOutliveKills = true;
    try {
      ExecHandle paused = exec(id, "sleep 600");
      await().atMost(Duration.ofSeconds(10)).until(() -> stub.openLogSockets() == 1);
      provider.pause(id).await().atMost(CALL);
      assertThat(paused.events().collect().asList().await().atMost(CALL))
          .containsExactly(new ExecEvent.Exit(137, false, false, false));
      await().atMost(Duration.ofSeconds(10)).until(() -> stub.openLogSockets() == 0);

      provider.resume(id).await().atMost(CALL);
      ExecHandle terminated = exec(id, "sleep 600");
      await().atMost(Duration.ofSeconds(10)).until(() -> stub.openLogSockets() == 1);
      provider.terminate(id).await().atMost(CALL);
      assertThat(terminated.events().collect().asList().await().atMost(CALL))
          .containsExactly(new ExecEvent.Exit(137, false, false, false));
      await().atMost(Duration.ofSeconds(10)).until(() -> stub.openLogSockets() == 0);
    } finally {
      stub.logsOutliveKills = false;
    }
  }

  /**
   * The command's own long lines are not the log's: the wrapper sends its output in short lines of
   * hex, so a line of megabytes, or output without any newline, arrives whole.
   */
  @Test
  void aCommandsLineLongerThanTheLogsCapArrivesWhole() {
    String id = create();
    int size = 3 * DaytonaExec.MAX_PENDING_BYTES;
    ExecResult result =
        ExecResult.collect(
                provider
                    .exec(
                        id,
                        ExecRequest.of(
                                List.of(
                                    "sh",
                                    "-c",
                                    "head -c "
                                        + size
                                        + " /dev/zero | tr '\\0' x; echo; printf next"),
                                Duration.ofMinutes(1))
                            .withMaxOutputBytes(size + 100))
                    .await()
                    .atMost(CALL))
            .await()
            .atMost(CALL);
    assertThat(result.stdout()).isEqualTo("x".repeat(size) + "\nnext");
    assertThat(result.truncated()).isFalse();
    assertThat(result.exitCode()).isZero();
  }

  /**
   * A log line longer than the cap is not the wrapper's (a toolbox the tenant replaced): it is
   * dropped whole, up to its newline, however it is cut into messages, and flagged as truncated;
   * the lines after it arrive intact.
   */
  @Test
  void aLogLineLongerThanTheCapIsDroppedWholeAndTheNextLinesArrive() {
    String id = create();
    int cap = DaytonaExec.MAX_PENDING_BYTES;
    ByteArrayOutputStream log = new ByteArrayOutputStream();
    // Would decode, but is too long.
    log.writeBytes(DaytonaExec.STDOUT_PREFIX);
    log.writeBytes("61".repeat(cap / 2 + 1).getBytes(StandardCharsets.US_ASCII));
    log.write('\n');
    // More than the cap without a newline, up to the end of a message (the stub sends 64 KiB
    // each); the next message starts like a line of its own but is this one's end.
    log.writeBytes(DaytonaExec.STDOUT_PREFIX);
    int filler = cap + 1;
    filler += (65536 - (log.size() + filler) % 65536) % 65536;
    log.writeBytes("x".repeat(filler).getBytes(StandardCharsets.US_ASCII));
    log.writeBytes(DaytonaExec.STDOUT_PREFIX);
    log.writeBytes(hex("tail\n"));
    log.write('\n');
    log.writeBytes(DaytonaExec.STDOUT_PREFIX);
    log.writeBytes(hex("after\n"));
    log.write('\n');
    stub.logPreamble = log.toByteArray();
    try {
      ExecResult result = ExecResult.collect(exec(id, "echo done")).await().atMost(CALL);
      assertThat(result.stdout().length()).as("nothing of the long lines").isLessThan(100);
      assertThat(result.stdout()).isEqualTo("after\ndone\n");
      assertThat(result.truncated()).isTrue();
      assertThat(result.exitCode()).isZero();
    } finally {
      stub.logPreamble = null;
    }
  }

  private static byte[] hex(String text) {
    return HexFormat.of()
        .formatHex(text.getBytes(StandardCharsets.UTF_8))
        .getBytes(StandardCharsets.US_ASCII);
  }
}
