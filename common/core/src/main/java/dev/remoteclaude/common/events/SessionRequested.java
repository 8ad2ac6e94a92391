package dev.remoteclaude.common.events;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * session-service asks the gateway for a sandbox: a new session, or the re-provisioning of a
 * recovering one ({@code restoreSnapshotId} set when a snapshot exists).
 *
 * @param environment variable names to values sealed with the platform key ({@code SecretBox}); the
 *     gateway opens them only to inject them into the sandbox
 * @param gitCredential a sealed token for cloning a private repository, or null
 * @param region the region the session asked for, or null (also for events written before regions
 *     existed); a provider chosen by the platform ({@code auto}) must serve it
 */
public record SessionRequested(
    String repositoryUrl,
    String branch,
    String provider,
    List<String> setupCommands,
    Map<String, String> environment,
    String gitCredential,
    Duration idleTimeout,
    Instant expiresAt,
    String restoreSnapshotId,
    String region)
    implements Event {

  /** A request that names no region. */
  public SessionRequested(
      String repositoryUrl,
      String branch,
      String provider,
      List<String> setupCommands,
      Map<String, String> environment,
      String gitCredential,
      Duration idleTimeout,
      Instant expiresAt,
      String restoreSnapshotId) {
    this(
        repositoryUrl,
        branch,
        provider,
        setupCommands,
        environment,
        gitCredential,
        idleTimeout,
        expiresAt,
        restoreSnapshotId,
        null);
  }
}
