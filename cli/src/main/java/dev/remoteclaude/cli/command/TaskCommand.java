package dev.remoteclaude.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import dev.remoteclaude.api.NewTask;
import dev.remoteclaude.api.TaskPullRequest;
import dev.remoteclaude.api.TaskState;
import dev.remoteclaude.api.TaskView;
import dev.remoteclaude.cli.CliContext;
import dev.remoteclaude.cli.CliException;
import dev.remoteclaude.cli.ExitCodes;
import dev.remoteclaude.cli.Json;
import dev.remoteclaude.cli.api.Api;
import dev.remoteclaude.cli.api.ApiException;
import dev.remoteclaude.cli.render.Format;
import dev.remoteclaude.cli.render.Style;
import dev.remoteclaude.cli.render.Table;
import dev.remoteclaude.cli.stream.EventLog;
import dev.remoteclaude.cli.stream.SessionStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rclaude task ...}: run (and stream), list, show, cancel. */
@Command(
    name = "task",
    aliases = "tasks",
    mixinStandardHelpOptions = true,
    description = "Run prompts in a session and follow them.",
    subcommands = {
      TaskCommand.Run.class,
      TaskCommand.ListTasks.class,
      TaskCommand.Show.class,
      TaskCommand.Cancel.class
    })
public final class TaskCommand implements Runnable {

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
  }

  /** How long a stream may answer 404 for a session that exists (it was created just now). */
  static final Duration NEW_SESSION_GRACE = Duration.ofSeconds(10);

  /** {@code task run}. */
  @Command(
      name = "run",
      mixinStandardHelpOptions = true,
      description = {
        "Submit a prompt and stream what Claude does.",
        "Shows Claude's text, each tool call and its result, then the cost and duration."
            + " Ctrl-C detaches (the task goes on) and prints how to re-attach.",
        "Exit code: 0 done, 1 failed, 9 cancelled, 130 detached."
      },
      footer = {
        "",
        "Examples:",
        "  rclaude task run $SESSION \"Add a hello world script\"",
        "  rclaude task run $SESSION --model sonnet --max-turns 10 \\",
        "      --allow Read --allow 'Bash(npm test:*)' \"Fix the failing test\"",
        "  git diff | rclaude task run $SESSION - --detach   (prompt from stdin)",
        "  rclaude task run $SESSION --pr --base main --draft \"Fix the flaky test\"",
        "  rclaude task run $SESSION \"Summarise the README\" -o json \\",
        "      | jq -r 'select(.type==\"claude.text\").data.text'"
      })
  static final class Run implements Callable<Integer> {
    private final CliContext context;

    @Mixin Options.SessionId session;

    @Parameters(
        index = "1..*",
        arity = "1..*",
        paramLabel = "PROMPT",
        description = "what Claude should do (words are joined; - reads it from stdin)")
    List<String> prompt;

    @Option(names = "--model", description = "the model, e.g. sonnet, opus, claude-sonnet-4-5")
    String model;

    @Option(names = "--max-turns", paramLabel = "N", description = "most agentic turns (1-200)")
    Integer maxTurns;

    @Option(
        names = {"--allow", "--allowed-tools"},
        split = ",",
        paramLabel = "TOOL",
        description = "tools Claude may use without asking, e.g. Read, 'Bash(git:*)' (repeatable)")
    List<String> allowedTools = new ArrayList<>();

    @Option(
        names = "--permission-mode",
        paramLabel = "MODE",
        description = "default, acceptEdits, bypassPermissions or plan")
    String permissionMode;

    @Option(
        names = "--max-cost",
        paramLabel = "USD",
        description =
            "the most the task's model answers may cost (USD); past it the task stops"
                + " BUDGET_EXCEEDED and the next task continues the conversation")
    java.math.BigDecimal maxCost;

    @Option(
        names = {"-d", "--detach"},
        description = "submit only: print the task and return at once")
    boolean detach;

    @Option(
        names = "--pr",
        description =
            "when the task succeeds, commit its changes on the session's branch, push them and"
                + " open (or update) a pull request")
    boolean pullRequest;

    @Option(
        names = "--base",
        paramLabel = "BRANCH",
        description = "with --pr: the branch to merge into (default: the repository's default)")
    String base;

    @Option(names = "--draft", description = "with --pr: open the pull request as a draft")
    boolean draft;

    @Option(
        names = "--pr-title",
        paramLabel = "TITLE",
        description = "with --pr: the pull request's title (default: from the task)")
    String prTitle;

    @Mixin Options.Verbose verbose;

    Run(CliContext context) {
      this.context = context;
    }

    @Override
    public Integer call() throws InterruptedException {
      String text = promptText();
      if (text.isBlank()) {
        throw new CliException(ExitCodes.USAGE, "the prompt is empty");
      }
      Api api = context.api();
      UUID sessionId = session.id;
      if (!pullRequest && (base != null || draft || prTitle != null)) {
        throw new CliException(
            ExitCodes.USAGE, "--base, --draft and --pr-title go with --pr (a pull request)");
      }
      NewTask body =
          new NewTask(
              text,
              model,
              maxTurns,
              allowedTools.isEmpty() ? null : allowedTools,
              permissionMode,
              pullRequest
                  ? new TaskPullRequest(base, draft ? Boolean.TRUE : null, prTitle, null)
                  : null,
              maxCost);
      // Where the log is now: the task's events all come after it.
      long head = detach ? 0 : head(api);
      JsonNode submitted = api.post("/api/v1/sessions/" + sessionId + "/tasks", body);
      TaskView task = Json.convert(submitted, TaskView.class);
      if (detach) {
        if (context.json()) {
          context.printJson(submitted);
        } else {
          context
              .out()
              .println(
                  "Task "
                      + task.id()
                      + " "
                      + task.state()
                      + (task.queuePosition() == null ? "" : " (#" + task.queuePosition() + ")")
                      + " in session "
                      + sessionId
                      + ".");
          context.out().println("Follow it: rclaude attach " + sessionId + " --task " + task.id());
        }
        return ExitCodes.OK;
      }
      if (!context.json()) {
        context
            .out()
            .println(context.style().dim("Task " + task.id() + " in session " + sessionId));
      }
      Follower follower =
          new Follower(
              context,
              sessionId,
              head,
              verbose.enabled,
              false,
              SessionStream.Options.defaults().withNotFoundGrace(NEW_SESSION_GRACE));
      return follower.follow(new Goals.TaskGoal(sessionId, task.id()), null, null);
    }

    /**
     * Where the session's log is now. A session created a moment ago may not be known to the stream
     * yet (404): its log is short, so follow it from the start; the submission says whether the
     * session exists.
     */
    private long head(Api api) {
      try {
        return new EventLog(api).head(session.id);
      } catch (ApiException e) {
        if (e.status() == 404) {
          return 0;
        }
        throw e;
      }
    }

    private String promptText() {
      if (prompt.size() == 1 && prompt.get(0).equals("-")) {
        try {
          return new String(context.in().readAllBytes(), StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
          throw new CliException(
              ExitCodes.FAILED, "cannot read the prompt from stdin: " + e.getMessage());
        }
      }
      return String.join(" ", prompt);
    }
  }

  /** {@code task list}. */
  @Command(
      name = "list",
      aliases = "ls",
      mixinStandardHelpOptions = true,
      description = "List a session's tasks, newest first.",
      footer = {"", "Example:", "  rclaude task list $SESSION"})
  static final class ListTasks implements Callable<Integer> {
    private final CliContext context;

    @Mixin Options.SessionId session;

    @Mixin Options.Page paging;

    ListTasks(CliContext context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      int page = paging.page;
      UUID sessionId = session.id;
      if (page < 1) {
        throw new CliException(ExitCodes.USAGE, "--page starts at 1");
      }
      JsonNode body =
          context
              .api()
              .get(
                  "/api/v1/sessions/"
                      + sessionId
                      + "/tasks?page="
                      + (page - 1)
                      + (paging.size == null ? "" : "&size=" + paging.size));
      if (context.json()) {
        context.printJson(body);
        return ExitCodes.OK;
      }
      Instant now = context.clock().instant();
      Table table = new Table("ID", "STATE", "QUEUED", "DURATION", "COST", "PROMPT");
      for (JsonNode item : body) {
        TaskView t = Json.convert(item, TaskView.class);
        table.row(
            String.valueOf(t.id()),
            t.state().name(),
            Format.relative(t.queuedAt(), now),
            duration(t, now),
            t.costUsd() == null ? "-" : Format.usd(t.costUsd()),
            Format.oneLine(promptText(t), 50, context.style()));
      }
      if (table.isEmpty()) {
        context
            .out()
            .println(
                page == 1
                    ? "No tasks yet. Run one: rclaude task run " + sessionId + " \"<prompt>\""
                    : "No tasks on page " + page + ".");
        return ExitCodes.OK;
      }
      table.print(context.out());
      return ExitCodes.OK;
    }
  }

  /** The prompt, or its preview in lists. */
  static String promptText(TaskView t) {
    return t.prompt() != null ? t.prompt() : t.promptPreview();
  }

  static String duration(TaskView t, Instant now) {
    if (t.durationMs() != null && t.durationMs() > 0) {
      return Format.millis(t.durationMs());
    }
    if (t.startedAt() != null) {
      Instant end = t.finishedAt() != null ? t.finishedAt() : now;
      return Format.duration(Duration.between(t.startedAt(), end));
    }
    return "-";
  }

  /** {@code task show}. */
  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Show one task: state, prompt, result, usage.",
      footer = {"", "Example:", "  rclaude task show $TASK"})
  static final class Show implements Callable<Integer> {
    private final CliContext context;

    @Mixin Options.TaskId task;

    Show(CliContext context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      JsonNode body = context.api().get("/api/v1/tasks/" + task.id);
      if (context.json()) {
        context.printJson(body);
        return ExitCodes.OK;
      }
      TaskView t = Json.convert(body, TaskView.class);
      Instant now = context.clock().instant();
      Style style = context.style();
      Details details = new Details();
      details.add("Task", String.valueOf(t.id()));
      details.add("Session", String.valueOf(t.sessionId()));
      details.add(
          "State",
          t.state()
              + (t.queuePosition() == null ? "" : " (#" + t.queuePosition() + " in the queue)")
              + (t.failureCode() == null ? "" : " [" + t.failureCode() + "]"));
      if (t.failureReason() != null) {
        details.add("Reason", t.failureReason());
      }
      details.add("Model", t.model());
      details.add("Queued", when(t.queuedAt(), now));
      details.add("Started", when(t.startedAt(), now));
      details.add("Finished", when(t.finishedAt(), now));
      if (t.startedAt() != null) {
        details.add("Duration", duration(t, now));
      }
      if (t.costUsd() != null) {
        details.add("Cost", Format.usd(t.costUsd()));
      }
      if (t.turns() != null) {
        details.add("Turns", String.valueOf(t.turns()));
      }
      if (t.inputTokens() != null || t.outputTokens() != null) {
        long in =
            value(t.inputTokens()) + value(t.cacheReadTokens()) + value(t.cacheCreationTokens());
        details.add(
            "Tokens",
            Format.tokens(in) + " in / " + Format.tokens(value(t.outputTokens())) + " out");
      }
      if (t.progress() != null) {
        TaskView.Progress p = t.progress();
        details.add(
            "Progress",
            (p.turns() == null ? "" : p.turns() + " turns")
                + (p.lastTool() == null ? "" : " " + style.dot() + " last tool " + p.lastTool())
                + (p.costUsd() == null ? "" : " " + style.dot() + " " + Format.usd(p.costUsd())));
      }
      details.add("Prompt", promptText(t));
      details.print(context.out());
      if (t.result() != null && !t.result().isBlank()) {
        context.out().println();
        context.out().println(t.result().stripTrailing());
      }
      return ExitCodes.OK;
    }

    private String when(Instant at, Instant now) {
      return at == null
          ? null
          : Format.time(at, context.zone()) + " (" + Format.relative(at, now) + ")";
    }

    private static long value(Long n) {
      return n == null ? 0 : n;
    }
  }

  /** {@code task cancel}. */
  @Command(
      name = "cancel",
      mixinStandardHelpOptions = true,
      description = "Cancel a task (a queued one at once, a running one shortly).",
      footer = {"", "Example:", "  rclaude task cancel $TASK --wait"})
  static final class Cancel implements Callable<Integer> {
    private final CliContext context;

    @Mixin Options.TaskId task;

    @Mixin Options.Wait waiting;

    Cancel(CliContext context) {
      this.context = context;
    }

    @Override
    public Integer call() throws InterruptedException {
      UUID id = task.id;
      JsonNode body = context.api().post("/api/v1/tasks/" + id + "/cancel", null);
      TaskView cancelled = Json.convert(body, TaskView.class);
      if (waiting.enabled() && !cancelled.state().isFinished()) {
        Polling.Result result = waiting.untilTaskEnds(context, id);
        if (result.body() == null) {
          return result.code();
        }
        body = result.body();
        cancelled = Json.convert(body, TaskView.class);
      }
      if (context.json()) {
        context.printJson(body);
      } else if (cancelled.state().isFinished()) {
        context.out().println("Task " + id + " " + cancelled.state());
      } else {
        context
            .out()
            .println(
                "Cancelling task "
                    + id
                    + " ("
                    + cancelled.state()
                    + "); it stops shortly. Check: rclaude task show "
                    + id);
      }
      // The cancel was done (or asked for); a task that finished otherwise first is a conflict.
      if (cancelled.state().isFinished() && cancelled.state() != TaskState.CANCELLED) {
        return ExitCodes.CONFLICT;
      }
      return ExitCodes.OK;
    }
  }
}
