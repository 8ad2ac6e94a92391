package dev.remoteclaude.gateway.cache;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What a dependency cache is found by: its owner (tenant), its repository and the digest of the
 * repository's lockfiles, each a SHA-256 in hex. The owner is part of the key, so one tenant's
 * sandbox never receives an archive another tenant's sandbox produced; being hex digests, the parts
 * are safe as file names.
 */
public record CacheKey(String owner, String repository, String lockfiles) {

  private static final Pattern DIGEST = Pattern.compile("[0-9a-f]{64}");

  public CacheKey {
    for (String part : new String[] {owner, repository, lockfiles}) {
      if (part == null || !DIGEST.matcher(part).matches()) {
        throw new IllegalArgumentException("not a cache key part");
      }
    }
  }

  /** The key of an owner's repository whose lockfiles listing (path and hash each) is given. */
  public static CacheKey of(String ownerId, String repositoryUrl, String lockfileListing) {
    return new CacheKey(sha256(ownerId), sha256(normalize(repositoryUrl)), sha256(lockfileListing));
  }

  /** The same repository whatever credentials, letter case of the host or ".git" suffix it has. */
  static String normalize(String url) {
    String stripped = url.strip();
    try {
      URI uri = URI.create(stripped);
      if (uri.getHost() != null) {
        stripped =
            new URI(
                    uri.getScheme().toLowerCase(Locale.ROOT),
                    null,
                    uri.getHost().toLowerCase(Locale.ROOT),
                    uri.getPort(),
                    uri.getPath(),
                    null,
                    null)
                .toString();
      }
    } catch (IllegalArgumentException | java.net.URISyntaxException e) {
      // Not a URI (scp-like git address): the text as given.
    }
    while (stripped.endsWith("/")) {
      stripped = stripped.substring(0, stripped.length() - 1);
    }
    return stripped.endsWith(".git") ? stripped.substring(0, stripped.length() - 4) : stripped;
  }

  static String sha256(String text) {
    try {
      return HexFormat.of()
          .formatHex(
              MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
