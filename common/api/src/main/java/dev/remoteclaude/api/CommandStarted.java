package dev.remoteclaude.api;

import java.util.UUID;

/** A started streamed command; its output arrives on the session's stream as command.* events. */
public record CommandStarted(UUID commandId) {}
