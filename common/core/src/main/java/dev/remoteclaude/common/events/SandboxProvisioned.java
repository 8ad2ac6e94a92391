package dev.remoteclaude.common.events;

import java.time.Instant;

/** The sandbox exists, the repository is cloned, setup ran and Claude Code is ready. */
public record SandboxProvisioned(String provider, String sandboxId, Instant at) implements Event {}
