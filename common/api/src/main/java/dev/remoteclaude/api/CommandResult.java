package dev.remoteclaude.api;

import java.util.UUID;

/** The outcome of a buffered command run in a session's sandbox. */
public record CommandResult(
    UUID commandId,
    int exitCode,
    String stdout,
    String stderr,
    long durationMs,
    boolean timedOut,
    boolean truncated) {}
