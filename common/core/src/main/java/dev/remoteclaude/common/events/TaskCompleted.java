package dev.remoteclaude.common.events;

import java.time.Instant;
import java.util.UUID;

/**
 * Claude finished the task. {@code claudeSessionId} comes from the CLI's final result line and is
 * what the session's next task resumes.
 */
public record TaskCompleted(
    UUID taskId, String result, Usage usage, String claudeSessionId, Instant at) implements Event {}
