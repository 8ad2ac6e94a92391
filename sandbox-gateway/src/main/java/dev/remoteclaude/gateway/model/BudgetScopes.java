package dev.remoteclaude.gateway.model;

import dev.remoteclaude.common.events.BudgetExceeded;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.UUID;

/**
 * The budgets the model proxy enforces ({@link #TASK}, {@link BudgetExceeded#SESSION}, {@link
 * BudgetExceeded#MONTHLY}) and what the user is told about them: the refusal Claude Code shows, and
 * the stream's notices ({@link #WARNING} at 80 %, {@link #EXCEEDED} when a task is stopped).
 */
public final class BudgetScopes {

  /** A task's own cap ({@code maxCostUsd}). */
  public static final String TASK = "TASK";

  /** The stream notice when an answer takes a budget to 80 % of its cap. */
  public static final String WARNING = "BUDGET_WARNING";

  /** The stream notice when a budget stopped a task. */
  public static final String EXCEEDED = "BUDGET_EXCEEDED";

  private BudgetScopes() {}

  /** What a budget is called in messages. */
  public static String name(String scope) {
    return switch (scope) {
      case TASK -> "this task's budget";
      case BudgetExceeded.SESSION -> "this session's budget";
      default -> "your monthly budget";
    };
  }

  /** How the user raises a budget with the CLI. */
  public static String howToRaise(String scope, UUID sessionId) {
    return switch (scope) {
      case TASK -> "run the next task with a higher --max-cost";
      case BudgetExceeded.SESSION ->
          "raise it with `rclaude budget set --session " + sessionId + " --cap USD`";
      default -> "raise it with `rclaude budget set --monthly USD`";
    };
  }

  /** What the model proxy answers (402) to a request once a budget is spent. */
  static String refusal(String scope, BigDecimal cap, BigDecimal used, UUID sessionId) {
    String spent =
        "Budget exceeded: "
            + name(scope)
            + " of "
            + usd(cap)
            + " USD is spent ("
            + used.setScale(4, RoundingMode.UP).toPlainString()
            + " USD). The task stops here";
    return TASK.equals(scope)
        ? spent + " (maxCostUsd); the session's next task continues this conversation."
        : spent
            + " and the session is paused; "
            + howToRaise(scope, sessionId)
            + ", then resume the session: its next task continues this conversation.";
  }

  /** The 80 % notice. */
  static String warning(
      String scope, BigDecimal cap, BigDecimal used, ModelTokenRepository.Grant grant) {
    return "80 % of "
        + name(scope)
        + " of "
        + usd(cap)
        + " USD is spent ("
        + used.setScale(4, RoundingMode.UP).toPlainString()
        + " USD); at 100 % the task stops"
        + (TASK.equals(scope)
            ? ""
            : " and the session pauses; " + howToRaise(scope, grant.sessionId()));
  }

  /** An amount as people write it (no trailing zeros). */
  public static String usd(BigDecimal amount) {
    return amount.stripTrailingZeros().toPlainString();
  }
}
