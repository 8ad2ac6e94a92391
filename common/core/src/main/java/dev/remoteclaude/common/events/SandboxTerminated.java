package dev.remoteclaude.common.events;

import java.time.Instant;

/** The sandbox and everything in it is gone. */
public record SandboxTerminated(Instant at) implements Event {}
