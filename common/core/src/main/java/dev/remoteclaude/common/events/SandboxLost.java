package dev.remoteclaude.common.events;

import java.time.Instant;

/**
 * The provider no longer has the sandbox (host gone, reclaimed, found missing at reconciliation).
 */
public record SandboxLost(String reason, Instant at) implements Event {}
