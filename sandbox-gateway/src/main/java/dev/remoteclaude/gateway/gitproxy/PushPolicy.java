package dev.remoteclaude.gateway.gitproxy;

import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.eclipse.jgit.lib.Constants;
import org.eclipse.jgit.transport.ReceiveCommand;

/**
 * What a sandbox may push: its own session's branches only, never a protected branch (the
 * repository's default branch and the configured ones), no tags, no deletes. A session's branches
 * are its working branch {@code <prefix><first 8 characters of its id>} and the branches under it
 * ({@code <working branch>/<name>}), and the branch it was created with when that one lies under
 * the prefix (a session continuing a branch); so a session cannot push to (and clobber) another
 * session's branch of the same repository. Non-fast-forward updates are refused by {@code
 * ReceivePack} itself.
 *
 * @param ownBranch the session's working branch
 * @param createdBranch the branch the session was created with if it may be pushed to, or null
 */
record PushPolicy(
    String prefix, String ownBranch, String createdBranch, Set<String> protectedBranches) {

  /** The policy of a session created on {@code branch} (null: the default branch). */
  static PushPolicy forSession(
      String prefix, UUID sessionId, String branch, Set<String> protectedBranches) {
    String own = workingBranch(prefix, sessionId);
    String created =
        branch != null && branch.startsWith(prefix) && branch.length() > prefix.length()
            ? branch
            : null;
    return new PushPolicy(prefix, own, created, protectedBranches);
  }

  /** A session's working branch: {@code <prefix><first 8 characters of its id>}. */
  static String workingBranch(String prefix, UUID sessionId) {
    return prefix + sessionId.toString().substring(0, 8);
  }

  /** Why {@code command} is refused, or empty when it may go upstream. */
  Optional<String> refusal(ReceiveCommand command) {
    String ref = command.getRefName();
    if (command.getType() == ReceiveCommand.Type.DELETE) {
      return Optional.of("deleting a branch is not allowed from a session");
    }
    if (ref.startsWith(Constants.R_TAGS)) {
      return Optional.of("tags cannot be pushed from a session; push to " + allowed());
    }
    if (!ref.startsWith(Constants.R_HEADS)) {
      return Optional.of("only branches may be pushed from a session: " + allowed());
    }
    String branch = ref.substring(Constants.R_HEADS.length());
    if (protectedBranches.contains(branch)) {
      return Optional.of("branch " + branch + " is protected; push to " + allowed());
    }
    if (within(branch, ownBranch) || (createdBranch != null && within(branch, createdBranch))) {
      return Optional.empty();
    }
    if (branch.startsWith(prefix)) {
      return Optional.of(
          "branch " + branch + " is not this session's (another session's?); push to " + allowed());
    }
    return Optional.of("this session may push only to " + allowed());
  }

  private static boolean within(String branch, String root) {
    return branch.equals(root) || branch.startsWith(root + "/");
  }

  private String allowed() {
    return ownBranch
        + " or a branch under "
        + ownBranch
        + "/"
        + (createdBranch == null || within(createdBranch, ownBranch)
            ? ""
            : " (or " + createdBranch + ", the session's branch)");
  }
}
