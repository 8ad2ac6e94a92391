package dev.remoteclaude.gateway.git;

import dev.remoteclaude.api.GitBranchView;
import dev.remoteclaude.api.GitResults;
import dev.remoteclaude.api.GitStatusView;
import dev.remoteclaude.common.problem.ProblemException;
import dev.remoteclaude.gateway.command.CommandService;
import dev.remoteclaude.gateway.config.GatewayConfig;
import dev.remoteclaude.gateway.log.LogTypes;
import dev.remoteclaude.gateway.log.LogWriter;
import dev.remoteclaude.gateway.provider.ExecResult;
import dev.remoteclaude.gateway.sandbox.SandboxAccess;
import io.quarkus.logging.Log;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Git in a session's sandbox. Every step is git itself, run in the workspace through the sandbox
 * provider as an argument vector (never a shell string), like any command run through the API: with
 * the provider's timeout, its per-sandbox command cap, and counted as the session's activity. Names
 * and messages are checked ({@link GitNames}) before git sees them. Pushes and pulls go to the
 * workspace's {@code origin} as it is configured in the sandbox; the gateway adds no credential.
 */
@ApplicationScoped
public class GitService {

  private final CommandService commands;
  private final GatewayConfig.Git.Committer committer;
  private final LogWriter logWriter;

  public GitService(CommandService commands, GatewayConfig config, LogWriter logWriter) {
    this.commands = commands;
    this.committer = config.git().committer();
    this.logWriter = logWriter;
  }

  /**
   * Puts a line on the session's stream for the others following it; written before the answer, but
   * a failure to write it does not undo what git did.
   */
  private Uni<Void> announce(SandboxAccess.Owned owned, String type, Map<String, Object> data) {
    UUID sessionId = owned.sandbox().sessionId;
    return logWriter
        .append(sessionId, type, null, data)
        .replaceWithVoid()
        .onFailure()
        .recoverWithUni(
            failure -> {
              Log.warnf(
                  "session %s: %s not written to the stream: %s",
                  sessionId, type, failure.getMessage());
              return Uni.createFrom().voidItem();
            });
  }

  /** The branch, its standing against the upstream, and the changed paths. */
  public Uni<GitStatusView> status(SandboxAccess.Owned owned) {
    return git(owned, "status", "--porcelain=v2", "--branch", "-z", "--untracked-files=all")
        .map(
            result -> {
              requireOk("git status", result);
              String out = result.stdout();
              if (result.truncated()) {
                // Keep whole records only.
                out = out.substring(0, Math.max(0, out.lastIndexOf('\0') + 1));
              }
              try {
                return GitStatusParser.parse(out);
              } catch (GitStatusParser.Malformed e) {
                throw new ProblemException(
                    422,
                    "git-failed",
                    "Unprocessable Content",
                    "git status answered in a form the gateway does not read",
                    null);
              }
            });
  }

  /** The local branches, the current one marked. */
  public Uni<List<GitBranchView>> branches(SandboxAccess.Owned owned) {
    return git(
            owned,
            "for-each-ref",
            "--format=%(HEAD)%00%(refname:short)%00%(upstream:short)%00%(objectname)",
            "refs/heads/")
        .map(
            result -> {
              requireOk("git for-each-ref", result);
              List<GitBranchView> branches = new ArrayList<>();
              for (String line : result.stdout().split("\n")) {
                if (line.isEmpty()) {
                  continue;
                }
                String[] f = line.split("\0", -1);
                if (f.length != 4) {
                  continue;
                }
                branches.add(
                    new GitBranchView(f[1], f[0].equals("*"), f[2].isEmpty() ? null : f[2], f[3]));
              }
              return List.copyOf(branches);
            });
  }

  /** Creates a branch at {@code from} (default HEAD) without switching to it. */
  public Uni<GitBranchView> createBranch(SandboxAccess.Owned owned, String name, String from) {
    List<String> args = new ArrayList<>(List.of("branch", "--no-track", name));
    if (from != null) {
      args.add(from);
    }
    return git(owned, args)
        .chain(
            result -> {
              if (!result.succeeded()) {
                throw GitFailures.createBranch(name, from, result);
              }
              return branches(owned);
            })
        .map(
            all ->
                all.stream()
                    .filter(b -> b.name().equals(name))
                    .findFirst()
                    .orElseThrow(() -> ProblemException.notFound("branch '" + name + "'")));
  }

  /** Switches to {@code branch}; a remote branch of that name is tracked if none is local. */
  public Uni<GitStatusView> checkout(SandboxAccess.Owned owned, String branch) {
    return git(owned, "switch", branch)
        .chain(
            result -> {
              if (result.timedOut()) {
                throw GitFailures.timedOut("git switch", result);
              }
              if (!result.succeeded()) {
                throw GitFailures.checkout(branch, result);
              }
              return status(owned);
            });
  }

