package dev.remoteclaude.cli.command;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.remoteclaude.cli.ExitCodes;
import dev.remoteclaude.cli.Json;
import dev.remoteclaude.cli.support.CliRun;
import dev.remoteclaude.cli.support.FakePlatform;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(30)
class TaskCommandTest {

  private static final Map<String, Object> USAGE =
      Map.of(
          "costUsd",
          0.0366,
          "inputTokens",
          812,
          "cacheReadTokens",
          8000,
          "outputTokens",
          67,
          "turns",
          3,
          "durationMs",
          12_345);

  private final FakePlatform platform = new FakePlatform().heartbeats(200);
  private UUID session;

  @TempDir Path dir;

  @BeforeEach
  void session() {
    session = platform.session("READY");
    // what came before the task: another task's output, which `task run` must not show
    UUID earlier = UUID.randomUUID();
    platform.append(session, "task.started", earlier, Map.of());
    platform.append(session, "claude.text", earlier, Map.of("text", "an EARLIER answer"));
    platform.append(session, "task.completed", earlier, Map.of("usage", USAGE));
  }

  @AfterEach
  void stop() {
    platform.close();
  }

  private CliRun cli() {
    return CliRun.against(platform, dir);
  }

  private static List<Object[]> succeeding() {
    return List.of(
        new Object[] {"task.started", Map.of("model", "sonnet")},
        new Object[] {"claude.init", Map.of("cwd", "/workspace", "model", "sonnet")},
        new Object[] {"claude.text", Map.of("text", "I'll add the script.")},
        new Object[] {
          "claude.tool_use",
          Map.of(
              "id",
              "t1",
              "name",
              "Write",
              "input",
              Map.of("file_path", "/workspace/hello.sh", "content", "echo hi\n"))
        },
        new Object[] {
          "claude.tool_result",
          Map.of("toolUseId", "t1", "content", "File created", "isError", false)
        },
        new Object[] {"claude.text", Map.of("text", "Done: hello.sh prints hi.")},
        new Object[] {"claude.result", Map.of("isError", false, "result", "Done")},
        new Object[] {"task.completed", Map.of("result", "Done", "usage", USAGE)});
  }

  @Test
  void runSubmitsAndStreamsTheTaskThenItsCostAndDuration() {
    platform.taskScript(task -> succeeding());
    CliRun cli = cli();

    int code = cli.run("task", "run", session.toString(), "Add", "a", "hello", "world", "script");

    assertThat(code).isZero();
    UUID task = platform.tasks().get(0);
    assertThat(cli.out())
        .isEqualTo(
            "Task "
                + task
                + " in session "
                + session
                + "\n"
                + "● task "
                + task.toString().substring(0, 8)
                + " queued (#1): Add a hello world script\n"
                + "● task "
                + task.toString().substring(0, 8)
                + " started · model sonnet\n"
                + "\n"
                + "I'll add the script.\n"
                + "\n"
                + "⏺ Write(hello.sh) · 1 line\n"
                + "  ⎿ File created\n"
                + "\n"
                + "Done: hello.sh prints hi.\n"
                + "\n"
                + "✓ done in 12.3s · $0.0366 · 3 turns · 8.8k in / 67 out tokens\n");
    assertThat(cli.err()).isEmpty();
    JsonNode body = platform.lastBody("POST /api/v1/sessions/" + session + "/tasks");
    assertThat(body.path("prompt").asText()).isEqualTo("Add a hello world script");
    assertThat(platform.streamCursors()).containsExactly(3L);
  }

  @Test
  void runPassesTheTaskOptions() {
    platform.taskScript(task -> succeeding());

    cli()
        .run(
            "task",
            "run",
            session.toString(),
            "--model",
            "opus",
            "--max-turns",
            "5",
            "--allow",
            "Read,Bash(git:*)",
            "--allow",
            "Edit",
            "--permission-mode",
            "acceptEdits",
            "go");

    JsonNode body = platform.lastBody("POST /api/v1/sessions/" + session + "/tasks");
    assertThat(body.path("model").asText()).isEqualTo("opus");
    assertThat(body.path("maxTurns").asInt()).isEqualTo(5);
    assertThat(body.path("allowedTools").toString())
        .isEqualTo("[\"Read\",\"Bash(git:*)\",\"Edit\"]");
    assertThat(body.path("permissionMode").asText()).isEqualTo("acceptEdits");
  }

