package dev.remoteclaude.common.events;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/**
 * The model proxy stopped a task because the session's or the user's monthly budget is spent (the
 * task fails BUDGET_EXCEEDED, its conversation kept). session-service pauses the session until the
 * user raises the cap. Keyed by session. (A task's own {@code maxCostUsd} pauses nothing.)
 *
 * @param scope {@link #SESSION} or {@link #MONTHLY}
 */
public record BudgetExceeded(UUID taskId, String scope, BigDecimal capUsd, Instant at)
    implements Event {
  public static final String SESSION = "SESSION";
  public static final String MONTHLY = "MONTHLY";
}