  /**
   * Commits every change ({@code all}) or what is staged, with {@code message} or, without one, a
   * message written from the staged changes.
   */
  public Uni<GitResults.Committed> commit(SandboxAccess.Owned owned, String message, boolean all) {
    Uni<Void> staged =
        all
            ? git(owned, "add", "--all").invoke(r -> requireOk("git add", r)).replaceWithVoid()
            : Uni.createFrom().voidItem();
    return staged
        .chain(() -> git(owned, "diff", "--cached", "--name-status", "-z"))
        .chain(
            diff -> {
              requireOk("git diff", diff);
              List<CommitMessages.Change> changes = CommitMessages.parse(diff.stdout());
              if (changes.isEmpty()) {
                throw new ProblemException(
                    409,
                    "nothing-to-commit",
                    "Conflict",
                    all
                        ? "nothing to commit: the workspace has no changes"
                        : "nothing to commit: no changes are staged (commit with all: true to"
                            + " include every change)",
                    null);
              }
              String text = message != null ? message : CommitMessages.write(changes);
              return identity(owned)
                  .chain(identity -> commitWith(owned, identity, text))
                  .chain(() -> head(owned))
                  .map(head -> new GitResults.Committed(head[0], head[1], changes.size(), text))
                  .call(
                      committed -> {
                        Map<String, Object> data = new LinkedHashMap<>();
                        data.put("commit", committed.commit());
                        data.put("branch", committed.branch());
                        data.put("filesChanged", committed.filesChanged());
                        data.put("subject", text.lines().findFirst().orElse(""));
                        return announce(owned, LogTypes.GIT_COMMITTED, data);
                      });
            });
  }

  private Uni<Void> commitWith(SandboxAccess.Owned owned, List<String> identity, String message) {
    List<String> args = new ArrayList<>(identity);
    args.addAll(List.of("commit", "--quiet", "--no-edit", "-m", message));
    return git(owned, args)
        .invoke(
            result -> {
              if (!result.succeeded()) {
                throw GitFailures.gitFailed("git commit", result);
              }
            })
        .replaceWithVoid();
  }

  /** The {@code -c} settings that give the commit an author when the sandbox's git has none. */
  private Uni<List<String>> identity(SandboxAccess.Owned owned) {
    return git(owned, "config", "--get", "user.email")
        .map(
            result ->
                result.succeeded() && !result.stdout().isBlank()
                    ? List.of()
                    : List.of(
                        "-c",
                        "user.name=" + committer.name(),
                        "-c",
                        "user.email=" + committer.email()));
  }

  /** HEAD's commit and branch (null when detached). */
  private Uni<String[]> head(SandboxAccess.Owned owned) {
    return git(owned, "rev-parse", "HEAD")
        .chain(
            commit -> {
              requireOk("git rev-parse", commit);
              return git(owned, "symbolic-ref", "--quiet", "--short", "HEAD")
                  .map(
                      ref ->
                          new String[] {
                            commit.stdout().strip(), ref.succeeded() ? ref.stdout().strip() : null
                          });
            });
  }

  /** Pushes {@code branch} (default: the current one) to origin and makes it its upstream. */
  public Uni<GitResults.Pushed> push(SandboxAccess.Owned owned, String branch) {
    Uni<String> which =
        branch != null
            ? Uni.createFrom().item(branch)
            : head(owned)
                .map(
                    head -> {
                      if (head[1] == null) {
                        throw ProblemException.conflict(
                            "HEAD is detached: name the branch to push");
                      }
                      return head[1];
                    });
    return which.chain(
        name ->
            git(owned, "push", "--quiet", "--set-upstream", "origin", "refs/heads/" + name)
                .chain(
                    result -> {
                      if (!result.succeeded()) {
                        throw GitFailures.push(name, result);
                      }
                      return git(owned, "rev-parse", "refs/heads/" + name);
                    })
                .map(
                    rev -> {
                      requireOk("git rev-parse", rev);
                      return new GitResults.Pushed(name, "origin/" + name, rev.stdout().strip());
                    }));
  }

  /** Fast-forwards the current branch to its upstream. */
  public Uni<GitResults.Pulled> pull(SandboxAccess.Owned owned) {
    return head(owned)
        .chain(
            before -> {
              if (before[1] == null) {
                throw ProblemException.conflict("HEAD is detached: switch to a branch to pull");
              }
              return git(owned, "pull", "--quiet", "--ff-only", "--no-rebase")
                  .chain(
                      result -> {
                        if (!result.succeeded()) {
                          throw GitFailures.pull(result);
                        }
                        return head(owned);
                      })
                  .map(
                      after ->
                          new GitResults.Pulled(
                              before[1], before[0], after[0], !before[0].equals(after[0])))
                  .call(
                      pulled -> {
                        if (!pulled.updated()) {
                          return Uni.createFrom().voidItem();
                        }
                        Map<String, Object> data = new LinkedHashMap<>();
                        data.put("branch", pulled.branch());
                        data.put("before", pulled.before());
                        data.put("after", pulled.after());
                        return announce(owned, LogTypes.GIT_PULLED, data);
                      });
            });
  }

  private static void requireOk(String what, ExecResult result) {
    if (!result.succeeded()) {
      String err = result.stderr().toLowerCase(java.util.Locale.ROOT);
      if (err.contains("not a git repository")) {
        throw ProblemException.conflict("the session's workspace is not a git repository");
      }
      throw GitFailures.gitFailed(what, result);
    }
  }

  private Uni<ExecResult> git(SandboxAccess.Owned owned, String... args) {
    return git(owned, List.of(args));
  }

  private Uni<ExecResult> git(SandboxAccess.Owned owned, List<String> args) {
    List<String> argv = new ArrayList<>(args.size() + 3);
    argv.add("git");
    // Output goes to the API, never to a pager.
    argv.add("--no-pager");
    argv.addAll(args);
    return commands.run(
        owned,
        UUID.randomUUID(),
        new CommandService.Command(List.copyOf(argv), null, null, null, false));
  }
}
