package dev.remoteclaude.common.events;

import java.time.Instant;
import java.util.UUID;

/** A task joined its session's queue at {@code position} (1 = next to run). */
public record TaskQueued(UUID taskId, String promptPreview, int position, Instant at)
    implements Event {}
