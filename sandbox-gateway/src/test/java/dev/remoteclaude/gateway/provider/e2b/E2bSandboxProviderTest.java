package dev.remoteclaude.gateway.provider.e2b;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.remoteclaude.gateway.provider.ExecRequest;
import dev.remoteclaude.gateway.provider.ExecResult;
import dev.remoteclaude.gateway.provider.ProvidedSandbox;
import dev.remoteclaude.gateway.provider.ProviderCalls;
import dev.remoteclaude.gateway.provider.ProviderException;
import dev.remoteclaude.gateway.provider.SandboxSpec;
import dev.remoteclaude.gateway.provider.SandboxStatus;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
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
 * What the e2b provider asks of E2B (request shapes against {@link E2bStub}) and how it takes E2B's
 * failures: 429s waited out as Retry-After says, 5xx an outage for the breaker, a sandbox E2B
 * reclaimed at its timeout missing, and the API key in no log.
 */
@Timeout(value = 2, unit = TimeUnit.MINUTES)
class E2bSandboxProviderTest {

  private static final Duration CALL = Duration.ofMinutes(1);
  @TempDir static Path root;
  private static E2bStub stub;
  private static Vertx vertx;
  private static E2bSandboxProvider provider;
  private final List<String> created = new ArrayList<>();

  @BeforeAll
  static void start() {
    stub = new E2bStub(root.resolve("e2b"));
    vertx = Vertx.vertx();
    provider = new E2bSandboxProvider(E2bConfigs.of(stub, Map.of()), vertx);
  }

  @AfterAll
  static void stop() {
    provider.close();
    vertx.close().toCompletionStage().toCompletableFuture().join();
    stub.close();
  }

  @AfterEach
  void terminate() {
    stub.clearFaults();
    created.forEach(id -> provider.terminate(id).await().atMost(CALL));
  }

  private String create(E2bSandboxProvider on, SandboxSpec spec) {
    String id = on.create(spec).await().atMost(CALL);
    created.add(id);
    return id;
  }

  private static SandboxSpec spec(Map<String, String> env, Duration ttl) {
    return new SandboxSpec(
        UUID.randomUUID().toString(), Optional.empty(), env, 0, 0, ttl, Optional.empty());
  }

  private static List<JsonObject> requests(String method, String pathPrefix) {
    return stub.requests().stream()
        .filter(r -> r.getString("method").equals(method))
        .filter(r -> r.getString("uri").startsWith(pathPrefix))
        .toList();
  }

  private static ProviderException.Kind kindOf(Throwable failure) {
    Throwable t = failure;
    while (t != null && !(t instanceof ProviderException)) {
      t = t.getCause();
    }
    assertThat(t).as("a ProviderException, not %s", failure).isInstanceOf(ProviderException.class);
    return ((ProviderException) t).kind();
  }

  /** Whether the gateway's circuit breakers count this failure as the provider's outage. */
  private static boolean countsAsOutage(Throwable failure) throws Exception {
    Method counts = ProviderCalls.class.getDeclaredMethod("countsAsOutage", Throwable.class);
    counts.setAccessible(true);
    return (boolean) counts.invoke(null, failure);
  }

  @Test
  void createAsksForTheTemplateATimeoutBeyondTheTtlAndLabelsTheSandboxAsThePlatforms() {
    SandboxSpec spec = spec(Map.of("RC_GREETING", "hello e2b"), Duration.ofHours(1));
    Instant before = Instant.now();
    String id = create(provider, spec);

    JsonObject body = requests("POST", "/sandboxes").getLast().getJsonObject("body");
    assertThat(body.getString("templateID")).isEqualTo("rc-claude");
    // E2B's timeout: the sandbox's TTL plus the margin (10m), so E2B never reclaims it first.
    assertThat(body.getLong("timeout")).isEqualTo(3600 + 600);
    assertThat(body.getBoolean("autoPause")).isFalse();
    assertThat(body.getJsonObject("envVars").getMap()).containsEntry("RC_GREETING", "hello e2b");
    JsonObject metadata = body.getJsonObject("metadata");
    assertThat(metadata.getString("rc-managed-by")).isEqualTo("remote-claude");
    assertThat(metadata.getString("rc-session")).isEqualTo(spec.sessionId());
    assertThat(Instant.parse(metadata.getString("rc-created-at"))).isAfterOrEqualTo(before);
    assertThat(stub.endAt(id)).isAfter(Instant.now().plus(Duration.ofMinutes(69)));

    // The sandbox's environment reaches its processes.
    ExecResult env =
        ExecResult.collect(
                provider
                    .exec(
                        id,
                        ExecRequest.of(List.of("printenv", "RC_GREETING"), Duration.ofSeconds(30)))
                    .await()
                    .atMost(CALL))
            .await()
            .atMost(CALL);
    assertThat(env.stdout()).isEqualTo("hello e2b\n");

    // Extending the TTL keeps E2B's timeout ahead of it again; so does a resume.
    provider.extendTtl(id, Duration.ofHours(2)).await().atMost(CALL);
    assertThat(requests("POST", "/sandboxes/" + id + "/timeout").getLast().getJsonObject("body"))
        .isEqualTo(new JsonObject().put("timeout", 7200 + 600));
    assertThat(stub.endAt(id)).isAfter(Instant.now().plus(Duration.ofMinutes(129)));
    provider.pause(id).await().atMost(CALL);
    assertThat(requests("POST", "/sandboxes/" + id + "/pause").getLast().getJsonObject("body"))
        .as("a pause without memory: the processes stop, as the SPI says")
        .isEqualTo(new JsonObject().put("memory", false));
    provider.resume(id).await().atMost(CALL);
    assertThat(requests("POST", "/sandboxes/" + id + "/connect").getLast().getJsonObject("body"))
        .isEqualTo(new JsonObject().put("timeout", 7200 + 600));

    // The orphan collector's list asks for the platform's sandboxes only.
    List<ProvidedSandbox> listed = provider.list().await().atMost(CALL);
    assertThat(listed).extracting(ProvidedSandbox::id).contains(id);
    assertThat(requests("GET", "/v2/sandboxes").getLast().getString("uri"))
        .contains("metadata=rc-managed-by%3Dremote-claude")
        .contains("state=running,paused");
  }

