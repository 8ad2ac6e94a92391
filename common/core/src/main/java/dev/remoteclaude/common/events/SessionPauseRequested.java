package dev.remoteclaude.common.events;

/** session-service asks the gateway to pause the sandbox (by the user, or for idleness). */
public record SessionPauseRequested(String reason) implements Event {}
