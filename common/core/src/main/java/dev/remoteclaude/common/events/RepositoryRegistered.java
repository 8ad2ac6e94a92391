package dev.remoteclaude.common.events;

import java.time.Instant;
import java.util.UUID;

/**
 * A user registered a repository (repository-service). Subject and key: the repository id; userId:
 * its owner.
 *
 * @param normalizedUrl the URL as compared for uniqueness and for matching a session's URL ({@code
 *     dev.remoteclaude.common.net.RepositoryUrls#normalize})
 * @param forge GITHUB, GITLAB, BITBUCKET or GITEA
 * @param credential the repository's token sealed with the platform key in the context {@code
 *     SecretContexts.repositoryCredential(repositoryId)}, or null; never in clear
 * @param credentialSetAt when the credential was set, or null
 */
public record RepositoryRegistered(
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
    return "RepositoryRegistered[repositoryId="
        + repositoryId
        + ", url="
        + url
        + ", hasCredential="
        + (credential != null)
        + "]";
  }
}
