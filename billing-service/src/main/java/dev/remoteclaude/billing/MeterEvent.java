package dev.remoteclaude.billing;

import java.time.Instant;

/**
 * A ledger line to report to Stripe as a Billing Meter event.
 *
 * @param identifier deterministic from the line, so Stripe drops a resend
 * @param value the line's cost in micro-dollars (USD x 1,000,000)
 * @param attempts sends tried so far, this one included
 */
public record MeterEvent(
    long usageLineId,
    String customerId,
    String identifier,
    long value,
    Instant occurredAt,
    int attempts) {}
