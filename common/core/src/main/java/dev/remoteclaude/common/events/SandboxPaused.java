package dev.remoteclaude.common.events;

import java.time.Instant;

/** Every process of the sandbox is stopped; its files are kept. */
public record SandboxPaused(Instant at) implements Event {}
