package dev.remoteclaude.common.events;

import java.time.Instant;

/** A paused sandbox is usable again. */
public record SandboxResumed(Instant at) implements Event {}
