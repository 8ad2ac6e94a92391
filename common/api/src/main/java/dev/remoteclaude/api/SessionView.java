package dev.remoteclaude.api;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A session as its owner sees it. Environment variables are listed by name only. */
@Schema(name = "Session")
public record SessionView(
    UUID id,
    SessionState state,
    @Schema(description = "why the session is in its state (for FAILED: what went wrong)")
        String stateReason,
    Instant stateChangedAt,
    String repositoryUrl,
    String branch,
    String provider,
    Duration idleTimeout,
    Duration maxLifetime,
    @Schema(description = "names of the environment variables; values are never returned")
        List<String> environmentVariables,
    @Schema(
            description =
                "how many setup commands the session was created with; their text is never returned"
                    + " (it may carry secrets)")
        int setupCommandCount,
    Instant createdAt,
    Instant lastActivityAt,
    @Schema(description = "when the session ends unless activity or an extension moves it")
        Instant expiresAt,
    @Schema(description = "the latest the session can live until") Instant lifetimeEndsAt,
    @Schema(description = "set while an idle warning is out: when the session will be paused")
        Instant idlePauseAt,
    Instant lastSnapshotAt) {}
