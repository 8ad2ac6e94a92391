package dev.remoteclaude.common.events;

/** session-service asks the gateway to resume a paused sandbox. */
public record SessionResumeRequested(String reason) implements Event {}
