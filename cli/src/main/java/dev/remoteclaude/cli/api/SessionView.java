package dev.remoteclaude.cli.api;

import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/** A session as session-service returns it (the fields the CLI shows). */
@JsonIgnoreProperties(ignoreUnknown = true)
public record SessionView(
    UUID id,
    String state,
    String stateReason,
    Instant stateChangedAt,
    String repositoryUrl,
    String branch,
    String provider,
    Duration idleTimeout,
    Duration maxLifetime,
    List<String> environmentVariables,
    List<String> setupCommands,
    Instant createdAt,
    Instant lastActivityAt,
    Instant expiresAt,
    Instant lifetimeEndsAt,
    Instant idlePauseAt,
    Instant lastSnapshotAt) {

  /** States after which nothing happens to a session any more. */
  public static final Set<String> FINAL = Set.of("TERMINATED", "FAILED");

  public static SessionView of(JsonNode node) {
    return Json.convert(node, SessionView.class);
  }

  public boolean isFinal() {
    return FINAL.contains(state);
  }
}
