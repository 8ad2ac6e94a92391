package dev.remoteclaude.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import dev.remoteclaude.api.CreatePullRequestRequest;
import dev.remoteclaude.api.PullRequestView;
import dev.remoteclaude.cli.CliContext;
import dev.remoteclaude.cli.ExitCodes;
import dev.remoteclaude.cli.Json;
import dev.remoteclaude.cli.render.Format;
import dev.remoteclaude.cli.render.Table;
import java.time.Instant;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rclaude pr ...}: open and list a session's pull (merge) requests. */
@Command(
    name = "pr",
    mixinStandardHelpOptions = true,
    description = {
      "Open and list a session's pull requests (merge requests on GitLab).",
      "The session's repository must be registered with a token that may open them (repo add)."
    },
    subcommands = {PrCommand.Create.class, PrCommand.ListPrs.class})
public final class PrCommand implements Runnable {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "a subcommand is required");
  }

  static String path(UUID session) {
    return "/api/v1/sessions/" + session + "/pull-requests";
  }

  /** {@code pr create}. */
  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = {
        "Open a pull request from the session's branch on the repository's forge.",
        "The branch is the one last pushed from the session unless --head names one; it merges"
            + " into the repository's default branch unless --base names one."
      },
      footer = {
        "",
        "Examples:",
        "  rclaude pr create $SESSION --title \"Add a hello world script\"",
        "  rclaude pr create $SESSION --title Fix --head claude/${SESSION:0:8}/fix --base develop"
            + " --draft"
      })
  static final class Create implements Callable<Integer> {
    private final CliContext context;

    @Parameters(index = "0", paramLabel = "SESSION", description = "the session id")
    UUID session;

    @Option(names = "--title", required = true, description = "the pull request's title")
    String title;

    @Option(names = "--body", description = "its description (Markdown)")
    String body;

    @Option(names = "--base", paramLabel = "BRANCH", description = "the branch to merge into")
    String base;

    @Option(names = "--head", paramLabel = "BRANCH", description = "the branch with the changes")
    String head;

    @Option(names = "--draft", description = "open it as a draft")
    boolean draft;

    Create(CliContext context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      JsonNode answer =
          context
              .api()
              .post(
                  path(session),
                  new CreatePullRequestRequest(title, body, base, head, draft ? true : null));
      if (context.json()) {
        context.printJson(answer);
        return ExitCodes.OK;
      }
      PullRequestView pr = Json.convert(answer, PullRequestView.class);
      context
          .out()
          .println(
              "Pull request #"
                  + pr.number()
                  + " opened "
                  + context.style().dot()
                  + " "
                  + pr.head()
                  + " → "
                  + pr.base()
                  + " ("
                  + pr.state()
                  + ")");
      context.out().println(pr.url());
      return ExitCodes.OK;
    }
  }

  /** {@code pr list}. */
  @Command(
      name = "list",
      aliases = "ls",
      mixinStandardHelpOptions = true,
      description = "List the session's pull requests with their state, newest first.",
      footer = {
        "",
        "Examples:",
        "  rclaude pr list $SESSION",
        "  rclaude pr list $SESSION -o json"
      })
  static final class ListPrs implements Callable<Integer> {
    private final CliContext context;

    @Parameters(index = "0", paramLabel = "SESSION", description = "the session id")
    UUID session;

    ListPrs(CliContext context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      JsonNode answer = context.api().get(path(session));
      if (context.json()) {
        context.printJson(answer);
        return ExitCodes.OK;
      }
      Instant now = context.clock().instant();
      Table table = new Table("#", "STATE", "HEAD", "BASE", "TITLE", "URL", "OPENED");
      for (JsonNode item : answer) {
        PullRequestView pr = Json.convert(item, PullRequestView.class);
        table.row(
            String.valueOf(pr.number()),
            pr.state(),
            pr.head(),
            pr.base(),
            Format.oneLine(pr.title(), 40, context.style()),
            pr.url(),
            Format.relative(pr.createdAt(), now));
      }
      if (table.isEmpty()) {
        context
            .out()
            .println("No pull requests. Open one: rclaude pr create " + session + " --title ...");
        return ExitCodes.OK;
      }
      table.print(context.out());
      return ExitCodes.OK;
    }
  }
}
