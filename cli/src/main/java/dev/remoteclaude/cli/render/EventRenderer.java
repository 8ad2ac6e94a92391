package dev.remoteclaude.cli.render;

import static dev.remoteclaude.cli.stream.EventTypes.*;

import com.fasterxml.jackson.databind.JsonNode;
import dev.remoteclaude.api.SessionState;
import dev.remoteclaude.cli.Json;
import dev.remoteclaude.cli.stream.StreamEvent;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns stream events into what a person reads: the assistant's text as text, tool calls as one
 * compact line ({@code ⏺ Bash(npm test)}) with their result under it ({@code ⎿ 12 passed (+40
 * lines)}), progress and state changes as short marked lines, and the cost and duration when a task
 * ends. Verbose mode adds the meter, Claude's init, stderr, whole thinking and longer tool results.
 *
 * <p>{@link #render} returns exactly what to print (possibly nothing); command output is passed
 * through as it came, and the renderer starts a new line before the next marked line if the output
 * did not end with one. One renderer per stream: it remembers tool names and the line position.
 */
public final class EventRenderer {

  static final int LINE = 120;
  static final int VERBOSE_RESULT_LINES = 20;
  static final int FAILURE_LINES = 12;

  private final Style style;
  private final boolean verbose;
  private final Map<String, String> toolNames = new HashMap<>();
  private String lastToolUseId;
  private String cwd;
  private boolean atLineStart = true;
  private boolean printedAny;
  private boolean lastWasText;

  public EventRenderer(Style style, boolean verbose) {
    this.style = style;
    this.verbose = verbose;
  }

  /** What to print for the event: one or more whole lines, raw command output, or "". */
  public String render(StreamEvent event) {
    if (event == null || event.isHeartbeat()) {
      return "";
    }
    if (COMMAND_OUTPUT.equals(event.type())) {
      String text = event.text("text");
      if (text == null || text.isEmpty()) {
        return "";
      }
      atLineStart = text.endsWith("\n");
      return text;
    }
    if (CLAUDE_INIT.equals(event.type())) {
      cwd = event.text("cwd");
    }
    List<String> lines = lines(event);
    if (lines.isEmpty()) {
      return "";
    }
    StringBuilder out = new StringBuilder();
    if (!atLineStart) {
      out.append('\n');
    }
    // The assistant's text stands apart from the compact lines around it.
    boolean text = CLAUDE_TEXT.equals(event.type());
    if (printedAny && (text || lastWasText)) {
      out.append('\n');
    }
    for (String line : lines) {
      out.append(line).append('\n');
    }
    atLineStart = true;
    printedAny = true;
    lastWasText = text;
    return out.toString();
  }

  private List<String> lines(StreamEvent e) {
    JsonNode d = e.data();
    return switch (e.type()) {
      case SESSION_STATE -> sessionState(d);
      case SESSION_NOTICE -> notice(d);
      case SANDBOX_PROGRESS -> List.of(style.dim(style.step() + " " + progress(d)));
      case SANDBOX_READY ->
          List.of(
              style.green(
                  style.ok()
                      + " sandbox ready"
                      + (text(d, "provider") == null ? "" : " (" + text(d, "provider") + ")")));
      case SANDBOX_FAILED ->
          List.of(
              style.red(
                  style.fail()
                      + " sandbox failed: "
                      + orElse(text(d, "reason"), "no reason given")
                      + (text(d, "code") == null ? "" : " [" + text(d, "code") + "]")));
      case TASK_QUEUED -> taskQueued(e, d);
      case TASK_STARTED -> taskStarted(e, d);
      case TASK_METER ->
          verbose ? List.of(style.dim("  " + style.dot() + " " + meter(d))) : List.of();
      case TASK_COMPLETED -> List.of(style.green(style.ok() + " done" + usage(d.path("usage"))));
      case TASK_FAILED -> taskFailed(d);
      case TASK_CANCELLED -> {
        String reason = text(d, "reason");
        yield List.of(
            style.yellow(
                style.fail()
                    + " task cancelled"
                    + (reason == null || reason.isBlank() ? "" : ": " + reason)));
      }
      case CLAUDE_INIT -> verbose ? List.of(style.dim(init(d))) : List.of();
      case CLAUDE_TEXT -> paragraph(text(d, "text"));
      case CLAUDE_THINKING -> thinking(text(d, "text"));
      case CLAUDE_TOOL_USE -> List.of(toolUse(d));
      case CLAUDE_TOOL_RESULT -> toolResult(d);
      case CLAUDE_RESULT -> claudeResult(d);
      case CLAUDE_OUTPUT -> paragraph(text(d, "text"));
      case CLAUDE_STDERR ->
          verbose ? List.of(style.dim("stderr: " + orElse(text(d, "text"), ""))) : List.of();
      case CLAUDE_OTHER ->
          verbose
              ? List.of(style.dim(style.dot() + " " + Format.oneLine(Json.compact(d), LINE, style)))
              : List.of();
      case PR_OPENED ->
          List.of(
              style.green(
                  style.ok()
                      + " pull request #"
                      + d.path("number").asText()
                      + " opened: "
                      + orElse(text(d, "url"), "")));
      case PR_UPDATED ->
          List.of(
              style.dim(
                  style.step()
                      + " pull request #"
                      + d.path("number").asText()
                      + " "
                      + orElse(text(d, "change"), "updated")
                      + " ("
                      + orElse(text(d, "state"), "?")
                      + ")"));
      case COMMAND_STARTED -> List.of(style.bold("$ " + command(d.path("command"))));
      case COMMAND_EXITED -> List.of(exited(d));
      case GIT_COMMITTED ->
          List.of(
              style.bold(
                  "git: committed "
                      + shortCommit(text(d, "commit"))
                      + " on "
                      + orElse(text(d, "branch"), "a detached HEAD")
                      + ": "
                      + Format.oneLine(orElse(text(d, "subject"), ""), LINE, style)));
      case GIT_PUSHED ->
          List.of(
              style.bold(
                  "git: pushed "
                      + orElse(text(d, "branch"), "")
                      + " at "
                      + shortCommit(text(d, "commit"))
                      + (d.hasNonNull("previousCommit") ? "" : " (new branch)")));
      case GIT_PULLED ->
          List.of(
              style.bold(
                  "git: pulled "
                      + orElse(text(d, "branch"), "")
                      + " "
                      + shortCommit(text(d, "before"))
                      + ".."
                      + shortCommit(text(d, "after"))));
      default ->
          verbose
              ? List.of(
                  style.dim(
                      style.dot()
                          + " "
                          + e.type()
                          + " "
                          + Format.oneLine(Json.compact(d), LINE, style)))
              : List.of();
    };
  }

  private List<String> sessionState(JsonNode d) {
    String to = orElse(text(d, "to"), "?");
    String from = text(d, "from");
    String reason = text(d, "reason");
    String line =
        style.bullet()
            + " session "
            + (from == null ? "" : from + " " + style.arrow() + " ")
            + to
            + (reason == null || reason.isBlank() ? "" : ": " + reason);
    return List.of(
        switch (SessionState.named(to).orElse(null)) {
          case READY -> style.green(line);
          case FAILED -> style.red(line);
          case null, default -> style.cyan(line);
        });
  }

  private List<String> notice(JsonNode d) {
    String message = orElse(text(d, "message"), orElse(text(d, "kind"), "notice"));
    return List.of(style.yellow(style.notice() + " " + message));
  }

  private String progress(JsonNode d) {
    String step = orElse(text(d, "step"), "working");
    return switch (step) {
      case "requested" ->
          "sandbox requested"
              + (text(d, "provider") == null ? "" : " (provider " + text(d, "provider") + ")");
      case "reprovisioning" -> "provisioning the sandbox again";
      case "creating" -> "creating the sandbox";
      case "cloning" -> "cloning the repository";
      case "restored" -> "restored from the snapshot";
      case "setup" ->
          "setup"
              + (d.has("index") ? " " + d.path("index").asText() + "/" + d.path("of").asText() : "")
              + (text(d, "command") == null
                  ? ""
                  : ": " + Format.oneLine(text(d, "command"), 100, style));
      default ->
          "sandbox "
              + step.replace('_', ' ')
              + (text(d, "from") == null ? "" : " (was " + text(d, "from") + ")");
    };
  }

  private List<String> taskQueued(StreamEvent e, JsonNode d) {
    String prompt = text(d, "prompt");
    String position = d.path("position").isNumber() ? " (#" + d.path("position").asInt() + ")" : "";
    return List.of(
        style.cyan(
            style.bullet()
                + " task "
                + Format.shortId(e.taskId())
                + " queued"
                + position
                + (prompt == null ? "" : ": " + Format.oneLine(prompt, 80, style))));
  }

  private List<String> taskStarted(StreamEvent e, JsonNode d) {
    StringBuilder line =
        new StringBuilder(style.bullet() + " task " + Format.shortId(e.taskId()) + " started");
    if (text(d, "model") != null) {
      line.append(' ').append(style.dot()).append(" model ").append(text(d, "model"));
    }
    if (text(d, "resumes") != null) {
      line.append(' ').append(style.dot()).append(" continuing the conversation");
    }
    return List.of(style.cyan(line.toString()));
  }

  private String meter(JsonNode d) {
    List<String> parts = new ArrayList<>();
    if (d.path("turns").isNumber()) {
      parts.add(plural(d.path("turns").asInt(), "turn"));
    }
    if (d.path("costUsd").isNumber()) {
      parts.add(
          Format.usd(d.path("costUsd").decimalValue())
              + (d.path("estimated").asBoolean(false) ? " (est.)" : ""));
    }
    if (d.path("inputTokens").isNumber() || d.path("outputTokens").isNumber()) {
      parts.add(
          Format.tokens(d.path("inputTokens").asLong())
              + " in / "
              + Format.tokens(d.path("outputTokens").asLong())
              + " out");
    }
    if (text(d, "lastTool") != null) {
      parts.add("last tool " + text(d, "lastTool"));
    }
    return String.join(" " + style.dot() + " ", parts);
  }

  /** {@code in 12.3s · $0.0123 · 3 turns · 1.2k in / 567 out tokens}, from a usage object. */
  String usage(JsonNode u) {
    if (u == null || !u.isObject()) {
      return "";
    }
    List<String> parts = new ArrayList<>();
    if (u.path("durationMs").asLong() > 0) {
      parts.add("in " + Format.millis(u.path("durationMs").asLong()));
    }
    if (u.path("costUsd").isNumber()) {
      parts.add(Format.usd(u.path("costUsd").decimalValue()));
    }
    if (u.path("turns").asInt() > 0) {
      parts.add(plural(u.path("turns").asInt(), "turn"));
    }
    long in =
        u.path("inputTokens").asLong()
            + u.path("cacheReadTokens").asLong()
            + u.path("cacheCreationTokens").asLong();
    long out = u.path("outputTokens").asLong();
    if (in > 0 || out > 0) {
      parts.add(Format.tokens(in) + " in / " + Format.tokens(out) + " out tokens");
    }
    return parts.isEmpty() ? "" : " " + String.join(" " + style.dot() + " ", parts);
  }

  private List<String> taskFailed(JsonNode d) {
    String code = text(d, "code");
    String reason = orElse(text(d, "reason"), "no reason given");
    String[] reasonLines = reason.strip().split("\\R");
    List<String> out = new ArrayList<>();
    out.add(
        style.red(
            style.fail()
                + " failed"
                + (code == null ? "" : " (" + code + ")")
                + ": "
                + reasonLines[0]
                + usage(d.path("usage")).replaceFirst("^ ", " " + style.dot() + " ")));
    int shown = Math.min(reasonLines.length, FAILURE_LINES);
    for (int i = 1; i < shown; i++) {
      out.add(style.red("  " + reasonLines[i]));
    }
    if (reasonLines.length > shown) {
      out.add(
          style.red("  " + style.ellipsis() + " (+" + (reasonLines.length - shown) + " lines)"));
    }
    return out;
  }

  private String init(JsonNode d) {
    List<String> parts = new ArrayList<>();
    parts.add(style.dot() + " claude ready");
    if (text(d, "model") != null) {
      parts.add("model " + text(d, "model"));
    }
    if (text(d, "cwd") != null) {
      parts.add("in " + text(d, "cwd"));
    }
    if (text(d, "permissionMode") != null) {
      parts.add("permissions " + text(d, "permissionMode"));
    }
    return String.join(" " + style.dot() + " ", parts);
  }

  private List<String> paragraph(String text) {
    if (text == null) {
      return List.of();
    }
    String trimmed = text.stripTrailing();
    return trimmed.isEmpty() ? List.of() : List.of(trimmed);
  }

  private List<String> thinking(String text) {
    if (text == null || text.isBlank()) {
      return List.of();
    }
    if (verbose) {
      return List.of(style.dim(style.thinking() + " " + text.strip()));
    }
    return List.of(style.dim(style.thinking() + " " + Format.oneLine(text, 100, style)));
  }

  private String toolUse(JsonNode d) {
    String name = orElse(text(d, "name"), "tool");
    String id = text(d, "id");
    if (id != null) {
      toolNames.put(id, name);
      lastToolUseId = id;
    }
    String summary = toolSummary(name, d.path("input"));
    return style.bold(style.tool() + " " + name)
        + (summary.isEmpty() ? "" : "(" + summary + ")")
        + toolDetail(name, d.path("input"));
  }

  /** The one argument that says what a tool call does. */
  String toolSummary(String name, JsonNode input) {
    if (input == null || !input.isObject()) {
      return "";
    }
    String value =
        switch (name) {
          case "Bash" -> text(input, "command");
          case "Read", "Write", "Edit", "MultiEdit" -> relative(text(input, "file_path"));
          case "NotebookEdit", "NotebookRead" -> relative(text(input, "notebook_path"));
          case "Glob", "Grep" ->
              text(input, "pattern")
                  + (text(input, "path") == null ? "" : " in " + text(input, "path"));
          case "WebFetch" -> text(input, "url");
          case "WebSearch" -> text(input, "query");
          case "Task" -> text(input, "description");
          case "TodoWrite" ->
              input.path("todos").isArray() ? plural(input.path("todos").size(), "item") : null;
          case "LS" -> relative(text(input, "path"));
          default -> null;
        };
    if (value == null) {
      value = firstText(input);
    }
    if (value == null) {
      value = input.isEmpty() ? "" : Json.compact(input);
    }
    return Format.oneLine(value, 100, style);
  }

  /** A path inside Claude's working directory, relative to it. */
  private String relative(String path) {
    if (path == null || cwd == null || cwd.isEmpty()) {
      return path;
    }
    String prefix = cwd.endsWith("/") ? cwd : cwd + "/";
    return path.startsWith(prefix) && path.length() > prefix.length()
        ? path.substring(prefix.length())
        : path;
  }

  private String toolDetail(String name, JsonNode input) {
    if ("Write".equals(name) && text(input, "content") != null) {
      long lines = text(input, "content").lines().count();
      return style.dim(" " + style.dot() + " " + plural(lines, "line"));
    }
    if (("Edit".equals(name) || "MultiEdit".equals(name)) && input.path("edits").isArray()) {
      return style.dim(" " + style.dot() + " " + plural(input.path("edits").size(), "edit"));
    }
    return "";
  }

  private List<String> toolResult(JsonNode d) {
    String id = text(d, "toolUseId");
    String content = orElse(text(d, "content"), "");
    boolean error = d.path("isError").asBoolean(false);
    String prefix = "  " + style.result() + " ";
    if (id != null && !id.equals(lastToolUseId) && toolNames.containsKey(id)) {
      prefix += toolNames.get(id) + ": ";
    }
    List<String> lines = content.strip().lines().toList();
    List<String> out = new ArrayList<>();
    if (lines.isEmpty() || content.isBlank()) {
      out.add(style.dim(prefix + (error ? "error" : "(no output)")));
      return out;
    }
    if (!verbose) {
      String first = Format.oneLine(lines.get(0), LINE, style);
      String more = lines.size() > 1 ? " (+" + plural(lines.size() - 1, "line") + ")" : "";
      out.add(
          error ? style.red(prefix + "error: " + first + more) : style.dim(prefix + first + more));
      return out;
    }
    int shown = Math.min(lines.size(), VERBOSE_RESULT_LINES);
    String indent = " ".repeat(prefix.length());
    for (int i = 0; i < shown; i++) {
      String line = (i == 0 ? prefix + (error ? "error: " : "") : indent) + lines.get(i);
      out.add(error ? style.red(line) : style.dim(line));
    }
    if (lines.size() > shown || d.path("truncated").asBoolean(false)) {
      out.add(
          style.dim(
              indent + style.ellipsis() + " (+" + plural(lines.size() - shown, "line") + ")"));
    }
    return out;
  }

  private List<String> claudeResult(JsonNode d) {
    if (!d.path("isError").asBoolean(false)) {
      return List.of();
    }
    return List.of(
        style.red(
            style.fail()
                + " claude: "
                + orElse(text(d, "result"), orElse(text(d, "subtype"), "error"))));
  }

  private String command(JsonNode command) {
    if (command.isTextual()) {
      return Format.oneLine(command.asText(), 200, style);
    }
    List<String> words = new ArrayList<>();
    for (JsonNode word : command) {
      words.add(quote(word.asText()));
    }
    return String.join(" ", words);
  }

  private static String shortCommit(String commit) {
    return commit == null ? "?" : commit.substring(0, Math.min(7, commit.length()));
  }

  private String exited(JsonNode d) {
    int code = d.path("exitCode").asInt();
    String line =
        "  exit "
            + code
            + (d.path("timedOut").asBoolean(false) ? " (timed out)" : "")
            + (d.path("truncated").asBoolean(false) ? " (output truncated)" : "");
    return code == 0 ? style.dim(line) : style.red(line);
  }

  /** Shell-quotes a word when it needs it. */
  static String quote(String word) {
    if (!word.isEmpty() && word.matches("[A-Za-z0-9_./:=@%+,-]+")) {
      return word;
    }
    return "'" + word.replace("'", "'\\''") + "'";
  }

  private static String firstText(JsonNode input) {
    for (var field : input.properties()) {
      if (field.getValue().isTextual() && !field.getValue().asText().isBlank()) {
        return field.getValue().asText();
      }
    }
    return null;
  }

  private static String plural(long n, String noun) {
    return n + " " + noun + (n == 1 ? "" : "s");
  }

  private static String text(JsonNode node, String field) {
    return Json.text(node, field);
  }

  private static String orElse(String value, String fallback) {
    return value == null ? fallback : value;
  }
}
