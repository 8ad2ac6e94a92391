package dev.remoteclaude.common.events;

import java.time.Instant;

/**
 * Activity seen by the gateway that keeps a session from being idle: clients attaching to or
 * leaving its stream, commands starting and ending.
 */
public record SandboxActivity(String kind, int attachedClients, int runningCommands, Instant at)
    implements Event {
  public static final String CLIENT_ATTACHED = "CLIENT_ATTACHED";
  public static final String CLIENT_DETACHED = "CLIENT_DETACHED";
  public static final String COMMAND_STARTED = "COMMAND_STARTED";
  public static final String COMMAND_FINISHED = "COMMAND_FINISHED";
}
