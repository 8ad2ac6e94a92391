package dev.remoteclaude.task.rest;

import dev.remoteclaude.api.TaskState;
import dev.remoteclaude.api.TaskView;
import dev.remoteclaude.task.Task;

/** A stored task as its owner sees it ({@link TaskView}, the API's record). */
final class TaskViews {
  private TaskViews() {}

  /** The full task; {@code queuePosition} is 0 when the task is not waiting. */
  static TaskView of(Task task, int queuePosition) {
    return of(task, task.prompt, queuePosition > 0 ? queuePosition : null);
  }

  /** A history entry: the prompt's preview only. */
  static TaskView summaryOf(Task task) {
    return of(task, null, null);
  }

  private static TaskView of(Task task, String prompt, Integer queuePosition) {
    TaskView.Progress progress =
        task.state.isActive() && task.progressAt != null
            ? new TaskView.Progress(
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
        progress,
        task.pullRequestUrl == null && task.pullRequestFailureCode == null
            ? null
            : new TaskView.PullRequest(
                task.pullRequestUrl,
                task.pullRequestNumber,
                task.pullRequestState,
                task.pullRequestFailureCode,
                task.pullRequestFailureReason));
  }
}
