package dev.remoteclaude.billing;

import java.math.BigDecimal;

/**
 * Usage lines added up under one key of a {@link GroupBy}.
 *
 * @param key the day ({@code 2026-12-06}, UTC), session id, task id (null for compute, which
 *     belongs to no task) or kind
 */
public record UsageGroup(
    String key,
    long seconds,
    long inputTokens,
    long outputTokens,
    long cacheReadTokens,
    long cacheWriteTokens,
    BigDecimal amountUsd) {

  public static UsageGroup empty(String key) {
    return new UsageGroup(key, 0, 0, 0, 0, 0, BigDecimal.ZERO);
  }

  public UsageGroup plus(UsageLine line) {
    return new UsageGroup(
        key,
        seconds + line.seconds(),
        inputTokens + line.inputTokens(),
        outputTokens + line.outputTokens(),
        cacheReadTokens + line.cacheReadTokens(),
        cacheWriteTokens + line.cacheWriteTokens(),
        amountUsd.add(line.amountUsd()));
  }
}
