package dev.remoteclaude.api;

import java.util.Locale;
import java.util.Optional;

/** The software hosting a repository; decides later how pushes and pull requests are made. */
public enum Forge {
  GITHUB,
  GITLAB,
  BITBUCKET,
  GITEA;

  /**
   * The forge of a well-known host ({@code github.com}, {@code gitlab.com}, {@code bitbucket.org},
   * {@code gitea.com}, {@code codeberg.org}) or of a host named after it ({@code gitlab.acme.com});
   * empty when the host says nothing.
   */
  public static Optional<Forge> detect(String host) {
    if (host == null) {
      return Optional.empty();
    }
    String h = host.toLowerCase(Locale.ROOT);
    if (h.endsWith(".")) {
      h = h.substring(0, h.length() - 1);
    }
    if (h.equals("github.com") || h.endsWith(".github.com") || h.startsWith("github.")) {
      return Optional.of(GITHUB);
    }
    if (h.equals("gitlab.com") || h.startsWith("gitlab.")) {
      return Optional.of(GITLAB);
    }
    if (h.equals("bitbucket.org") || h.startsWith("bitbucket.")) {
      return Optional.of(BITBUCKET);
    }
    if (h.equals("gitea.com") || h.equals("codeberg.org") || h.startsWith("gitea.")) {
      return Optional.of(GITEA);
    }
    return Optional.empty();
  }
}
