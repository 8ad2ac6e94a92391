package dev.remoteclaude.common.events;

import java.math.BigDecimal;

/** What one Claude task used, as the CLI reported it in its final result line. */
public record Usage(
    BigDecimal costUsd,
    long inputTokens,
    long outputTokens,
    long cacheReadTokens,
    long cacheCreationTokens,
    int turns,
    long durationMs,
    String model) {

  public static Usage none() {
    return new Usage(BigDecimal.ZERO, 0, 0, 0, 0, 0, 0, null);
  }
}
