package dev.remoteclaude.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import dev.remoteclaude.api.GitBranchView;
import dev.remoteclaude.api.GitRequests;
import dev.remoteclaude.api.GitResults;
import dev.remoteclaude.api.GitStatusView;
import dev.remoteclaude.cli.CliContext;
import dev.remoteclaude.cli.ExitCodes;
import dev.remoteclaude.cli.Json;
import dev.remoteclaude.cli.render.Table;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code rclaude git status|branch|checkout|commit|push|pull}: git in a session's workspace, run by
 * the platform inside the sandbox.
 */
@Command(
    name = "git",
    mixinStandardHelpOptions = true,
    description = "Git in a session's workspace (run inside its sandbox).",
    subcommands = {
      GitCommand.Status.class,
      GitCommand.Branch.class,
      GitCommand.Checkout.class,
      GitCommand.Commit.class,
      GitCommand.Push.class,
      GitCommand.Pull.class
    })
public final class GitCommand implements Runnable {

  /** Pushes and pulls talk to the remote: they may take longer than a plain request. */
  static final Duration REMOTE_TIMEOUT = Duration.ofMinutes(3);

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new CommandLine.ParameterException(spec.commandLine(), "a subcommand is required");
  }

  static String path(UUID sessionId, String rest) {
    return "/api/v1/sessions/" + sessionId + "/git" + rest;
  }

  static String shortCommit(String commit) {
    return commit == null ? "-" : commit.substring(0, Math.min(7, commit.length()));
  }

  /** {@code git status}. */
  @Command(
      name = "status",
      mixinStandardHelpOptions = true,
      description = "Show the branch, how it stands against its upstream, and the changed files.")
  static final class Status implements Callable<Integer> {
    private final CliContext context;

    @Mixin Options.SessionId session;

    Status(CliContext context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      JsonNode answer = context.api().get(path(session.id, ""));
      if (context.json()) {
        context.printJson(answer);
        return ExitCodes.OK;
      }
      GitStatusView status = Json.convert(answer, GitStatusView.class);
      StringBuilder head =
          new StringBuilder(
              status.branch() == null
                  ? "HEAD detached at " + shortCommit(status.headCommit())
                  : "On branch " + status.branch());
      if (status.upstream() != null) {
        head.append(" (")
            .append(status.upstream())
            .append(": ")
            .append(status.ahead())
            .append(" ahead, ")
            .append(status.behind())
            .append(" behind)");
      } else if (status.branch() != null) {
        head.append(" (no upstream)");
      }
      context.out().println(head);
      if (status.clean()) {
        context.out().println("Nothing to commit, working tree clean.");
        return ExitCodes.OK;
      }
      Table table = new Table("STATUS", "STAGED", "PATH");
      for (GitStatusView.GitChange change : status.changes()) {
        table.row(
            change.status(),
            change.staged() ? "yes" : "",
            change.originalPath() == null
                ? change.path()
                : change.originalPath() + " -> " + change.path());
      }
      table.print(context.out());
      return ExitCodes.OK;
    }
  }

  /** {@code git branch}: lists the branches, or creates one. */
  @Command(
      name = "branch",
      mixinStandardHelpOptions = true,
      description = {
        "List the workspace's branches, or create NAME (from --from, default HEAD).",
        "Creating does not switch to it: use rclaude git checkout.",
        "A session may push only its own branches: claude/<first 8 characters of its id> and"
            + " branches under it."
      },
      footer = {
        "",
        "Examples:",
        "  rclaude git branch $SESSION",
        "  rclaude git branch $SESSION claude/${SESSION:0:8}/fix-login --from origin/main"
      })
  static final class Branch implements Callable<Integer> {
    private final CliContext context;

    @Mixin Options.SessionId session;

    @Parameters(
        index = "1",
        arity = "0..1",
        paramLabel = "NAME",
        description = "a branch to create")
    String name;

    @Option(
        names = "--from",
        paramLabel = "REV",
        description = "where the new branch starts (a branch, tag or commit)")
    String from;

    Branch(CliContext context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      if (name == null) {
        JsonNode answer = context.api().get(path(session.id, "/branches"));
        if (context.json()) {
          context.printJson(answer);
          return ExitCodes.OK;
        }
        Table table = new Table("", "BRANCH", "UPSTREAM", "COMMIT");
        for (JsonNode item : answer) {
          GitBranchView b = Json.convert(item, GitBranchView.class);
          table.row(
              b.current() ? "*" : "",
              b.name(),
              b.upstream() == null ? "-" : b.upstream(),
              shortCommit(b.commit()));
        }
        table.print(context.out());
        return ExitCodes.OK;
      }
      JsonNode answer =
          context
              .api()
              .post(path(session.id, "/branches"), new GitRequests.CreateBranch(name, from));
      if (context.json()) {
        context.printJson(answer);
      } else {
        GitBranchView b = Json.convert(answer, GitBranchView.class);
        context
            .out()
            .println("Created branch " + b.name() + " at " + shortCommit(b.commit()) + ".");
      }
      return ExitCodes.OK;
    }
  }

  /** {@code git checkout}. */
  @Command(
      name = "checkout",
      aliases = "switch",
      mixinStandardHelpOptions = true,
      description = "Switch the workspace to BRANCH (a remote branch of that name is tracked).")
  static final class Checkout implements Callable<Integer> {
    private final CliContext context;

    @Mixin Options.SessionId session;

    @Parameters(index = "1", paramLabel = "BRANCH", description = "the branch to switch to")
    String branch;

    Checkout(CliContext context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      JsonNode answer =
          context.api().post(path(session.id, "/checkout"), new GitRequests.Checkout(branch));
      if (context.json()) {
        context.printJson(answer);
      } else {
        context.out().println("Switched to branch " + branch + ".");
      }
      return ExitCodes.OK;
    }
  }

  /** {@code git commit}. */
  @Command(
      name = "commit",
      mixinStandardHelpOptions = true,
      description = {
        "Commit every change in the workspace (or, with --staged, only what is staged).",
        "Without -m, the message is written from the changes (the files and what happened to"
            + " them)."
      },
      footer = {
        "",
        "Examples:",
        "  rclaude git commit $SESSION -m 'Fix the login redirect'",
        "  rclaude git commit $SESSION"
      })
  static final class Commit implements Callable<Integer> {
    private final CliContext context;

    @Mixin Options.SessionId session;

    @Option(
        names = {"-m", "--message"},
        paramLabel = "MESSAGE",
        description = "the commit message")
    String message;

    @Option(names = "--staged", description = "commit only the staged changes")
    boolean staged;

    Commit(CliContext context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      JsonNode answer =
          context.api().post(path(session.id, "/commit"), new GitRequests.Commit(message, !staged));
      if (context.json()) {
        context.printJson(answer);
      } else {
        GitResults.Committed c = Json.convert(answer, GitResults.Committed.class);
        String subject = c.message() == null ? "" : c.message().lines().findFirst().orElse("");
        context
            .out()
            .println(
                "["
                    + (c.branch() == null ? "detached HEAD" : c.branch())
                    + " "
                    + shortCommit(c.commit())
                    + "] "
                    + subject
                    + " ("
                    + c.filesChanged()
                    + (c.filesChanged() == 1 ? " file)" : " files)"));
      }
      return ExitCodes.OK;
    }
  }

  /** {@code git push}. */
  @Command(
      name = "push",
      mixinStandardHelpOptions = true,
      description = "Push BRANCH (default: the current one) to origin and set it as its upstream.")
  static final class Push implements Callable<Integer> {
    private final CliContext context;

    @Mixin Options.SessionId session;

    @Parameters(index = "1", arity = "0..1", paramLabel = "BRANCH", description = "the branch")
    String branch;

    Push(CliContext context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      JsonNode answer =
          context
              .api()
              .post(path(session.id, "/push"), new GitRequests.Push(branch), REMOTE_TIMEOUT);
      if (context.json()) {
        context.printJson(answer);
      } else {
        GitResults.Pushed p = Json.convert(answer, GitResults.Pushed.class);
        context
            .out()
            .println(
                "Pushed "
                    + p.branch()
                    + " ("
                    + shortCommit(p.commit())
                    + ") to "
                    + p.upstream()
                    + ".");
      }
      return ExitCodes.OK;
    }
  }

  /** {@code git pull}. */
  @Command(
      name = "pull",
      mixinStandardHelpOptions = true,
      description = "Fast-forward the current branch to its upstream.")
  static final class Pull implements Callable<Integer> {
    private final CliContext context;

    @Mixin Options.SessionId session;

    Pull(CliContext context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      JsonNode answer = context.api().post(path(session.id, "/pull"), null, REMOTE_TIMEOUT);
      if (context.json()) {
        context.printJson(answer);
      } else {
        GitResults.Pulled p = Json.convert(answer, GitResults.Pulled.class);
        context
            .out()
            .println(
                p.updated()
                    ? "Updated "
                        + p.branch()
                        + ": "
                        + shortCommit(p.before())
                        + ".."
                        + shortCommit(p.after())
                        + "."
                    : "Already up to date.");
      }
      return ExitCodes.OK;
    }
  }
}