  @Test
  void aRateLimitedCallWaitsAsRetryAfterSaysAndThenSucceeds() {
    int before = requests("POST", "/sandboxes").size();
    stub.failNext("POST", "/sandboxes", 429, Map.of("Retry-After", "1"), 2);

    String id = create(provider, spec(Map.of(), Duration.ofHours(1)));

    assertThat(provider.status(id).await().atMost(CALL)).isEqualTo(SandboxStatus.RUNNING);
    List<JsonObject> attempts =
        requests("POST", "/sandboxes").stream()
            .skip(before)
            .filter(r -> r.getString("uri").equals("/sandboxes"))
            .toList();
    assertThat(attempts).hasSize(3);
    for (int i = 1; i < attempts.size(); i++) {
      assertThat(attempts.get(i).getLong("at") - attempts.get(i - 1).getLong("at"))
          .as("attempt %d waited for Retry-After", i + 1)
          .isGreaterThanOrEqualTo(1000);
    }
  }

  @Test
  void aRateLimitLongerThanACallMayWaitFailsAtOnceSayingHowLong() {
    String id = create(provider, spec(Map.of(), Duration.ofHours(1)));
    int before = requests("GET", "/sandboxes/" + id).size();
    stub.failNext("GET", "/sandboxes/" + id, 429, Map.of("Retry-After", "120"), 1);

    assertThatThrownBy(() -> provider.status(id).await().atMost(CALL))
        .isInstanceOf(ProviderException.class)
        .satisfies(f -> assertThat(kindOf(f)).isEqualTo(ProviderException.Kind.UNAVAILABLE))
        .hasMessageContaining("rate limiting")
        .hasMessageContaining("120s");
    assertThat(requests("GET", "/sandboxes/" + id)).hasSize(before + 1);
  }

  @Test
  void serverErrorsAreOutagesForTheBreakerAndRefusalsAreNot() throws Exception {
    String id = create(provider, spec(Map.of(), Duration.ofHours(1)));
    stub.failNext("GET", "/sandboxes/" + id, 500, Map.of(), 1);
    Throwable outage = catchFailure(() -> provider.status(id).await().atMost(CALL));
    assertThat(kindOf(outage)).isEqualTo(ProviderException.Kind.UNAVAILABLE);
    assertThat(outage).hasMessageContaining("500").hasMessageContaining("Internal server error");
    assertThat(countsAsOutage(outage)).isTrue();

    // E2B's 400 is the request's fault, with E2B's reason; a sandbox E2B lacks is NOT_FOUND.
    SandboxSpec blank =
        new SandboxSpec(
            UUID.randomUUID().toString(),
            Optional.of(""),
            Map.of(),
            0,
            0,
            Duration.ofHours(1),
            Optional.empty());
    Throwable invalid = catchFailure(() -> provider.create(blank).await().atMost(CALL));
    assertThat(kindOf(invalid)).isEqualTo(ProviderException.Kind.INVALID);
    assertThat(invalid).hasMessageContaining("templateID is required");
    assertThat(countsAsOutage(invalid)).isFalse();
    Throwable missing =
        catchFailure(() -> provider.pause("inosuchsandbox00000000").await().atMost(CALL));
    assertThat(kindOf(missing)).isEqualTo(ProviderException.Kind.NOT_FOUND);
    assertThat(countsAsOutage(missing)).isFalse();
  }

