package dev.remoteclaude.cli.render;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.remoteclaude.cli.Json;
import dev.remoteclaude.cli.stream.StreamEvent;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class EventRendererTest {

  private static final UUID TASK = UUID.fromString("1da354b1-f6a1-4551-8cf1-28a68b64470f");

  private final EventRenderer plain = new EventRenderer(Style.plain(), false);
  private final EventRenderer verbose = new EventRenderer(Style.plain(), true);

  private static long seq;

  static StreamEvent event(String type, UUID taskId, Object data) {
    ObjectNode node = Json.mapper().createObjectNode();
    node.put("seq", ++seq);
    node.put("type", type);
    node.put("taskId", taskId == null ? null : taskId.toString());
    node.put("at", "2025-06-01T10:00:00Z");
    node.set("data", Json.mapper().valueToTree(data));
    return StreamEvent.of(node);
  }

  private String render(String type, Object data) {
    return plain.render(event(type, TASK, data));
  }

  @Test
  void sessionStateShowsTheMoveAndItsReason() {
    assertThat(
            render(
                "session.state",
                Map.of("from", "PROVISIONING", "to", "READY", "reason", "sandbox ready")))
        .isEqualTo("● session PROVISIONING → READY: sandbox ready\n");
    assertThat(render("session.state", Map.of("to", "PAUSED"))).isEqualTo("● session PAUSED\n");
  }

  @Test
  void gitCommitsAndPullsShowTheCommits() {
    assertThat(
            render(
                "git.committed",
                Map.of(
                    "commit",
                    "7f3c1e2d4b5a",
                    "branch",
                    "claude/fix",
                    "filesChanged",
                    2,
                    "subject",
                    "Fix the login")))
        .isEqualTo("git: committed 7f3c1e2 on claude/fix: Fix the login\n");
    assertThat(
            render(
                "git.pulled",
                Map.of("branch", "main", "before", "1111111aaaa", "after", "2222222bbbb")))
        .isEqualTo("git: pulled main 1111111..2222222\n");
    assertThat(
            render(
                "git.pushed",
                Map.of("branch", "claude/3f2a9b1c", "commit", "abcdef0123456", "taskId", "t")))
        .isEqualTo("git: pushed claude/3f2a9b1c at abcdef0 (new branch)\n");
  }

  @Test
  void sessionNoticeShowsItsMessage() {
    assertThat(
            render(
                "session.notice",
                Map.of("kind", "IDLE_WARNING", "message", "idle: pausing in 60 s")))
        .isEqualTo("! idle: pausing in 60 s\n");
  }

  @Test
  void sandboxProgressNamesEachStep() {
    assertThat(render("sandbox.progress", Map.of("step", "requested", "provider", "local")))
        .isEqualTo("▸ sandbox requested (provider local)\n");
    assertThat(render("sandbox.progress", Map.of("step", "creating")))
        .isEqualTo("▸ creating the sandbox\n");
    assertThat(render("sandbox.progress", Map.of("step", "cloning")))
        .isEqualTo("▸ cloning the repository\n");
    assertThat(
            render(
                "sandbox.progress",
                Map.of("step", "setup", "index", 1, "of", 2, "command", "npm ci")))
        .isEqualTo("▸ setup 1/2: npm ci\n");
    assertThat(render("sandbox.progress", Map.of("step", "paused", "from", "ready")))
        .isEqualTo("▸ sandbox paused (was ready)\n");
  }

  @Test
  void sandboxReadyAndFailed() {
    assertThat(render("sandbox.ready", Map.of("provider", "local")))
        .isEqualTo("✓ sandbox ready (local)\n");
    assertThat(
            render(
                "sandbox.failed", Map.of("code", "CLONE_FAILED", "reason", "repository not found")))
        .isEqualTo("✗ sandbox failed: repository not found [CLONE_FAILED]\n");
  }

  @Test
  void taskQueuedAndStarted() {
    assertThat(render("task.queued", Map.of("position", 2, "prompt", "Add a hello world script")))
        .isEqualTo("● task 1da354b1 queued (#2): Add a hello world script\n");
    assertThat(render("task.started", Map.of("model", "sonnet", "resumes", "abc")))
        .isEqualTo("● task 1da354b1 started · model sonnet · continuing the conversation\n");
  }

  @Test
  void taskCompletedShowsDurationCostTurnsAndTokens() {
    Map<String, Object> usage =
        Map.of(
            "costUsd", 0.0366,
            "inputTokens", 800,
            "cacheReadTokens", 8000,
            "cacheCreationTokens", 0,
            "outputTokens", 67,
            "turns", 3,
            "durationMs", 12345);

    assertThat(render("task.completed", Map.of("result", "ok", "usage", usage)))
        .isEqualTo("✓ done in 12.3s · $0.0366 · 3 turns · 8.8k in / 67 out tokens\n");
  }

  @Test
  void taskFailedShowsCodeReasonAndItsFurtherLines() {
    String out =
        render(
            "task.failed",
            Map.of(
                "code",
                "ERROR",
                "reason",
                "Claude Code exited with code 1: boom\nline two",
                "usage",
                Map.of("costUsd", 0.002, "durationMs", 4100)));

    assertThat(out)
        .isEqualTo(
            "✗ failed (ERROR): Claude Code exited with code 1: boom · in 4.1s · $0.0020\n"
                + "  line two\n");
  }

  @Test
  void taskCancelled() {
    assertThat(render("task.cancelled", Map.of("reason", "cancelled by the user")))
        .isEqualTo("✗ task cancelled: cancelled by the user\n");
    assertThat(render("task.cancelled", Map.of("reason", ""))).isEqualTo("✗ task cancelled\n");
  }

  @Test
  void theMeterAndInitShowOnlyWhenVerbose() {
    Map<String, Object> meter =
        Map.of(
            "turns",
            2,
            "lastTool",
            "Bash",
            "inputTokens",
            3200,
            "outputTokens",
            12,
            "costUsd",
            0.0096,
            "estimated",
            true);
    Map<String, Object> init =
        Map.of("model", "claude-sonnet-4-5", "cwd", "/workspace", "permissionMode", "default");

    assertThat(render("task.meter", meter)).isEmpty();
    assertThat(render("claude.init", init)).isEmpty();
    assertThat(verbose.render(event("task.meter", TASK, meter)))
        .isEqualTo("  · 2 turns · $0.0096 (est.) · 3.2k in / 12 out · last tool Bash\n");
    assertThat(verbose.render(event("claude.init", TASK, init)))
        .isEqualTo(
            "· claude ready · model claude-sonnet-4-5 · in /workspace · permissions default\n");
  }

  @Test
  void assistantTextIsPrintedAsTextSetApartFromToolLines() {
    String first = render("claude.text", Map.of("text", "I'll add the script.\n\n"));
    String tool =
        render(
            "claude.tool_use",
            Map.of("id", "t1", "name", "Bash", "input", Map.of("command", "ls")));
    String second = render("claude.text", Map.of("text", "Done."));

    assertThat(first).isEqualTo("I'll add the script.\n");
    assertThat(tool).isEqualTo("\n⏺ Bash(ls)\n");
    assertThat(second).isEqualTo("\nDone.\n");
  }

  @Test
  void thinkingIsOneDimLineUnlessVerbose() {
    String long_ = "Let me think. ".repeat(20);

    assertThat(render("claude.thinking", Map.of("text", long_)))
        .startsWith("✻ Let me think.")
        .endsWith("…\n")
        .hasSizeLessThan(110);
    assertThat(verbose.render(event("claude.thinking", TASK, Map.of("text", "a\nb"))))
        .isEqualTo("✻ a\nb\n");
  }

  @Test
  void toolCallsAreOneCompactLineNamingWhatTheyTouch() {
    EventRenderer r = new EventRenderer(Style.plain(), false);
    r.render(event("claude.init", TASK, Map.of("cwd", "/workspace")));

    assertThat(
            r.render(
                event(
                    "claude.tool_use",
                    TASK,
                    Map.of(
                        "id",
                        "a",
                        "name",
                        "Write",
                        "input",
                        Map.of(
                            "file_path",
                            "/workspace/hello.sh",
                            "content",
                            "#!/bin/sh\necho hi\n")))))
        .isEqualTo("⏺ Write(hello.sh) · 2 lines\n");
    assertThat(
            r.render(
                event(
                    "claude.tool_use",
                    TASK,
                    Map.of(
                        "id",
                        "b",
                        "name",
                        "Grep",
                        "input",
                        Map.of("pattern", "TODO", "path", "src")))))
        .isEqualTo("⏺ Grep(TODO in src)\n");
    assertThat(
            r.render(
                event(
                    "claude.tool_use",
                    TASK,
                    Map.of(
                        "id", "c", "name", "mcp__db__query", "input", Map.of("sql", "select 1")))))
        .isEqualTo("⏺ mcp__db__query(select 1)\n");
    assertThat(
            r.render(
                event(
                    "claude.tool_use",
                    TASK,
                    Map.of(
                        "id", "d", "name", "Bash", "input", Map.of("command", "x".repeat(300))))))
        .hasSizeLessThan(120);
  }

  @Test
  void toolResultsShowTheirFirstLineAndHowMuchMore() {
    render("claude.tool_use", Map.of("id", "t1", "name", "Bash", "input", Map.of("command", "ls")));

    assertThat(
            render(
                "claude.tool_result",
                Map.of("toolUseId", "t1", "content", "total 20\na\nb\nc", "isError", false)))
        .isEqualTo("  ⎿ total 20 (+3 lines)\n");
    assertThat(
            render(
                "claude.tool_result",
                Map.of("toolUseId", "t1", "content", "No such file", "isError", true)))
        .isEqualTo("  ⎿ error: No such file\n");
    assertThat(
            render(
                "claude.tool_result", Map.of("toolUseId", "t1", "content", "", "isError", false)))
        .isEqualTo("  ⎿ (no output)\n");
  }

  @Test
  void aResultAfterAnotherCallNamesItsTool() {
    render("claude.tool_use", Map.of("id", "r", "name", "Read", "input", Map.of("file_path", "a")));
    render("claude.tool_use", Map.of("id", "g", "name", "Glob", "input", Map.of("pattern", "*")));

    assertThat(render("claude.tool_result", Map.of("toolUseId", "r", "content", "x")))
        .isEqualTo("  ⎿ Read: x\n");
  }

  @Test
  void verboseToolResultsShowMoreLines() {
    String content = String.join("\n", java.util.Collections.nCopies(25, "line"));
    verbose.render(
        event("claude.tool_use", TASK, Map.of("id", "t", "name", "Bash", "input", Map.of())));

    String out =
        verbose.render(
            event("claude.tool_result", TASK, Map.of("toolUseId", "t", "content", content)));

    assertThat(out.lines().toList()).hasSize(21).last().asString().contains("(+5 lines)");
  }

  @Test
  void claudeResultIsShownOnlyWhenItIsAnError() {
    assertThat(render("claude.result", Map.of("isError", false, "result", "fine"))).isEmpty();
    assertThat(render("claude.result", Map.of("isError", true, "result", "API error 529")))
        .isEqualTo("✗ claude: API error 529\n");
  }

  @Test
  void rawOutputIsPassedThroughAndStderrOtherShowWhenVerbose() {
    assertThat(render("claude.output", Map.of("text", "not json"))).isEqualTo("not json\n");
    assertThat(render("claude.stderr", Map.of("text", "warn"))).isEmpty();
    assertThat(verbose.render(event("claude.stderr", TASK, Map.of("text", "warn"))))
        .isEqualTo("stderr: warn\n");
    assertThat(render("claude.other", Map.of("type", "x"))).isEmpty();
    assertThat(verbose.render(event("claude.other", TASK, Map.of("type", "x"))))
        .isEqualTo("· {\"type\":\"x\"}\n");
  }

  @Test
  void commandsShowTheCommandItsOutputAsItCameAndTheExitCode() {
    EventRenderer r = new EventRenderer(Style.plain(), false);

    String started =
        r.render(
            event(
                "command.started",
                null,
                Map.of("commandId", "c", "command", List.of("ls", "-la", "my dir"))));
    String out1 =
        r.render(event("command.output", null, Map.of("stream", "stdout", "text", "a\nb")));
    String out2 = r.render(event("command.output", null, Map.of("stream", "stdout", "text", "c")));
    String exited =
        r.render(
            event(
                "command.exited",
                null,
                Map.of("exitCode", 2, "timedOut", true, "truncated", false)));

    assertThat(started).isEqualTo("$ ls -la 'my dir'\n");
    assertThat(out1 + out2 + exited).isEqualTo("a\nbc\n  exit 2 (timed out)\n");
    assertThat(r.render(event("command.started", null, Map.of("command", "npm test"))))
        .isEqualTo("$ npm test\n");
  }

  @Test
  void heartbeatsAndUnknownTypesAreSilentUnlessVerbose() {
    StreamEvent heartbeat =
        StreamEvent.parse("{\"type\":\"heartbeat\",\"at\":\"2025-06-01T10:00:00Z\"}");

    assertThat(plain.render(heartbeat)).isEmpty();
    assertThat(render("something.new", Map.of("a", 1))).isEmpty();
    assertThat(verbose.render(event("something.new", TASK, Map.of("a", 1))))
        .isEqualTo("· something.new {\"a\":1}\n");
  }

  @Test
  void asciiTerminalsGetAsciiSymbols() {
    EventRenderer ascii = new EventRenderer(Style.ascii(), false);

    assertThat(ascii.render(event("sandbox.ready", null, Map.of())))
        .isEqualTo("OK sandbox ready\n");
    assertThat(
            ascii.render(
                event(
                    "claude.tool_use",
                    TASK,
                    Map.of("name", "Bash", "input", Map.of("command", "ls")))))
        .isEqualTo("* Bash(ls)\n");
  }

  @Test
  void coloursOnlyWhenAsked() {
    EventRenderer colour = new EventRenderer(new Style(true, true), false);

    assertThat(colour.render(event("sandbox.ready", null, Map.of())))
        .isEqualTo("\u001b[32m✓ sandbox ready\u001b[0m\n");
  }
}
