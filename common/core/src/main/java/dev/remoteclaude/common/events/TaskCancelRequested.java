package dev.remoteclaude.common.events;

import java.time.Instant;
import java.util.UUID;

/** The user cancelled a running task: the gateway kills its whole process tree. */
public record TaskCancelRequested(UUID taskId, String reason, Instant at) implements Event {}
