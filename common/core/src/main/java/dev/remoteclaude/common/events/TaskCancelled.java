package dev.remoteclaude.common.events;

import java.time.Instant;
import java.util.UUID;

/** A task ended cancelled: taken off the queue, or its run was killed. */
public record TaskCancelled(UUID taskId, String reason, Instant at) implements Event {}
