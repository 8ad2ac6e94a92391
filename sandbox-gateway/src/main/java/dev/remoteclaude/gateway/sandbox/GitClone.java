package dev.remoteclaude.gateway.sandbox;

import dev.remoteclaude.common.events.SandboxFailed;
import dev.remoteclaude.gateway.gitproxy.GitMessages;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * How a repository is cloned into a sandbox: http(s) repositories from the gateway's git proxy (the
 * real credential stays in the gateway, {@code gitproxy.GitAccess}), file:// ones (local profile)
 * directly. No credential helper is configured; URL and branch are plain arguments.
 */
final class GitClone {
  private GitClone() {}

  private static final Pattern REDIRECT = Pattern.compile("returned error: (30[0-8])\\b");

  private static final Pattern PROXY_ERROR = Pattern.compile("remote error: ([^\n]+)");

  /**
   * The clone command. Redirects are never followed (a redirect could lead to a host that was not
   * checked); {@code settings} are further {@code -c} pairs (the addresses {@link CloneTarget}
   * pinned).
   */
  static List<String> command(String url, String branch, List<String> settings) {
    List<String> cmd = new ArrayList<>();
    cmd.add("git");
    cmd.add("-c");
    cmd.add("http.followRedirects=false");
    cmd.addAll(settings);
    cmd.add("-c");
    cmd.add("credential.helper=");
    cmd.add("clone");
    cmd.add("--quiet");
    if (branch != null && !branch.isBlank()) {
      cmd.add("--branch");
      cmd.add(branch);
    }
    cmd.add("--");
    cmd.add(url);
    cmd.add(".");
    return cmd;
  }

  /** For file:// URLs (local profile): the directory the sandbox must be able to read. */
  static Optional<Path> localPath(String url) {
    if (url != null && url.startsWith("file://")) {
      return Optional.of(Path.of(URI.create(url)));
    }
    return Optional.empty();
  }

  /** Maps git's complaint to a reason a user can act on. */
  static ProvisioningFailure classify(int exitCode, String stderr, String rawUrl, String branch) {
    String url = display(rawUrl);
    String err = GitMessages.withoutAddresses(stderr);
    Matcher redirect = REDIRECT.matcher(err);
    if (redirect.find()) {
      return new ProvisioningFailure(
          SandboxFailed.BAD_REPOSITORY_URL,
          url
              + " answered with a redirect (HTTP "
              + redirect.group(1)
              + "), which is not followed: use the repository's final URL");
    }
    Matcher proxied = PROXY_ERROR.matcher(stderr);
    if (proxied.find()) {
      // The git proxy's own reason (it fetched from upstream with the real credential).
      String reason = proxied.group(1).strip();
      String lower = reason.toLowerCase(Locale.ROOT);
      String code =
          lower.contains("credential")
              ? SandboxFailed.AUTH_FAILED
              : lower.contains("cannot be reached") || lower.contains("unavailable")
                  ? SandboxFailed.CLONE_FAILED
                  : SandboxFailed.BAD_REPOSITORY_URL;
      return new ProvisioningFailure(code, reason);
    }
    if (err.contains("remote branch") && err.contains("not found")) {
      return new ProvisioningFailure(
          SandboxFailed.BRANCH_NOT_FOUND, "branch '" + branch + "' does not exist in " + url);
    }
    if (err.contains("authentication failed")
        || err.contains("could not read username")
        || err.contains("could not read password")
        || GitMessages.refusedStatus(err)
        || err.contains("permission denied")) {
      return new ProvisioningFailure(
          SandboxFailed.AUTH_FAILED,
          "git could not authenticate to " + url + ": check the repository's credential");
    }
    if (err.contains("not found")
        || err.contains("does not appear to be a git repository")
        || err.contains("could not resolve host")
        || err.contains("unable to access")
        || err.contains("does not exist")) {
      return new ProvisioningFailure(
          SandboxFailed.BAD_REPOSITORY_URL, "no git repository could be reached at " + url);
    }
    return new ProvisioningFailure(
        SandboxFailed.CLONE_FAILED,
        "git clone failed with exit code " + exitCode + ": " + lastLine(stderr));
  }

  /** A URL fit for messages: any user info (credentials) is removed. */
  static String display(String url) {
    try {
      URI uri = URI.create(url);
      if (uri.getUserInfo() == null) {
        return url;
      }
      return new URI(uri.getScheme(), null, uri.getHost(), uri.getPort(), uri.getPath(), null, null)
          .toString();
    } catch (IllegalArgumentException | java.net.URISyntaxException e) {
      return "the repository URL";
    }
  }

  static String lastLine(String text) {
    String[] lines = text.strip().split("\n");
    String last = lines[lines.length - 1].replaceAll("://[^/@\\s]+@", "://");
    return last.length() > 300 ? last.substring(0, 300) : last;
  }
}
