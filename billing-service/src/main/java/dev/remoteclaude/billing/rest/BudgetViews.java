package dev.remoteclaude.billing.rest;

import dev.remoteclaude.billing.service.BudgetService;
import jakarta.validation.constraints.DecimalMax;
import jakarta.validation.constraints.DecimalMin;
import jakarta.validation.constraints.Digits;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** What the budget endpoints take and answer (US dollars). */
public final class BudgetViews {

  private BudgetViews() {}

  /**
   * The caller's caps; a null (or absent) cap means none.
   *
   * @param monthlyCapUsd what a calendar month (UTC) may cost, compute and tokens together
   * @param sessionDefaultCapUsd what a session without a cap of its own may cost over its life
   */
  public record SetBudget(
      @DecimalMin(value = "0", inclusive = false)
          @DecimalMax("1000000")
          @Digits(integer = 7, fraction = 6)
          BigDecimal monthlyCapUsd,
      @DecimalMin(value = "0", inclusive = false)
          @DecimalMax("1000000")
          @Digits(integer = 7, fraction = 6)
          BigDecimal sessionDefaultCapUsd) {}

  /** A session's own cap; null (or absent) puts it back on the default. */
  public record SetSessionCap(
      @DecimalMin(value = "0", inclusive = false)
          @DecimalMax("1000000")
          @Digits(integer = 7, fraction = 6)
          BigDecimal capUsd) {}

  /**
   * The caller's caps and what was spent against them.
   *
   * @param month this calendar month's spend against the monthly cap
   * @param sessions the sessions with a cap of their own, and the running ones
   */
  public record BudgetView(
      BigDecimal monthlyCapUsd,
      BigDecimal sessionDefaultCapUsd,
      MonthView month,
      List<SessionView> sessions,
      Instant asOf) {

    static BudgetView of(BudgetService.Budget b) {
      return new BudgetView(
          plain(b.monthlyCapUsd()),
          plain(b.sessionDefaultCapUsd()),
          new MonthView(
              b.monthStart(),
              UsageViews.usd(b.monthSpentUsd()),
              percent(b.monthSpentUsd(), b.monthlyCapUsd())),
          b.sessions().stream()
              .map(
                  s ->
                      new SessionView(
                          s.sessionId(),
                          plain(s.capUsd()),
                          s.ownCap(),
                          UsageViews.usd(s.spentUsd()),
                          percent(s.spentUsd(), s.capUsd())))
              .toList(),
          b.asOf());
    }
  }

  /** A month's spend and the share of the monthly cap it is (null without a cap). */
  public record MonthView(Instant from, BigDecimal spentUsd, BigDecimal percent) {}

  /** A session's cap (its own or the default; null: none), its spend and the share of the cap. */
  public record SessionView(
      UUID sessionId, BigDecimal capUsd, boolean ownCap, BigDecimal spentUsd, BigDecimal percent) {}

  private static BigDecimal plain(BigDecimal amount) {
    return amount == null ? null : amount.stripTrailingZeros();
  }

  private static BigDecimal percent(BigDecimal spent, BigDecimal cap) {
    return cap == null || cap.signum() <= 0
        ? null
        : spent.multiply(BigDecimal.valueOf(100)).divide(cap, 1, RoundingMode.HALF_EVEN);
  }
}
