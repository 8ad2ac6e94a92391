package dev.remoteclaude.infra.anthropic;

import java.time.Duration;
import java.util.Map;

/** What the stub answers to one model call. */
public sealed interface Turn {

  /** A text answer that ends the turn. {@code chunks} deltas, {@code delay} between them. */
  record Text(String text, int chunks, Duration delay) implements Turn {}

  /** A tool call (Claude Code runs the tool and calls again with its result). */
  record ToolUse(String name, Map<String, Object> input) implements Turn {}

  /** An HTTP error as the Messages API reports it. */
  record Error(int status, String type, String message) implements Turn {}

  static Turn text(String text) {
    return new Text(text, 1, Duration.ZERO);
  }

  /** A text answer streamed slowly, for tests that act while Claude is "thinking". */
  static Turn slowText(String text, int chunks, Duration delay) {
    return new Text(text, chunks, delay);
  }

  static Turn bash(String command) {
    return new ToolUse("Bash", Map.of("command", command, "description", "run " + command));
  }

  /** Writes {@code path} (relative paths are resolved against Claude's working directory). */
  static Turn write(String path, String content) {
    return new ToolUse("Write", Map.of("file_path", path, "content", content));
  }

  static Turn error(int status, String message) {
    String type =
        switch (status) {
          case 400 -> "invalid_request_error";
          case 401 -> "authentication_error";
          case 403 -> "permission_error";
          case 404 -> "not_found_error";
          case 429 -> "rate_limit_error";
          case 529 -> "overloaded_error";
          default -> "api_error";
        };
    return new Error(status, type, message);
  }
}
