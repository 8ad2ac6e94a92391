package dev.remoteclaude.gateway.claude;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.equalTo;

import dev.remoteclaude.common.events.EventCodec;
import dev.remoteclaude.common.events.SandboxSnapshotted;
import dev.remoteclaude.common.events.SessionPauseRequested;
import dev.remoteclaude.common.events.SessionRequested;
import dev.remoteclaude.common.events.SessionSnapshotRequested;
import dev.remoteclaude.common.events.TaskCancelRequested;
import dev.remoteclaude.common.events.TaskCompleted;
import dev.remoteclaude.common.events.TaskFailed;
import dev.remoteclaude.common.events.Topics;
import dev.remoteclaude.gateway.support.GatewayTestResource;
import dev.remoteclaude.gateway.support.GitRepos;
import dev.remoteclaude.gateway.support.Sessions;
import dev.remoteclaude.infra.anthropic.AnthropicStub;
import dev.remoteclaude.infra.anthropic.Turn;
import dev.remoteclaude.testing.KafkaProbe;
import dev.remoteclaude.testing.Tokens;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The real Claude Code CLI in a real sandbox, against the scripted Messages API stub. */
@QuarkusTest
class ClaudeRunnerTest {

  private final AnthropicStub stub = GatewayTestResource.stub();