  @Test
  void aSandboxE2bReclaimedAtItsTimeoutIsMissing() {
    E2bSandboxProvider shortLived =
        new E2bSandboxProvider(E2bConfigs.of(stub, Map.of("gateway.e2b.ttl-margin", "1s")), vertx);
    try {
      String id = create(shortLived, spec(Map.of(), Duration.ofSeconds(1)));
      assertThat(requests("POST", "/sandboxes").getLast().getJsonObject("body").getLong("timeout"))
          .isEqualTo(2);
      await()
          .atMost(Duration.ofSeconds(60))
          .until(() -> shortLived.status(id).await().atMost(CALL) == SandboxStatus.MISSING);
      assertThat(shortLived.list().await().atMost(CALL))
          .extracting(ProvidedSandbox::id)
          .doesNotContain(id);
      Throwable exec =
          catchFailure(
              () ->
                  shortLived
                      .exec(id, ExecRequest.of(List.of("true"), Duration.ofSeconds(5)))
                      .await()
                      .atMost(CALL));
      assertThat(kindOf(exec)).isEqualTo(ProviderException.Kind.NOT_FOUND);
    } finally {
      shortLived.close();
    }
  }

  @Test
  void theApiKeyIsInNoLogAndNoFailure() {
    List<String> lines = new ArrayList<>();
    Handler capture = capture(lines);
    Logger logger = Logger.getLogger("");
    Logger ours = Logger.getLogger("dev.remoteclaude.gateway.provider.e2b");
    Level previous = ours.getLevel();
    ours.setLevel(Level.ALL);
    logger.addHandler(capture);
    String wrongKey = "e2b_wrong_" + UUID.randomUUID();
    List<Throwable> failures = new ArrayList<>();
    E2bSandboxProvider logged = new E2bSandboxProvider(E2bConfigs.of(stub, Map.of()), vertx);
    E2bSandboxProvider refused =
        new E2bSandboxProvider(E2bConfigs.of(stub, Map.of("gateway.e2b.api-key", wrongKey)), vertx);
    try {
      String id = create(logged, spec(Map.of(), Duration.ofHours(1)));
      logged.writeFile(id, "a.txt", "x".getBytes(StandardCharsets.UTF_8)).await().atMost(CALL);
      assertThat(logged.readFile(id, "a.txt", 10).await().atMost(CALL)).hasSize(1);
      var handle =
          logged
              .exec(id, ExecRequest.of(List.of("sleep", "30"), Duration.ofSeconds(60)))
              .await()
              .atMost(CALL);
      handle.cancel();
      assertThat(ExecResult.collect(handle).await().atMost(CALL).cancelled()).isTrue();
      stub.failNext("GET", "/sandboxes/" + id, 500, Map.of(), 1);
      failures.add(catchFailure(() -> logged.status(id).await().atMost(CALL)));
      stub.failNext("GET", "/sandboxes/" + id, 429, Map.of("Retry-After", "600"), 1);
      failures.add(catchFailure(() -> logged.status(id).await().atMost(CALL)));
      failures.add(catchFailure(() -> refused.status(id).await().atMost(CALL)));
      failures.add(
          catchFailure(
              () -> refused.create(spec(Map.of(), Duration.ofHours(1))).await().atMost(CALL)));
    } finally {
      logger.removeHandler(capture);
      ours.setLevel(previous);
      logged.close();
      refused.close();
    }
    assertThat(failures.get(2)).hasMessageContaining("gateway.e2b.api-key");
    assertThat(lines)
        .as("the provider logged (the capture works)")
        .anyMatch(l -> l.contains("e2b sandboxes from"));
    for (String secret : List.of(E2bStub.API_KEY, wrongKey)) {
      assertThat(lines).noneMatch(l -> l.contains(secret));
      assertThat(failures).allSatisfy(f -> assertThat(chain(f)).doesNotContain(secret));
    }
  }

  private static String chain(Throwable failure) {
    StringBuilder all = new StringBuilder();
    for (Throwable t = failure; t != null; t = t.getCause()) {
      all.append(t).append('\n');
    }
    return all.toString();
  }

  private static Throwable catchFailure(Runnable call) {
    try {
      call.run();
    } catch (RuntimeException e) {
      return e;
    }
    throw new AssertionError("the call was expected to fail");
  }

  private static Handler capture(List<String> lines) {
    return new Handler() {
      @Override
      public void publish(LogRecord record) {
        StringBuilder line = new StringBuilder(String.valueOf(record.getMessage()));
        if (record.getParameters() != null) {
          for (Object p : record.getParameters()) {
            line.append(' ').append(p);
          }
        }
        for (Throwable t = record.getThrown(); t != null; t = t.getCause()) {
          line.append(' ').append(t);
        }
        synchronized (lines) {
          lines.add(line.toString());
        }
      }

      @Override
      public void flush() {}

      @Override
      public void close() {}
    };
  }
}
