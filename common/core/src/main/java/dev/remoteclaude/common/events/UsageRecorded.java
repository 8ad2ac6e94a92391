package dev.remoteclaude.common.events;

import java.math.BigDecimal;
import java.time.Instant;

/** Billing recorded a usage line: sandbox seconds or a task's model cost. */
public record UsageRecorded(
    String kind, long quantity, BigDecimal amountUsd, Instant periodStart, Instant periodEnd)
    implements Event {
  public static final String SANDBOX_SECONDS = "SANDBOX_SECONDS";
  public static final String MODEL_USAGE = "MODEL_USAGE";
}