  @Test
  void aPlainAnswerCompletesWithUsageAndTheConversationId() {
    Sessions.Ready session = Sessions.provision();
    String marker = marker();
    stub.when(marker, Turn.text("Hello there, engineer."));
    UUID task = UUID.randomUUID();
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      Sessions.send(
          session.sessionId(), session.userId(), Sessions.task(task, "say hello " + marker));

      Sessions.awaitTask(gateway, task, "task.started");
      TaskCompleted completed =
          Sessions.payload(
              Sessions.awaitTask(gateway, task, "task.completed"), TaskCompleted.class);
      assertThat(completed.result()).isEqualTo("Hello there, engineer.");
      assertThat(completed.claudeSessionId()).isNotBlank();
      assertThat(completed.usage().outputTokens()).isPositive();
      assertThat(completed.usage().costUsd()).isPositive();
      assertThat(completed.usage().turns()).isEqualTo(1);
    }
    List<String> types = log(session).getList("events.type");
    assertThat(types)
        .containsSubsequence(
            "task.started",
            "claude.init",
            "claude.text",
            "task.meter",
            "claude.result",
            "task.completed");
  }

  @Test
  void aDispatchFromSomeoneWhoDoesNotOwnTheSandboxIsRefused() {
    Sessions.Ready session = Sessions.provision();
    String marker = marker();
    stub.when(marker, Turn.text("Only for the owner."));
    UUID forged = UUID.randomUUID();
    UUID genuine = UUID.randomUUID();
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      // Anyone who can write to the broker could send this: another user's task for the session.
      Sessions.send(
          session.sessionId(),
          "mallory-" + UUID.randomUUID(),
          Sessions.task(forged, "forged " + forged));
      Sessions.send(session.sessionId(), session.userId(), Sessions.task(genuine, marker));

      // Same session, same partition: the forged dispatch was consumed before the genuine one.
      Sessions.awaitTask(gateway, genuine, "task.completed");
      assertThat(gateway.records())
          .noneMatch(
              r ->
                  forged
                      .toString()
                      .equals(EventCodec.read(r.value()).data().path("taskId").asText()));
    }
    assertThat(stub.requests())
        .noneMatch(r -> r.conversation().prompt().contains(forged.toString()));
  }

  @Test
  void aToolUseRoundTripLeavesTheFileInTheSandbox() {
    Sessions.Ready session = Sessions.provision();
    String marker = marker();
    stub.when(marker, Turn.bash("echo made by claude > made.txt"), Turn.text("Made the file."));
    UUID task = UUID.randomUUID();
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      Sessions.send(
          session.sessionId(), session.userId(), Sessions.task(task, "make a file " + marker));
      TaskCompleted completed =
          Sessions.payload(
              Sessions.awaitTask(gateway, task, "task.completed"), TaskCompleted.class);
      assertThat(completed.result()).isEqualTo("Made the file.");
      assertThat(completed.usage().turns()).isEqualTo(2);
    }
    given()
        .auth()
        .oauth2(Tokens.forUser(session.userId()))
        .queryParam("path", "made.txt")
        .get("/api/v1/sessions/{id}/files", session.sessionId())
        .then()
        .statusCode(200)
        .body(equalTo("made by claude\n"));
    JsonPath log = log(session);
    assertThat(log.getList("events.findAll { it.type == 'claude.tool_use' }.data.name"))
        .contains("Bash");
    assertThat(log.getString("events.find { it.type == 'claude.tool_result' }.data.isError"))
        .isEqualTo("false");
  }

  @ParameterizedTest
  @ValueSource(ints = {500, 429, 401})
  void anApiErrorFailsTheTaskWithTheReason(int status) {
    Sessions.Ready session = Sessions.provision();
    String marker = marker();
    stub.when(marker, Turn.error(status, "stub refuses with " + status));
    UUID task = UUID.randomUUID();
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      Sessions.send(session.sessionId(), session.userId(), Sessions.task(task, "fail " + marker));
      TaskFailed failed =
          Sessions.payload(Sessions.awaitTask(gateway, task, "task.failed"), TaskFailed.class);
      assertThat(failed.code()).isEqualTo(TaskFailed.ERROR);
      assertThat(failed.reason()).contains(String.valueOf(status));
      assertThat(failed.exitCode()).isNotNull().isNotZero();
    }
  }

  @Test
  void cancelKillsTheRunMidStream() throws IOException {
    Sessions.Ready session = Sessions.provision();
    String marker = marker();
    stub.when(marker, Turn.slowText("a very long answer ".repeat(20), 200, Duration.ofMillis(100)));
    UUID task = UUID.randomUUID();
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      Sessions.send(
          session.sessionId(), session.userId(), Sessions.task(task, "talk slowly " + marker));
      Sessions.awaitTask(gateway, task, "task.started");
      await()
          .until(
              () ->
                  stub.requests().stream()
                      .anyMatch(r -> r.conversation().prompt().contains(marker)));

      Sessions.send(
          session.sessionId(),
          session.userId(),
          new TaskCancelRequested(task, "user", Instant.now()));

      TaskFailed failed =
          Sessions.payload(Sessions.awaitTask(gateway, task, "task.failed"), TaskFailed.class);
      assertThat(failed.code()).isEqualTo(TaskFailed.CANCELLED);
    }
    await().untilAsserted(() -> assertThat(processesMentioning(session.sessionId())).isEmpty());
  }

  /**
   * The model answers {@code second} with {@code remembered} only when the conversation it is sent
   * still holds the prompt marked {@code first} (that is, when Claude Code resumed it).
   */
  private void scriptMemory(
      String first, String noted, String second, String remembered, String forgotten) {
    stub.when(first, Turn.text(noted));
    stub.when(
        c -> c.prompt().contains(second),
        c ->
            List.of(
                Turn.text(
                    c.earlierPrompts().stream().anyMatch(p -> p.contains(first))
                        ? remembered
                        : forgotten)));
  }

  @Test
  void aSecondTaskResumesTheFirstOnesConversation() {
    Sessions.Ready session = Sessions.provision();
    String first = marker();
    String second = marker();
    scriptMemory(first, "Noted: 42.", second, "You told me 42.", "I do not remember anything.");
    UUID task1 = UUID.randomUUID();
    UUID task2 = UUID.randomUUID();
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      Sessions.send(
          session.sessionId(), session.userId(), Sessions.task(task1, "remember 42 " + first));
      TaskCompleted one =
          Sessions.payload(
              Sessions.awaitTask(gateway, task1, "task.completed"), TaskCompleted.class);
      Sessions.send(
          session.sessionId(), session.userId(), Sessions.task(task2, "what number? " + second));
      TaskCompleted two =
          Sessions.payload(
              Sessions.awaitTask(gateway, task2, "task.completed"), TaskCompleted.class);

      assertThat(two.result()).isEqualTo("You told me 42.");
      JsonPath log = log(session);
      assertThat(
              log.getString(
                  "events.find { it.type == 'task.started' && it.taskId == '"
                      + task2
                      + "' }.data.resumes"))
          .isEqualTo(one.claudeSessionId());
    }
  }

  @Test
  void theConversationSurvivesLosingTheSandboxThroughItsSnapshot() throws IOException {
    Sessions.Ready session = Sessions.provision();
    String first = marker();
    String second = marker();
    scriptMemory(
        first,
        "Noted: the code word is heron.",
        second,
        "The code word was heron.",
        "I have no earlier conversation.");
    UUID task1 = UUID.randomUUID();
    UUID task2 = UUID.randomUUID();
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      Sessions.send(
          session.sessionId(), session.userId(), Sessions.task(task1, "remember heron " + first));
      Sessions.awaitTask(gateway, task1, "task.completed");
      Sessions.send(session.sessionId(), session.userId(), new SessionSnapshotRequested());
      String snapshot =
          Sessions.payload(
                  Sessions.await(gateway, session.sessionId(), "sandbox.snapshotted"),
                  SandboxSnapshotted.class)
              .snapshotId();

      // The host loses the sandbox; the gateway notices and says so.
      deleteSandboxOf(session);
      Sessions.send(session.sessionId(), session.userId(), new SessionPauseRequested("idle"));
      Sessions.await(gateway, session.sessionId(), "sandbox.lost");

      // session-service recovers it from the last snapshot, on a new sandbox. (This probe
      // started after the first provisioning: the only provisioned event it sees is this one.)
      Sessions.send(
          session.sessionId(),
          session.userId(),
          new SessionRequested(
              GitRepos.withReadme("unused: restored from the snapshot"),
              "main",
              "local",
              List.of(),
              java.util.Map.of(),
              null,
              Duration.ofMinutes(5),
              Instant.now().plusSeconds(3600),
              snapshot));
      Sessions.await(gateway, session.sessionId(), "sandbox.provisioned");

      Sessions.send(
          session.sessionId(), session.userId(), Sessions.task(task2, "the code word? " + second));
      TaskCompleted resumed =
          Sessions.payload(
              Sessions.awaitTask(gateway, task2, "task.completed"), TaskCompleted.class);
      assertThat(resumed.result()).isEqualTo("The code word was heron.");
    }
  }

  /**
   * Deletes the session's sandbox directory on the host, found by a marker written through the API.
   */
  private static void deleteSandboxOf(Sessions.Ready session) throws IOException {
    given()
        .auth()
        .oauth2(Tokens.forUser(session.userId()))
        .contentType("application/octet-stream")
        .queryParam("path", ".marker-" + session.sessionId())
        .body(new byte[0])
        .put("/api/v1/sessions/{id}/files", session.sessionId())
        .then()
        .statusCode(204);
    try (var dirs = Files.list(GatewayTestResource.sandboxRoot().resolve("sandboxes"))) {
      for (Path dir : dirs.toList()) {
        if (Files.exists(dir.resolve("workspace/.marker-" + session.sessionId()))) {
          try (var tree = Files.walk(dir)) {
            for (Path p : tree.sorted(java.util.Comparator.reverseOrder()).toList()) {
              Files.delete(p);
            }
          }
          return;
        }
      }
    }
    throw new IllegalStateException("no sandbox directory found");
  }

  @Test
  void aPromptFullOfShellMetacharactersReachesClaudeVerbatim() {
    Sessions.Ready session = Sessions.provision();
    String marker = marker();
    String prompt =
        "$(touch /workspace/pwned) `id` 'single' \"double\" ; | & > < \\ $HOME\nsecond line\t"
            + marker;
    stub.when(marker, Turn.text("ok"));
    UUID task = UUID.randomUUID();
    try (KafkaProbe gateway = KafkaProbe.watch(Topics.GATEWAY)) {
      Sessions.send(session.sessionId(), session.userId(), Sessions.task(task, prompt));
      Sessions.awaitTask(gateway, task, "task.completed");
    }
    assertThat(stub.requests())
        .filteredOn(r -> r.conversation().prompt().contains(marker))
        .first()
        .extracting(r -> r.conversation().prompt())
        .isEqualTo(prompt);
    given()
        .auth()
        .oauth2(Tokens.forUser(session.userId()))
        .queryParam("path", "pwned")
        .get("/api/v1/sessions/{id}/files", session.sessionId())
        .then()
        .statusCode(404);
  }

  private static JsonPath log(Sessions.Ready session) {
    return given()
        .auth()
        .oauth2(Tokens.forUser(session.userId()))
        .queryParam("limit", 1000)
        .get("/api/v1/sessions/{id}/events", session.sessionId())
        .then()
        .statusCode(200)
        .extract()
        .jsonPath();
  }

  /** Processes whose command line names the session's sandbox directory. */
  private static List<String> processesMentioning(UUID sessionId) throws IOException {
    Process ps = new ProcessBuilder("ps", "-eo", "args").start();
    String out = new String(ps.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String root = GatewayTestResource.sandboxRoot().toString();
    return out.lines().filter(l -> l.contains(root) && l.contains("claude")).toList();
  }

  private static String marker() {
    return "[m-" + UUID.randomUUID() + "]";
  }
}
