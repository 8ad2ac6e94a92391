package dev.remoteclaude.gateway.task;

import dev.remoteclaude.common.events.TaskFailed;
import dev.remoteclaude.common.events.Usage;
import dev.remoteclaude.gateway.claude.ClaudeResult;
import dev.remoteclaude.gateway.work.StopSignal;
import java.util.Optional;

/** How a run ended, decided from Claude's output and whether the run was asked to stop. */
sealed interface RunOutcome {

  /** Claude finished the task. */
  record Completed(ClaudeResult result) implements RunOutcome {}

  /**
   * The run failed; {@code conversation} is Claude's conversation id worth keeping (so a retry
   * continues it), or null.
   */
  record Failed(String code, String reason, Integer exitCode, Usage usage, String conversation)
      implements RunOutcome {}

  /**
   * @param budgetSpent why the model proxy refused the run's requests for its cost cap, if it did:
   *     the run fails BUDGET_EXCEEDED and keeps its conversation
   */
  static RunOutcome of(
      ClaudeOutput output,
      Optional<StopSignal> stop,
      long timeoutMinutes,
      Optional<String> budgetSpent) {
    Optional<ClaudeResult> result = output.result();
    Usage usage = result.map(ClaudeResult::usage).orElse(Usage.none());
    Integer exitCode = output.exit() == null ? null : output.exit().exitCode();
    if (stop.isPresent()) {
      return new Failed(stop.get().code(), stop.get().reason(), exitCode, usage, null);
    }
    if (budgetSpent.isPresent()) {
      return new Failed(
          TaskFailed.BUDGET_EXCEEDED,
          budgetSpent.get(),
          exitCode,
          usage,
          result.map(ClaudeResult::claudeSessionId).orElse(null));
    }
    if (output.startFailure() != null) {
      return new Failed(
          TaskFailed.SANDBOX_UNAVAILABLE,
          "the sandbox could not start Claude Code",
          null,
          usage,
          null);
    }
    if (output.exit() != null && output.exit().timedOut()) {
      return new Failed(
          TaskFailed.TIMEOUT,
          "the task ran longer than " + timeoutMinutes + " minutes",
          exitCode,
          usage,
          null);
    }
    if (result.isPresent() && !result.get().isError()) {
      return new Completed(result.get());
    }
    if (result.isPresent()) {
      ClaudeResult error = result.get();
      return new Failed(
          TaskFailed.ERROR,
          error.text() == null ? "Claude Code reported an error" : error.text(),
          exitCode,
          usage,
          error.usage().turns() > 0 ? error.claudeSessionId() : null);
    }
    String tail = output.stderrTail();
    return new Failed(
        TaskFailed.ERROR,
        "Claude Code exited with code " + exitCode + (tail.isBlank() ? "" : ": " + tail),
        exitCode,
        usage,
        null);
  }
}
