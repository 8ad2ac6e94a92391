package dev.remoteclaude.gateway.gitproxy;

import java.util.Locale;
import java.util.regex.Pattern;

/**
 * Reading git's complaints (the git CLI's stderr, JGit's messages) for the reason a user can act
 * on. The repository's own address is taken out first: a path or URL that happens to contain "403"
 * or "not found" (a repository named so, a random id) must not decide the reason.
 */
public final class GitMessages {
  private GitMessages() {}

  /** Quoted paths and URLs, as git quotes them ('…'), and bare URLs, as JGit leads with them. */
  private static final Pattern ADDRESS = Pattern.compile("'[^'\\n]*'|\\S+://\\S*");

  private static final Pattern REFUSED = Pattern.compile("\\b40[13]\\b");

  /** The message, lower case, with every address replaced by {@code <address>}. */
  public static String withoutAddresses(String message) {
    return ADDRESS
        .matcher(message == null ? "" : message)
        .replaceAll("<address>")
        .toLowerCase(Locale.ROOT);
  }

  /** Whether a message (without addresses) carries HTTP 401 or 403. */
  public static boolean refusedStatus(String withoutAddresses) {
    return REFUSED.matcher(withoutAddresses).find();
  }
}
