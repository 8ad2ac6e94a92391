package dev.remoteclaude.common.net;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;

/**
 * The one way a repository URL is compared: repository-service keeps one registration per user and
 * normalized URL, and session-service finds the registered repository of a session's URL with it.
 * Scheme and host are lower-cased, a default port, trailing slashes and a {@code .git} suffix are
 * dropped; the path keeps its case (some forges are case-sensitive).
 */
public final class RepositoryUrls {

  private RepositoryUrls() {}

  /** The normalized form of {@code url}; a URL that does not parse is only stripped. */
  public static String normalize(String url) {
    String raw = url.strip();
    URI uri;
    try {
      uri = new URI(raw);
    } catch (URISyntaxException e) {
      return raw;
    }
    if (uri.getScheme() == null || uri.isOpaque()) {
      return raw;
    }
    String scheme = uri.getScheme().toLowerCase(Locale.ROOT);
    String host = uri.getHost() == null ? "" : uri.getHost().toLowerCase(Locale.ROOT);
    if (host.endsWith(".")) {
      host = host.substring(0, host.length() - 1);
    }
    int port = uri.getPort();
    boolean defaultPort =
        port < 0
            || (scheme.equals("https") && port == 443)
            || (scheme.equals("http") && port == 80);
    String path = uri.getRawPath() == null ? "" : uri.getRawPath();
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    if (path.endsWith(".git")) {
      path = path.substring(0, path.length() - 4);
    }
    while (path.endsWith("/")) {
      path = path.substring(0, path.length() - 1);
    }
    return scheme + "://" + host + (defaultPort ? "" : ":" + port) + path;
  }
}
