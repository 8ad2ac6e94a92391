package dev.remoteclaude.common.events;

/** session-service asks the gateway to snapshot the workspace (and Claude's transcripts). */
public record SessionSnapshotRequested() implements Event {}
