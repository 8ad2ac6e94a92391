package dev.remoteclaude.common.events;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * task-service hands a task to the gateway to run now: it is the session's only running task.
 *
 * @param pullRequest set when the task's changes are to end in a pull request, or null
 * @param maxCostUsd what the task's model answers may cost at most (USD, list prices), after which
 *     the model proxy refuses its requests and the task fails BUDGET_EXCEEDED; null: no cap
 */
public record TaskDispatched(
    UUID taskId,
    String prompt,
    String model,
    Integer maxTurns,
    List<String> allowedTools,
    String permissionMode,
    PullRequestOption pullRequest,
    BigDecimal maxCostUsd,
    Instant at)
    implements Event {}