  @Test
  void runPassesTheTasksCostCapAndAFailedOneSaysItsBudgetIsSpent() {
    platform.taskScript(
        task ->
            List.of(
                new Object[] {"task.started", Map.of()},
                new Object[] {
                  "task.failed",
                  Map.of(
                      "code",
                      "BUDGET_EXCEEDED",
                      "reason",
                      "the task spent its budget of 1.5 USD",
                      "usage",
                      Map.of())
                }));
    CliRun run = cli();

    assertThat(run.run("task", "run", session.toString(), "--max-cost", "1.50", "go"))
        .isEqualTo(ExitCodes.FAILED);

    JsonNode body = platform.lastBody("POST /api/v1/sessions/" + session + "/tasks");
    assertThat(body.path("maxCostUsd").decimalValue()).isEqualByComparingTo("1.5");
    assertThat(run.out())
        .endsWith("✗ failed (BUDGET_EXCEEDED): the task spent its budget of 1.5 USD\n");
    // Without the option the body carries no cap.
    platform.taskScript(task -> succeeding());
    cli().run("task", "run", session.toString(), "go");
    assertThat(platform.lastBody("POST /api/v1/sessions/" + session + "/tasks").has("maxCostUsd"))
        .isFalse();
  }

  @Test
  void runWithPrAsksForAPullRequestAndItsOptionsNeedIt() {
    platform.taskScript(task -> succeeding());

    cli()
        .run(
            "task",
            "run",
            session.toString(),
            "--pr",
            "--base",
            "develop",
            "--draft",
            "--pr-title",
            "Fix it",
            "go");
    JsonNode pr =
        platform.lastBody("POST /api/v1/sessions/" + session + "/tasks").path("pullRequest");
    assertThat(pr.path("base").asText()).isEqualTo("develop");
    assertThat(pr.path("draft").asBoolean()).isTrue();
    assertThat(pr.path("title").asText()).isEqualTo("Fix it");

    cli().run("task", "run", session.toString(), "--pr", "go again");
    JsonNode plain =
        platform.lastBody("POST /api/v1/sessions/" + session + "/tasks").path("pullRequest");
    assertThat(plain.isObject()).isTrue();
    assertThat(plain.path("base").isMissingNode() || plain.path("base").isNull()).isTrue();

    cli().run("task", "run", session.toString(), "no pr");
    JsonNode none =
        platform.lastBody("POST /api/v1/sessions/" + session + "/tasks").path("pullRequest");
    assertThat(none.isMissingNode() || none.isNull()).isTrue();

    CliRun misuse = cli();
    assertThat(misuse.run("task", "run", session.toString(), "--draft", "go"))
        .isEqualTo(ExitCodes.USAGE);
    assertThat(misuse.err()).contains("--base, --draft and --pr-title go with --pr");
  }

  @Test
  void thePromptCanComeFromStdin() {
    platform.taskScript(task -> succeeding());

    assertThat(cli().stdin("Fix the bug\nin main.c\n").run("task", "run", session.toString(), "-"))
        .isZero();
    assertThat(
            platform
                .lastBody("POST /api/v1/sessions/" + session + "/tasks")
                .path("prompt")
                .asText())
        .isEqualTo("Fix the bug\nin main.c");
  }

  @Test
  void aFailedTaskExitsOneAndACancelledOneNine() {
    platform.taskScript(
        task ->
            List.of(
                new Object[] {"task.started", Map.of()},
                new Object[] {
                  "task.failed",
                  Map.of(
                      "code",
                      "ERROR",
                      "reason",
                      "Claude Code exited with code 1",
                      "usage",
                      Map.of())
                }));
    CliRun failed = cli();
    assertThat(failed.run("task", "run", session.toString(), "break")).isEqualTo(ExitCodes.FAILED);
    assertThat(failed.out()).endsWith("✗ failed (ERROR): Claude Code exited with code 1\n");

    platform.taskScript(
        task ->
            List.<Object[]>of(
                new Object[] {"task.cancelled", Map.of("reason", "cancelled by the user")}));
    CliRun cancelled = cli();
    assertThat(cancelled.run("task", "run", session.toString(), "stop"))
        .isEqualTo(ExitCodes.CANCELLED);
    assertThat(cancelled.out()).endsWith("✗ task cancelled: cancelled by the user\n");
  }

  @Test
  void aDroppedStreamIsResumedWithoutLosingOrRepeatingALine() {
    platform.taskScript(task -> succeeding());
    // first connection: slow consumer after 3 messages; second: replays old events again
    platform.drop(
        new FakePlatform.Drop(3, (short) 4008, false),
        new FakePlatform.Drop(2, (short) 1001, true));
    CliRun cli = cli();

    assertThat(cli.run("task", "run", session.toString(), "Add a hello world script")).isZero();

    assertThat(cli.out())
        .containsOnlyOnce("I'll add the script.")
        .containsOnlyOnce("⏺ Write(hello.sh)")
        .containsOnlyOnce("  ⎿ File created")
        .containsOnlyOnce("Done: hello.sh prints hi.")
        .containsOnlyOnce("✓ done in 12.3s")
        .doesNotContain("EARLIER");
    assertThat(platform.streamCursors()).hasSize(3).startsWith(3L);
    assertThat(cli.err()).contains("reconnecting after seq");
  }

