package dev.remoteclaude.gateway.provider.northflank;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.remoteclaude.gateway.provider.ExecRequest;
import dev.remoteclaude.gateway.provider.ExecResult;
import dev.remoteclaude.gateway.provider.ProviderException;
import dev.remoteclaude.gateway.provider.SandboxSpec;
import dev.remoteclaude.gateway.provider.SandboxStatus;
import io.vertx.core.json.JsonObject;
import io.vertx.mutiny.core.Vertx;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
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
 * What the northflank provider sends Northflank and how it takes Northflank's answers: request
 * shapes (service, volume, command-exec handshake), 429s with Retry-After, failures, the mapping of
 * a service's state onto ours, the home kept on the volume, and the API token kept out of every
 * log.
 */
@Timeout(value = 3, unit = TimeUnit.MINUTES)
class NorthflankSandboxProviderTest {

  private static final Duration CALL = Duration.ofMinutes(1);
  @TempDir static Path root;
  private static Vertx vertx;
  private static NorthflankStub stub;
  private static NorthflankSandboxProvider provider;
  private final List<String> created = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    stub = new NorthflankStub(vertx.getDelegate(), root.resolve("northflank"));
    provider =
        new NorthflankSandboxProvider(
            NorthflankConfigs.of(
                stub,
                root.resolve("archives"),
                Map.of(
                    "gateway.northflank.image", "registry.example.com/rc/sandbox:7",
                    "gateway.northflank.plan", "nf-compute-50",
                    "gateway.northflank.volume-size-mb", "4096",
                    "gateway.northflank.storage-class", "nvme",
                    "gateway.northflank.rate-limit-retries", "2",
                    "gateway.northflank.max-retry-after", "5s")),
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
    return create(spec(UUID.randomUUID().toString(), Map.of()));
  }

  private static SandboxSpec spec(String session, Map<String, String> env) {
    return new SandboxSpec(
        session, Optional.empty(), env, 0, 0, Duration.ofHours(1), Optional.empty());
  }

  private static ProviderException.Kind kindOf(Throwable failure) {
    assertThat(failure).isInstanceOf(ProviderException.class);
    return ((ProviderException) failure).kind();
  }

  private ExecResult sh(String id, String script, Map<String, String> env) {
    return ExecResult.collect(
            provider
                .exec(
                    id,
                    ExecRequest.of(List.of("sh", "-c", script), Duration.ofSeconds(30))
                        .withEnv(env))
                .await()
                .atMost(CALL))
        .await()
        .atMost(CALL);
  }

  @Test
  void createAsksForADeploymentServiceWithItsImagePlanTagsAndEnvironmentAndAVolumeForTheHome() {
    String session = UUID.randomUUID().toString();
    Instant before = Instant.now().minusSeconds(1);
    String id = create(spec(session, Map.of("RC_TOKEN", "value")));

    JsonObject body = stub.creates().getLast();
    assertThat(body.getString("name")).isEqualTo(id).matches("rc-[0-9a-f]{16}");
    assertThat(body.getJsonArray("tags").getList())
        .contains("remote-claude", "rc-session-" + session)
        .anySatisfy(tag -> assertThat((String) tag).startsWith("rc-created-"));
    assertThat(body.getJsonObject("billing").getString("deploymentPlan"))
        .isEqualTo("nf-compute-50");
    JsonObject deployment = body.getJsonObject("deployment");
    assertThat(deployment.getInteger("instances")).isEqualTo(1);
    assertThat(deployment.getJsonObject("external").getString("imagePath"))
        .isEqualTo("registry.example.com/rc/sandbox:7");
    assertThat(deployment.getJsonObject("docker").getString("configType"))
        .isEqualTo("customCommand");
    assertThat(deployment.getJsonObject("docker").getString("customCommand"))
        .isEqualTo("sleep infinity");
    assertThat(body.getJsonArray("ports")).isEmpty();
    assertThat(body.getJsonObject("runtimeEnvironment").getMap())
        .containsExactlyEntriesOf(Map.of("RC_TOKEN", "value"));

    JsonObject volume = stub.volumeCreates().getLast();
    assertThat(volume.getString("name")).isEqualTo(id + "-home");
    assertThat(volume.getJsonObject("spec").getMap())
        .containsEntry("accessMode", "ReadWriteOnce")
        .containsEntry("storageClassName", "nvme")
        .containsEntry("storageSize", 4096);
    assertThat(volume.getJsonArray("mounts").getJsonObject(0).getString("containerMountPath"))
        .isEqualTo(NorthflankConfigs.HOME);
    assertThat(volume.getJsonArray("attachedObjects").getJsonObject(0).getMap())
        .containsExactlyInAnyOrderEntriesOf(Map.of("id", id, "type", "service"));

    assertThat(provider.list().await().atMost(CALL))
        .filteredOn(s -> s.id().equals(id))
        .singleElement()
        .satisfies(s -> assertThat(s.createdAt()).isAfter(before));
  }

