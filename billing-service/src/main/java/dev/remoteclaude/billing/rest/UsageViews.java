package dev.remoteclaude.billing.rest;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import dev.remoteclaude.billing.TokenCounts;
import dev.remoteclaude.billing.UsageGroup;
import dev.remoteclaude.billing.UsageLine;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

/** What the usage endpoints answer. Amounts are US dollars rounded to 6 decimal places. */
public final class UsageViews {

  /** Decimal places of amounts in answers (the ledger keeps 10). */
  static final int SCALE = 6;

  private UsageViews() {}

  /**
   * A user's usage over [periodStart, periodEnd).
   *
   * @param sessionSeconds seconds per session state (as before the ledger)
   * @param modelTokens tokens per model (as before the ledger)
   * @param totalUsd what it all cost
   * @param groupBy how {@code groups} adds the usage up: day, session, task or kind
   */
  public record UsageView(
      Instant periodStart,
      Instant periodEnd,
      Map<String, Long> sessionSeconds,
      Map<String, TokenCounts> modelTokens,
      BigDecimal totalUsd,
      String groupBy,
      List<GroupView> groups) {}

  /**
   * Usage added up under one key.
   *
   * @param key the UTC day, session id, task id (null: compute, which belongs to no task) or kind
   */
  public record GroupView(
      String key,
      long seconds,
      long inputTokens,
      long outputTokens,
      long cacheReadTokens,
      long cacheWriteTokens,
      BigDecimal amountUsd) {

    public static GroupView of(UsageGroup g) {
      return new GroupView(
          g.key(),
          g.seconds(),
          g.inputTokens(),
          g.outputTokens(),
          g.cacheReadTokens(),
          g.cacheWriteTokens(),
          usd(g.amountUsd()));
    }
  }

  /** A row of the CSV export: a day's usage of one session, task, kind and detail. */
  @JsonPropertyOrder({
    "day",
    "sessionId",
    "taskId",
    "kind",
    "detail",
    "provider",
    "periodStart",
    "periodEnd",
    "seconds",
    "inputTokens",
    "outputTokens",
    "cacheReadTokens",
    "cacheWriteTokens",
    "amountUsd",
    "open"
  })
  public record CsvRow(
      String day,
      String sessionId,
      String taskId,
      String kind,
      String detail,
      String provider,
      String periodStart,
      String periodEnd,
      long seconds,
      long inputTokens,
      long outputTokens,
      long cacheReadTokens,
      long cacheWriteTokens,
      String amountUsd,
      boolean open) {

    static CsvRow of(UsageLine line) {
      return new CsvRow(
          line.periodStart().atOffset(ZoneOffset.UTC).toLocalDate().toString(),
          line.sessionId().toString(),
          line.taskId() == null ? "" : line.taskId().toString(),
          line.kind().name(),
          cell(line.detail()),
          line.provider() == null ? "" : cell(line.provider()),
          line.periodStart().toString(),
          line.periodEnd().toString(),
          line.seconds(),
          line.inputTokens(),
          line.outputTokens(),
          line.cacheReadTokens(),
          line.cacheWriteTokens(),
          usd(line.amountUsd()).toPlainString(),
          line.open());
    }
  }

  /** A row of the grouped CSV export ({@code groupBy} given). */
  @JsonPropertyOrder({
    "key",
    "seconds",
    "inputTokens",
    "outputTokens",
    "cacheReadTokens",
    "cacheWriteTokens",
    "amountUsd"
  })
  public record CsvGroupRow(
      String key,
      long seconds,
      long inputTokens,
      long outputTokens,
      long cacheReadTokens,
      long cacheWriteTokens,
      String amountUsd) {

    static CsvGroupRow of(UsageGroup g) {
      return new CsvGroupRow(
          g.key() == null ? "" : cell(g.key()),
          g.seconds(),
          g.inputTokens(),
          g.outputTokens(),
          g.cacheReadTokens(),
          g.cacheWriteTokens(),
          usd(g.amountUsd()).toPlainString());
    }
  }

  /**
   * A text cell a spreadsheet will not run: one that starts like a formula ({@code = + - @}, a tab
   * or a carriage return) is prefixed with an apostrophe (OWASP's advice on CSV injection). Model
   * names and providers come from outside the platform.
   */
  static String cell(String text) {
    if (!text.isEmpty() && "=+-@\t\r".indexOf(text.charAt(0)) >= 0) {
      return "'" + text;
    }
    return text;
  }

  static BigDecimal usd(BigDecimal amount) {
    return amount.setScale(SCALE, RoundingMode.HALF_EVEN);
  }
}