  @Test
  void ctrlCDetachesAndSaysHowToReattach() throws Exception {
    platform.taskScript(task -> List.<Object[]>of(new Object[] {"task.started", Map.of()}));
    CliRun cli = cli();
    CompletableFuture<Integer> run = cli.start("task", "run", session.toString(), "a long one");
    await().until(() -> cli.out().contains("started"));

    assertThat(cli.interrupt()).isTrue();

    assertThat(run.get(10, TimeUnit.SECONDS)).isEqualTo(ExitCodes.DETACHED);
    UUID task = platform.tasks().get(0);
    assertThat(cli.err())
        .contains("Detached; task " + task + " goes on.")
        .contains("rclaude attach " + session + " --task " + task + " --after 5")
        .contains("rclaude task show " + task);
    assertThat(platform.task(task).path("state").asText()).isEqualTo("QUEUED"); // not cancelled
  }

  @Test
  void anEndTheStreamNeverShowedIsFoundThroughTheApi() throws Exception {
    platform.taskScript(task -> List.<Object[]>of(new Object[] {"task.started", Map.of()}));
    CliRun cli = cli();
    CompletableFuture<Integer> run = cli.start("task", "run", session.toString(), "x");
    await().until(() -> !platform.tasks().isEmpty());
    UUID task = platform.tasks().get(0);

    platform.task(task).put("failureReason", "its session went away");
    platform.task(task, "INTERRUPTED");

    assertThat(run.get(20, TimeUnit.SECONDS)).isEqualTo(ExitCodes.FAILED);
    assertThat(cli.out()).endsWith("✗ task interrupted: its session went away\n");
  }

  @Test
  void jsonOutputIsOneEventPerLine() {
    platform.taskScript(task -> succeeding());
    CliRun cli = cli();

    assertThat(cli.run("task", "run", session.toString(), "go", "-o", "json")).isZero();

    List<JsonNode> lines = cli.out().lines().map(Json::parseOrNull).toList();
    assertThat(lines).hasSize(9).allSatisfy(line -> assertThat(line.has("seq")).isTrue());
    assertThat(lines.get(0).path("type").asText()).isEqualTo("task.queued");
    assertThat(lines.get(8).path("type").asText()).isEqualTo("task.completed");
    assertThat(lines.get(8).path("data").path("usage").path("costUsd").asDouble())
        .isEqualTo(0.0366);
  }

  @Test
  void detachSubmitsOnly() {
    CliRun cli = cli();

    assertThat(cli.run("task", "run", "-d", session.toString(), "later")).isZero();

    UUID task = platform.tasks().get(0);
    assertThat(cli.out())
        .isEqualTo(
            "Task "
                + task
                + " QUEUED (#1) in session "
                + session
                + ".\n"
                + "Follow it: rclaude attach "
                + session
                + " --task "
                + task
                + "\n");
    assertThat(platform.streamCursors()).isEmpty();
  }

  @Test
  void listShowAndCancel() {
    cli().run("task", "run", "-d", session.toString(), "first prompt");
    UUID task = platform.tasks().get(0);
    CliRun list = cli();
    CliRun show = cli();
    CliRun cancel = cli();

    assertThat(list.run("task", "list", session.toString())).isZero();
    assertThat(show.run("task", "show", task.toString())).isZero();
    assertThat(cancel.run("task", "cancel", task.toString())).isZero();

    assertThat(list.out().lines().toList())
        .first()
        .asString()
        .matches("ID +STATE +QUEUED +DURATION +COST +PROMPT");
    assertThat(list.out()).contains(task + "  QUEUED").contains("first prompt");
    assertThat(show.out())
        .contains("Task     " + task)
        .contains("State    QUEUED (#1 in the queue)")
        .contains("Prompt   first prompt");
    assertThat(cancel.out()).isEqualTo("Task " + task + " CANCELLED\n");
  }

  @Test
  void anEmptyPromptIsAUsageError() {
    CliRun cli = cli();

    assertThat(cli.run("task", "run", session.toString(), " ")).isEqualTo(ExitCodes.USAGE);
    assertThat(cli.err()).isEqualTo("error: the prompt is empty\n");
  }
}
