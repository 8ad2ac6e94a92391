package dev.remoteclaude.gateway.claude;

import dev.remoteclaude.common.events.Usage;

/**
 * Claude Code's final {@code result} line.
 *
 * @param claudeSessionId the conversation id to resume next time (from this line, not from init:
 *     after {@code --resume} the CLI reports a new id in init)
 */
public record ClaudeResult(
    boolean isError, String subtype, String text, String claudeSessionId, Usage usage) {}
