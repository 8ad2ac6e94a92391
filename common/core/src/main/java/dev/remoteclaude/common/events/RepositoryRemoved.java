package dev.remoteclaude.common.events;

import java.time.Instant;
import java.util.UUID;

/**
 * A user removed a registered repository; its credential is gone with it. Subject and key: the
 * repository id; userId: its owner.
 */
public record RepositoryRemoved(UUID repositoryId, Instant at) implements Event {}
