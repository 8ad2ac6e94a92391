package dev.remoteclaude.task.rest;

import com.fasterxml.jackson.annotation.JsonInclude;
import dev.remoteclaude.api.TaskState;
import dev.remoteclaude.task.Task;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A task as its owner sees it. Absent members are omitted: {@code result} and usage appear when the
 * run ended, {@code progress} while it runs, {@code queuePosition} while it waits. Lists carry only
 * the prompt's preview; a single task carries the whole prompt.
 *
 * @param queuePosition while QUEUED: 1 = next to run
 * @param cancelRequestedAt when the owner asked to cancel the run (the gateway confirms it)
 * @param failureCode the gateway's code when the run did not succeed (ERROR, TIMEOUT, ...)
 * @param failureReason why the task did not succeed
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record TaskView(
    UUID id,
    UUID sessionId,
    TaskState state,
    Integer queuePosition,
    String prompt,
    String promptPreview,
    String model,
    Integer maxTurns,
    List<String> allowedTools,
    String permissionMode,
    Instant queuedAt,
    Instant dispatchedAt,
    Instant startedAt,
    Instant finishedAt,
    Instant cancelRequestedAt,
    String result,
    BigDecimal costUsd,
    Long inputTokens,
    Long outputTokens,
    Long cacheReadTokens,
    Long cacheCreationTokens,
    Integer turns,
    Long durationMs,
    String failureCode,
    String failureReason,
    Integer exitCode,
    Progress progress) {

  /** How far a running task has come. */
  public record Progress(
      Integer turns,
      String lastTool,
      BigDecimal costUsd,
      Long inputTokens,
      Long outputTokens,
      Instant at) {}

  /** The full task; {@code queuePosition} is 0 when the task is not waiting. */
  public static TaskView of(Task task, int queuePosition) {
    return of(task, task.prompt, queuePosition > 0 ? queuePosition : null);
  }

  /** A history entry: the prompt's preview only. */
  public static TaskView summaryOf(Task task) {
    return of(task, null, null);
  }

  private static TaskView of(Task task, String prompt, Integer queuePosition) {
    Progress progress =
        task.state.isActive() && task.progressAt != null
            ? new Progress(
                task.progressTurns,
                task.progressLastTool,
                task.progressCostUsd,
                task.progressInputTokens,
                task.progressOutputTokens,
                task.progressAt)
            : null;
    return new TaskView(
        task.id,
        task.sessionId,
        task.state,
        task.state == TaskState.QUEUED ? queuePosition : null,
        prompt,
        task.promptPreview(),
        task.model,
        task.maxTurns,
        task.allowedTools,
        task.permissionMode,
        task.queuedAt,
        task.dispatchedAt,
        task.startedAt,
        task.finishedAt,
        task.cancelRequestedAt,
        task.result,
        task.costUsd,
        task.inputTokens,
        task.outputTokens,
        task.cacheReadTokens,
        task.cacheCreationTokens,
        task.turns,
        task.durationMs,
        task.failureCode,
        task.failureReason,
        task.exitCode,
        progress);
  }
}
