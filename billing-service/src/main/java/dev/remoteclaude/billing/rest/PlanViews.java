package dev.remoteclaude.billing.rest;

import dev.remoteclaude.billing.PlanUsage;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import java.math.BigDecimal;
import java.time.Instant;

/** What the plan endpoints take and answer. */
public final class PlanViews {

  private PlanViews() {}

  /**
   * A user's plan, its monthly allowances and what was used of them this calendar month (UTC).
   *
   * @param usedSessionSeconds session seconds in every state but PAUSED, up to {@code asOf}
   * @param spendUsd what this month's usage cost so far (US dollars)
   */
  public record PlanView(
      String plan,
      int maxActiveSessions,
      long sessionSecondsPerMonth,
      long usedSessionSeconds,
      long remainingSessionSeconds,
      BigDecimal spendUsd,
      Instant periodStart,
      Instant periodEnd,
      Instant asOf) {

    static PlanView of(PlanUsage u) {
      return new PlanView(
          u.plan().name(),
          u.plan().maxActiveSessions(),
          u.plan().sessionSecondsPerMonth(),
          u.usedSessionSeconds(),
          Math.max(0, u.plan().sessionSecondsPerMonth() - u.usedSessionSeconds()),
          UsageViews.usd(u.spendUsd()),
          u.periodStart(),
          u.periodEnd(),
          u.asOf());
    }
  }

  /** An operator's change of a user's plan. */
  public record ChangePlan(@NotBlank @Size(max = 64) String plan) {}
}
