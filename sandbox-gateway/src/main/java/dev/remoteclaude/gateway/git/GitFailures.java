package dev.remoteclaude.gateway.git;

import dev.remoteclaude.common.problem.ProblemException;
import dev.remoteclaude.gateway.provider.ExecResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Turns git's complaints into problems a user can act on: git's own reason in the detail (URLs
 * without their credentials, one line at most per reason), the status saying whose side it is on: a
 * remote that cannot be reached is a 502, a push the remote rejects a 409, a credential it refuses
 * a 422, local changes in the way a 409 with the paths.
 */
final class GitFailures {
  private GitFailures() {}

  /** The git command ran longer than the exec timeout allows. */
  static ProblemException timedOut(String what, ExecResult result) {
    return new ProblemException(
        504,
        "git-timeout",
        "Gateway Timeout",
        what + " did not finish in " + result.durationMs() / 1000 + " s and was stopped",
        null);
  }

  /** A failed push. */
  static ProblemException push(String branch, ExecResult result) {
    if (result.timedOut()) {
      return remoteDown("the push timed out: the remote did not answer in time");
    }
    String err = result.stderr();
    String lower = err.toLowerCase(Locale.ROOT);
    if (lower.contains("src refspec") && lower.contains("does not match any")) {
      return ProblemException.notFound("branch '" + branch + "'");
    }
    ProblemException common = remoteProblem(lower);
    if (common != null) {
      return common;
    }
    List<String> reasons = lines(err, "[rejected]", "[remote rejected]", "declined", "protected");
    if (!reasons.isEmpty()) {
      return new ProblemException(
          409,
          "push-rejected",
          "Push rejected",
          "the remote rejected the push of '" + branch + "': " + String.join("; ", reasons),
          Map.of("reasons", reasons));
    }
    return gitFailed("git push", result);
  }

  /** A failed fast-forward pull. */
  static ProblemException pull(ExecResult result) {
    if (result.timedOut()) {
      return remoteDown("the pull timed out: the remote did not answer in time");
    }
    String err = result.stderr();
    String lower = err.toLowerCase(Locale.ROOT);
    ProblemException common = remoteProblem(lower);
    if (common != null) {
      return common;
    }
    List<String> paths = overwritten(err);
    if (!paths.isEmpty()) {
      return new ProblemException(
          409,
          "git-conflict",
          "Conflict",
          "the pull would overwrite changes in the workspace; commit or discard them first: "
              + String.join(", ", paths),
          Map.of("paths", paths));
    }
    if (lower.contains("not possible to fast-forward") || lower.contains("diverg")) {
      return new ProblemException(
          409,
          "git-diverged",
          "Conflict",
          "the branch and its upstream have diverged; a fast-forward pull is not possible",
          null);
    }
    if (lower.contains("no tracking information")) {
      return ProblemException.conflict(
          "the branch has no upstream to pull from; push it first to set one");
    }
    if (lower.contains("couldn't find remote ref") || lower.contains("no such ref was fetched")) {
      return ProblemException.conflict("the branch's upstream no longer exists on the remote");
    }
    return gitFailed("git pull", result);
  }

  /** A failed switch to another branch. */
  static ProblemException checkout(String branch, ExecResult result) {
    String err = result.stderr();
    String lower = err.toLowerCase(Locale.ROOT);
    List<String> paths = overwritten(err);
    if (!paths.isEmpty()) {
      return new ProblemException(
          409,
          "git-conflict",
          "Conflict",
          "switching to '"
              + branch
              + "' would overwrite changes in the workspace; commit or discard them first: "
              + String.join(", ", paths),
          Map.of("paths", paths));
    }
    if (lower.contains("invalid reference") || lower.contains("did not match any")) {
      return ProblemException.notFound("branch '" + branch + "'");
    }
    return new ProblemException(409, "conflict", "Conflict", "git: " + lastLine(err), null);
  }

  /** A failed branch creation. */
  static ProblemException createBranch(String name, String from, ExecResult result) {
    String lower = result.stderr().toLowerCase(Locale.ROOT);
    if (lower.contains("already exists")) {
      return ProblemException.conflict("a branch named '" + name + "' already exists");
    }
    if (lower.contains("not a valid object name") || lower.contains("not a valid branch point")) {
      return ProblemException.notFound("start point '" + (from == null ? "HEAD" : from) + "'");
    }
    return gitFailed("git branch", result);
  }

  /** What git said when it failed for a reason of the repository's own (a hook, a lock). */
  static ProblemException gitFailed(String what, ExecResult result) {
    if (result.timedOut()) {
      return timedOut(what, result);
    }
    String err = result.stderr().isBlank() ? result.stdout() : result.stderr();
    return new ProblemException(
        422,
        "git-failed",
        "Unprocessable Content",
        what + " failed: " + (err.isBlank() ? "exit code " + result.exitCode() : lastLine(err)),
        null);
  }

  private static ProblemException remoteProblem(String lower) {
    if (lower.contains("authentication failed")
        || lower.contains("could not read username")
        || lower.contains("could not read password")
        || lower.contains("permission denied")
        || lower.contains("credential was refused")
        || lower.contains("returned error: 401")
        || lower.contains("returned error: 403")) {
      return new ProblemException(
          422,
          "git-auth-failed",
          "Unprocessable Content",
          "the remote refused the session's credentials: check the repository's credential",
          null);
    }
    if (lower.contains("could not resolve host")
        || lower.contains("failed to connect")
        || lower.contains("connection refused")
        || lower.contains("connection timed out")
        || lower.contains("operation timed out")
        || lower.contains("empty reply from server")
        || lower.contains("the remote end hung up")
        || lower.contains("cannot be reached")
        || lower.matches("(?s).*returned error: 5\\d\\d.*")) {
      return remoteDown("the remote repository could not be reached; try again later");
    }
    if (lower.contains("repository not found")
        || lower.contains("does not appear to be a git repository")
        || lower.contains("no git repository was found")
        || lower.contains("returned error: 404")) {
      return new ProblemException(
          422,
          "git-remote-missing",
          "Unprocessable Content",
          "the remote repository was not found at origin",
          null);
    }
    return null;
  }

  private static ProblemException remoteDown(String detail) {
    return new ProblemException(502, "git-remote-unavailable", "Bad Gateway", detail, null);
  }

  /** The paths git lists (tab-indented) after "would be overwritten by ...". */
  static List<String> overwritten(String err) {
    List<String> paths = new ArrayList<>();
    boolean listing = false;
    for (String line : err.split("\n")) {
      if (line.contains("would be overwritten by")) {
        listing = true;
        continue;
      }
      if (listing && line.startsWith("\t")) {
        paths.add(line.strip());
      } else {
        listing = false;
      }
    }
    return paths;
  }

  private static List<String> lines(String text, String... markers) {
    List<String> found = new ArrayList<>();
    for (String line : text.split("\n")) {
      for (String marker : markers) {
        if (line.contains(marker)) {
          found.add(clean(line));
          break;
        }
      }
    }
    return found;
  }

  static String lastLine(String text) {
    String[] lines = text.strip().split("\n");
    return clean(lines[lines.length - 1]);
  }

  /** A line of git's output fit for a user: no credentials in URLs, bounded. */
  static String clean(String line) {
    String cleaned = line.strip().replaceAll("://[^/@\\s]+@", "://");
    return cleaned.length() > 300 ? cleaned.substring(0, 300) : cleaned;
  }
}