  /**
   * Commands go through the command-exec handshake as Northflank's client sends it (no shell, no
   * TTY, base64), and a command's variables reach it through stdin, never through the command.
   */
  @Test
  void execSpeaksNorthflanksCommandExecProtocolAndKeepsVariablesOutOfTheCommand() {
    String id = create(spec(UUID.randomUUID().toString(), Map.of("FROM_SANDBOX", "sandbox-wide")));
    String secret = "s3cret-" + UUID.randomUUID();
    int before = stub.execContexts().size();
    ExecResult result =
        sh(id, "printf '%s %s' \"$FROM_SANDBOX\" \"$PER_COMMAND\"", Map.of("PER_COMMAND", secret));
    assertThat(result.exitCode()).isZero();
    assertThat(result.stdout()).isEqualTo("sandbox-wide " + secret);

    List<JsonObject> contexts = stub.execContexts().subList(before, stub.execContexts().size());
    assertThat(contexts)
        .isNotEmpty()
        .allSatisfy(
            context -> {
              assertThat(context.getString("shell")).isEqualTo("none");
              assertThat(context.getBoolean("tty")).isFalse();
              assertThat(context.getString("encoding")).isEqualTo("base64");
              assertThat(context.getJsonArray("command").getString(0)).isEqualTo("/bin/sh");
              assertThat(context.encode()).doesNotContain(secret).doesNotContain(stub.token());
            });
  }

  @Test
  void aRateLimitedCallWaitsForRetryAfterAndThenSucceeds() {
    String id = create();
    int before = stub.requests().size();
    stub.failNext(429, "1", 2);
    assertThat(provider.status(id).await().atMost(CALL)).isEqualTo(SandboxStatus.RUNNING);
    assertThat(stub.requests().subList(before, stub.requests().size()))
        .as("the same request, twice refused, then answered")
        .containsExactly(
            "GET /v1/projects/rc-sandboxes/services/" + id,
            "GET /v1/projects/rc-sandboxes/services/" + id,
            "GET /v1/projects/rc-sandboxes/services/" + id);
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
    assertThat(stub.requests().size() - before).as("not retried").isEqualTo(1);
  }

  /**
   * A 5xx is Northflank's outage (UNAVAILABLE: what the breaker counts); its 400 is the request's
   * fault, with Northflank's reason; its 404 a missing sandbox; a command of ours failing on what
   * the tenant made of its workspace is the tenant's (INVALID), not Northflank's.
   */
  @Test
  void northflanksErrorsBecomeFailuresACallerCanActOn() {
    String id = create();
    stub.failNext(500, null, 1);
    assertThatThrownBy(() -> provider.pause(id).await().atMost(CALL))
        .satisfies(f -> assertThat(kindOf(f)).isEqualTo(ProviderException.Kind.UNAVAILABLE))
        .hasMessageContaining("Northflank is failing (500)");

    stub.failNext(400, null, "Deployment plan nf-compute-50 is not available in this region", 1);
    assertThatThrownBy(() -> create())
        .satisfies(f -> assertThat(kindOf(f)).isEqualTo(ProviderException.Kind.INVALID))
        .hasMessageContaining("Deployment plan nf-compute-50 is not available in this region");

    assertThatThrownBy(() -> provider.resume("rc-0123456789abcdef").await().atMost(CALL))
        .satisfies(f -> assertThat(kindOf(f)).isEqualTo(ProviderException.Kind.NOT_FOUND));

    sh(id, "printf x > blocker", Map.of());
    assertThatThrownBy(
            () -> provider.writeFile(id, "blocker/inside.txt", new byte[] {1}).await().atMost(CALL))
        .satisfies(f -> assertThat(kindOf(f)).isEqualTo(ProviderException.Kind.INVALID));
  }

