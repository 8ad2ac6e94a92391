package dev.remoteclaude.common.events;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A user's budgets and the compute they spent, as billing's ledger counted them at {@code at}:
 * published when the user sets a budget and as their compute grows (with their quota). Keyed and
 * subjected by the user id; a consumer keeps the newest by {@code at}. Model tokens are not in
 * these amounts: the gateway's model proxy, which meters every answer, adds them itself (priced
 * like billing prices them), so a refusal never waits on this event.
 *
 * @param monthlyCapUsd the user's cap for the calendar month (UTC), or null (none)
 * @param sessionDefaultCapUsd the cap of a session without one of its own, or null (none)
 * @param monthStart the month {@code monthComputeUsd} belongs to
 * @param monthComputeUsd the user's compute spend since {@code monthStart}
 * @param sessions the user's sessions with a cap of their own or compute this month
 */
public record BudgetChanged(
    BigDecimal monthlyCapUsd,
    BigDecimal sessionDefaultCapUsd,
    Instant monthStart,
    BigDecimal monthComputeUsd,
    List<SessionBudget> sessions,
    Instant at)
    implements Event {

  /** A session's own cap (null: the user's default applies) and its compute spend over its life. */
  public record SessionBudget(UUID sessionId, BigDecimal capUsd, BigDecimal computeUsd) {}
}
