package dev.remoteclaude.gateway.claude;

import dev.remoteclaude.common.events.TaskDispatched;
import dev.remoteclaude.gateway.config.GatewayConfig;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The Claude Code command line for a task. Everything is an argument, never shell text, and the
 * prompt is not among them: it goes to the process's standard input. Options that could be read as
 * flags are refused.
 */
public final class ClaudeCommand {
  private ClaudeCommand() {}

  static final Set<String> PERMISSION_MODES =
      Set.of("default", "acceptEdits", "bypassPermissions", "plan", "dontAsk");
  private static final Pattern MODEL = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._:\\[\\]-]{0,127}");
  private static final Pattern TOOL = Pattern.compile("[A-Za-z][^\\n\\r]{0,199}");

  public static List<String> argv(
      String claude, TaskDispatched task, String defaultPermissionMode, String resume) {
    List<String> argv = new ArrayList<>();
    argv.add(claude);
    argv.add("-p");
    argv.add("--output-format");
    argv.add("stream-json");
    argv.add("--verbose");
    argv.add("--permission-mode");
    argv.add(task.permissionMode() == null ? defaultPermissionMode : task.permissionMode());
    if (task.model() != null) {
      argv.add("--model");
      argv.add(task.model());
    }
    if (task.maxTurns() != null) {
      argv.add("--max-turns");
      argv.add(task.maxTurns().toString());
    }
    if (resume != null) {
      argv.add("--resume");
      argv.add(resume);
    }
    if (task.allowedTools() != null && !task.allowedTools().isEmpty()) {
      argv.add("--allowedTools");
      argv.addAll(task.allowedTools());
    }
    return argv;
  }

  /** Why the task's options cannot be passed to Claude, if they cannot. */
  public static Optional<String> invalid(TaskDispatched task) {
    if (task.prompt() == null || task.prompt().isBlank()) {
      return Optional.of("the prompt is empty");
    }
    if (task.model() != null && !MODEL.matcher(task.model()).matches()) {
      return Optional.of("model is not a model name");
    }
    if (task.permissionMode() != null && !PERMISSION_MODES.contains(task.permissionMode())) {
      return Optional.of("unknown permission mode");
    }
    if (task.maxTurns() != null && (task.maxTurns() < 1 || task.maxTurns() > 1000)) {
      return Optional.of("max turns out of range");
    }
    if (task.allowedTools() != null) {
      for (String tool : task.allowedTools()) {
        if (tool == null || !TOOL.matcher(tool).matches()) {
          return Optional.of("allowed tool names must start with a letter");
        }
      }
    }
    return Optional.empty();
  }

  /**
   * Claude's process environment: the model proxy's URL and the run's token for it (never the
   * platform's key), and offline-friendly switches. These are set after the session's own
   * variables, so a session cannot point Claude elsewhere.
   */
  public static Map<String, String> environment(
      GatewayConfig.Claude claude, String proxyUrl, String token) {
    Map<String, String> env = new LinkedHashMap<>();
    env.put("DISABLE_TELEMETRY", "1");
    env.put("DISABLE_ERROR_REPORTING", "1");
    env.put("DISABLE_AUTOUPDATER", "1");
    env.put("CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC", "1");
    env.putAll(claude.env());
    env.put("ANTHROPIC_BASE_URL", proxyUrl);
    env.put("ANTHROPIC_API_KEY", token);
    return env;
  }
}
