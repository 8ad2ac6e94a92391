package dev.remoteclaude.common.events;

import java.time.Instant;

/** A snapshot of the workspace and Claude's transcripts was stored. */
public record SandboxSnapshotted(String snapshotId, Instant at) implements Event {}
