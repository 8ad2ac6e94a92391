package dev.remoteclaude.common.events;

import java.time.Instant;
import java.util.UUID;

/** The task's run ended without success; {@code code} says how (constants below). */
public record TaskFailed(
    UUID taskId, String code, String reason, Integer exitCode, Usage usage, Instant at)
    implements Event {
  /** Claude Code or the model reported an error. */
  public static final String ERROR = "ERROR";

  /** Killed on the user's request. */
  public static final String CANCELLED = "CANCELLED";

  /** Cut short by the session going away (paused, lost, terminated) or the gateway restarting. */
  public static final String INTERRUPTED = "INTERRUPTED";

  /** Ran past its time limit. */
  public static final String TIMEOUT = "TIMEOUT";

  /** The sandbox could not run it (missing, not ready). */
  public static final String SANDBOX_UNAVAILABLE = "SANDBOX_UNAVAILABLE";

  /**
   * The task spent its cost cap ({@code maxCostUsd}): the model proxy refused its next request.
   * Claude's conversation is kept, so the session's next task continues it.
   */
  public static final String BUDGET_EXCEEDED = "BUDGET_EXCEEDED";
}
