package dev.remoteclaude.common.events;

import java.time.Instant;
import java.util.UUID;

/**
 * A registered repository changed (default branch, forge or credential): its whole new state, as in
 * {@link RepositoryRegistered}. Subject and key: the repository id; userId: its owner.
 *
 * @param credential the token sealed in {@code SecretContexts.repositoryCredential(repositoryId)},
 *     or null when the repository has none (any earlier one was removed); never in clear
 */
public record RepositoryUpdated(
    UUID repositoryId,
    String url,
    String normalizedUrl,
    String defaultBranch,
    String forge,
    String credential,
    Instant credentialSetAt,
    Instant at)
    implements Event {

  @Override
  public String toString() {
    return "RepositoryUpdated[repositoryId="
        + repositoryId
        + ", url="
        + url
        + ", hasCredential="
        + (credential != null)
        + "]";
  }
}
