package dev.remoteclaude.common.events;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * task-service hands a task to the gateway to run now: it is the session's only running task.
 *
 * @param pullRequest set when the task's changes are to end in a pull request, or null
 */
public record TaskDispatched(
    UUID taskId,
    String prompt,
    String model,
    Integer maxTurns,
    List<String> allowedTools,
    String permissionMode,
    PullRequestOption pullRequest,
    Instant at)
    implements Event {}
