package dev.remoteclaude.billing;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/**
 * One charge of the ledger (or, with {@code open}, what a still-running interval has cost so far).
 *
 * @param taskId the task a model answer belonged to; null for compute
 * @param detail the session state (compute) or the model (model)
 * @param provider the sandbox provider whose rate priced a compute line; null for model lines
 * @param seconds compute seconds; 0 for model lines
 * @param amountUsd US dollars, up to 10 decimal places
 * @param open true for a session interval that has not ended yet (not stored; counted up to now)
 */
public record UsageLine(
    UUID sessionId,
    UUID taskId,
    UsageKind kind,
    String detail,
    String provider,
    Instant periodStart,
    Instant periodEnd,
    long seconds,
    long inputTokens,
    long outputTokens,
    long cacheReadTokens,
    long cacheWriteTokens,
    BigDecimal amountUsd,
    boolean open) {}
