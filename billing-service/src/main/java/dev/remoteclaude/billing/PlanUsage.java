package dev.remoteclaude.billing;

import java.math.BigDecimal;
import java.time.Instant;

/** A user's plan and what they used of it this calendar month (UTC), up to {@code asOf}. */
public record PlanUsage(
    Plan plan,
    Instant periodStart,
    Instant periodEnd,
    long usedSessionSeconds,
    BigDecimal spendUsd,
    Instant asOf) {}
