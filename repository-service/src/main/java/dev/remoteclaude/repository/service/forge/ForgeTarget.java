package dev.remoteclaude.repository.service.forge;

import dev.remoteclaude.api.Forge;
import java.net.URI;
import java.util.List;

/**
 * A repository as its forge's API names it.
 *
 * @param apiBase the API's base URL ({@code https://api.github.com}, {@code https://host/api/v4})
 * @param path the repository's path segments on the forge ({@code [owner, repo]}; GitLab may nest
 *     groups)
 */
public record ForgeTarget(Forge forge, URI apiBase, List<String> path) {

  /** The owner (GitHub, Gitea), workspace (Bitbucket) or namespace (GitLab). */
  public String owner() {
    return String.join("/", path.subList(0, path.size() - 1));
  }

  public String name() {
    return path.get(path.size() - 1);
  }

  /** {@code owner/name}. */
  public String fullPath() {
    return String.join("/", path);
  }
}
