package dev.remoteclaude.gateway.claude;

/** One typed event parsed from Claude Code's output: a stream log type and its data. */
public record ClaudeEvent(String type, Object data) {}
