package dev.remoteclaude.common.events;

import java.math.BigDecimal;
import java.time.Instant;
import java.util.UUID;

/** A running task's progress so far (sent at most every few seconds). */
public record TaskProgress(
    UUID taskId,
    int turns,
    String lastTool,
    BigDecimal costUsd,
    long inputTokens,
    long outputTokens,
    Instant at)
    implements Event {}
