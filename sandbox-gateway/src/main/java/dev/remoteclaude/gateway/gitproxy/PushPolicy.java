package dev.remoteclaude.gateway.gitproxy;

import java.util.Optional;
import java.util.Set;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.transport.ReceiveCommand;

/**
 * What a sandbox may push: branches under the session's prefix only, never a protected branch (the
 * repository's default branch and the configured ones), no tags, no deletes. Non-fast-forward
 * updates are refused by {@code ReceivePack} itself.
 */
record PushPolicy(String prefix, Set<String> protectedBranches) {

  /** Why {@code command} is refused, or empty when it may go upstream. */
  Optional<String> refusal(ReceiveCommand command) {
    String ref = command.getRefName();
    if (command.getType() == ReceiveCommand.Type.DELETE) {
      return Optional.of("deleting a branch is not allowed from a session");
    }
    if (ref.startsWith(Constants.R_TAGS)) {
      return Optional.of("tags cannot be pushed from a session; push a branch under " + prefix);
    }
    if (!ref.startsWith(Constants.R_HEADS)) {
      return Optional.of("only branches under " + prefix + " may be pushed");
    }
    String branch = ref.substring(Constants.R_HEADS.length());
    if (protectedBranches.contains(branch)) {
      return Optional.of("branch " + branch + " is protected; push to a branch under " + prefix);
    }
    if (!branch.startsWith(prefix) || branch.length() == prefix.length()) {
      return Optional.of("this session may push only to branches named " + prefix + "<name>");
    }
    return Optional.empty();
  }
}
