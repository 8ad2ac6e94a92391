package dev.remoteclaude.common.events;

/** session-service asks the gateway to terminate the sandbox and free everything it holds. */
public record SessionTerminateRequested(String reason) implements Event {}
