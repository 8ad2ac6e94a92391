package dev.remoteclaude.common.events;

import java.time.Instant;
import java.util.UUID;

/**
 * The model proxy forwarded one Messages request of a task run and read its usage from the answer:
 * tokens per kind, for the model that answered. Keyed by session; metered once per event.
 */
public record ModelUsage(
    UUID taskId,
    String model,
    long inputTokens,
    long outputTokens,
    long cacheReadTokens,
    long cacheCreationTokens,
    Instant at)
    implements Event {}
