package dev.remoteclaude.common.events;

import java.time.Instant;
import java.util.UUID;

/** The gateway started Claude Code for the task. */
public record TaskStarted(UUID taskId, Instant at) implements Event {}