  @Test
  void aServicesStateMapsOntoOurs() {
    String id = create();
    assertThat(provider.status(id).await().atMost(CALL)).isEqualTo(SandboxStatus.RUNNING);
    provider.pause(id).await().atMost(CALL);
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

    // a deployment Northflank cannot run: the sandbox is gone for the platform
    stub.failDeployment(id);
    assertThat(provider.status(id).await().atMost(CALL)).isEqualTo(SandboxStatus.MISSING);

    String deleted = create();
    stub.destroy(deleted);
    assertThat(provider.status(deleted).await().atMost(CALL)).isEqualTo(SandboxStatus.MISSING);
    assertThatThrownBy(
            () ->
                provider
                    .exec(deleted, ExecRequest.of(List.of("true"), Duration.ofSeconds(5)))
                    .await()
                    .atMost(CALL))
        .satisfies(f -> assertThat(kindOf(f)).isEqualTo(ProviderException.Kind.NOT_FOUND));
    assertThat(provider.list().await().atMost(CALL))
        .noneSatisfy(s -> assertThat(s.id()).isEqualTo(deleted));
  }

  /**
   * Pausing scales the service to zero: only what is on its volume (the home, the workspace in it)
   * survives; terminating deletes the service with its volume.
   */
  @Test
  void theHomeLivesOnTheVolumeThroughAPauseAndGoesWithTheSandbox() {
    String id = create();
    sh(id, "printf kept > \"$HOME/.state\"; printf lost > /tmp/scratch", Map.of());
    provider.pause(id).await().atMost(CALL);
    provider.resume(id).await().atMost(CALL);
    assertThat(sh(id, "cat \"$HOME/.state\"; cat /tmp/scratch 2>/dev/null", Map.of()).stdout())
        .isEqualTo("kept");

    assertThat(stub.volumeIds()).contains(id + "-home");
    provider.terminate(id).await().atMost(CALL);
    assertThat(stub.volumeIds()).doesNotContain(id + "-home");
  }

  @Test
  void theTokenIsInNoLogAndNoFailure() {
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
      assertThat(sh(id, "echo hi", Map.of()).stdout()).isEqualTo("hi\n");
      stub.failNext(500, null, 1);
      stub.failNext(429, "1", 3);
      for (int i = 0; i < 2; i++) {
        try {
          provider.status(id).await().atMost(CALL);
        } catch (ProviderException e) {
          failures.add(e);
        }
      }
      // A wrong token: Northflank refuses it; the failure says so without naming either token.
      NorthflankSandboxProvider wrongToken =
          new NorthflankSandboxProvider(
              NorthflankConfigs.of(
                  stub,
                  root.resolve("archives"),
                  Map.of("gateway.northflank.token", "nf-wrong-" + UUID.randomUUID())),
              Long.MAX_VALUE,
              vertx);
      try {
        assertThatThrownBy(() -> wrongToken.resume(id).await().atMost(CALL))
            .satisfies(
                f -> {
                  failures.add(f);
                  assertThat(kindOf(f)).isEqualTo(ProviderException.Kind.UNAVAILABLE);
                })
            .hasMessageContaining("refused the gateway's API token");
      } finally {
        wrongToken.close();
      }
    } finally {
      rootLogger.removeHandler(capture);
      rootLogger.setLevel(level);
    }
    assertThat(failures).hasSize(3);
    assertThat(failures).allSatisfy(f -> assertThat(f.toString()).doesNotContain(stub.token()));
    assertThat(logged).isNotEmpty().noneMatch(line -> line.contains(stub.token()));
    assertThat(provider.toString()).doesNotContain(stub.token());
  }
}
