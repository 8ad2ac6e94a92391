package dev.remoteclaude.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import dev.remoteclaude.api.GitCredential;
import dev.remoteclaude.api.RegisterRepositoryRequest;
import dev.remoteclaude.api.RepositoryView;
import dev.remoteclaude.cli.CliContext;
import dev.remoteclaude.cli.CliException;
import dev.remoteclaude.cli.ExitCodes;
import dev.remoteclaude.cli.Json;
import dev.remoteclaude.cli.render.Format;
import dev.remoteclaude.cli.render.Table;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rclaude repo ...}: add, list, show, rm registered repositories. */
@Command(
    name = "repo",
    aliases = "repos",
    mixinStandardHelpOptions = true,
    description = {
      "Register repositories and the tokens to clone them with.",
      "A session on a registered repository (session create --repo ID, or its URL) is cloned"
          + " with its token; the token is write-only and never shown again."
    },
    subcommands = {
      RepoCommand.Add.class,
      RepoCommand.ListRepos.class,
      RepoCommand.Show.class,
      RepoCommand.Remove.class
    })
public final class RepoCommand implements Runnable {

  static final String REPOSITORIES = "/api/v1/repositories";

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "a subcommand is required");
  }

  /** A repository id, if {@code value} is one. */
  static Optional<UUID> parseId(String value) {
    try {
      return value.length() == 36 ? Optional.of(UUID.fromString(value)) : Optional.empty();
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** {@code repo add}. */
  @Command(
      name = "add",
      mixinStandardHelpOptions = true,
      description = {
        "Register a repository, optionally with a token to clone it with.",
        "The token is read from stdin (--token-stdin) or an environment variable (--token-env),"
            + " never from the command line."
      },
      footer = {
        "",
        "Examples:",
        "  rclaude repo add https://github.com/acme/app",
        "  gh auth token | rclaude repo add https://github.com/acme/private --token-stdin",
        "  rclaude repo add https://git.acme.com/team/app --forge GITLAB -b develop \\",
        "      --token-env ACME_GIT_TOKEN"
      })
  static final class Add implements Callable<Integer> {
    private final CliContext context;

    @Parameters(index = "0", paramLabel = "URL", description = "https URL of the repository")
    String url;

    @Option(
        names = {"-b", "--branch"},
        description = "default branch of sessions on it (default main)")
    String branch;

    @Option(
        names = "--forge",
        paramLabel = "FORGE",
        description = "GITHUB, GITLAB, BITBUCKET or GITEA (default: told from the host)")
    String forge;

    @ArgGroup(exclusive = true)
    TokenSource token;

    static final class TokenSource {
      @Option(
          names = "--token-stdin",
          required = true,
          description = "read the token from the first line of stdin")
      boolean stdin;

      @Option(
          names = "--token-env",
          required = true,
          paramLabel = "VARIABLE",
          description = "read the token from this environment variable")
      String variable;
    }

    @Option(
        names = {"-q", "--quiet"},
        description = "print only the repository id")
    boolean quiet;

    Add(CliContext context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      GitCredential credential = token == null ? null : new GitCredential(readToken());
      JsonNode body =
          context
              .api()
              .post(
                  REPOSITORIES,
                  new RegisterRepositoryRequest(url.strip(), branch, forge, credential));
      RepositoryView r = Json.convert(body, RepositoryView.class);
      if (context.json()) {
        context.printJson(body);
      } else if (quiet) {
        context.out().println(r.id());
      } else {
        context
            .out()
            .println(
                "Repository "
                    + r.id()
                    + " registered "
                    + context.style().dot()
                    + " "
                    + r.url()
                    + " ("
                    + r.forge()
                    + ", default branch "
                    + r.defaultBranch()
                    + (r.hasCredential() ? ", token set" : ", no token")
                    + ")");
        context.out().println("Use it: rclaude session create --repo " + r.id() + " --wait");
      }
      return ExitCodes.OK;
    }

    private String readToken() {
      String value;
      if (token.stdin) {
        try {
          BufferedReader reader =
              new BufferedReader(new InputStreamReader(context.in(), StandardCharsets.UTF_8));
          value = reader.readLine();
        } catch (IOException e) {
          throw new CliException(
              ExitCodes.FAILED, "cannot read the token from stdin: " + e.getMessage());
        }
        if (value == null || value.isBlank()) {
          throw new CliException(ExitCodes.USAGE, "--token-stdin: stdin holds no token");
        }
      } else {
        value = context.env().get(token.variable);
        if (value == null || value.isBlank()) {
          throw new CliException(
              ExitCodes.USAGE, "--token-env: the variable " + token.variable + " is not set");
        }
      }
      return value.strip();
    }
  }

  /** {@code repo list}. */
  @Command(
      name = "list",
      aliases = "ls",
      mixinStandardHelpOptions = true,
      description = "List your registered repositories, newest first.",
      footer = {"", "Examples:", "  rclaude repo list", "  rclaude repo list -o json"})
  static final class ListRepos implements Callable<Integer> {
    private final CliContext context;

    @Mixin Options.Page paging;

    ListRepos(CliContext context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      int page = paging.page;
      if (page < 1) {
        throw new CliException(ExitCodes.USAGE, "--page starts at 1");
      }
      StringBuilder query = new StringBuilder("?page=").append(page - 1);
      if (paging.size != null) {
        query.append("&size=").append(paging.size);
      }
      JsonNode body = context.api().get(REPOSITORIES + query);
      if (context.json()) {
        context.printJson(body);
        return ExitCodes.OK;
      }
      Instant now = context.clock().instant();
      Table table = new Table("ID", "URL", "FORGE", "BRANCH", "TOKEN", "CREATED");
      for (JsonNode item : body) {
        RepositoryView r = Json.convert(item, RepositoryView.class);
        table.row(
            String.valueOf(r.id()),
            Format.oneLine(r.url(), 56, context.style()),
            String.valueOf(r.forge()),
            r.defaultBranch(),
            r.hasCredential() ? "set" : "-",
            Format.relative(r.createdAt(), now));
      }
      if (table.isEmpty()) {
        context
            .out()
            .println(
                page > 1
                    ? "No repositories on page " + page + "."
                    : "No repositories. Register one: rclaude repo add URL --token-stdin");
        return ExitCodes.OK;
      }
      table.print(context.out());
      return ExitCodes.OK;
    }
  }

  /** {@code repo show}. */
  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Show one registered repository (never its token).",
      footer = {"", "Example:", "  rclaude repo show $REPO"})
  static final class Show implements Callable<Integer> {
    private final CliContext context;

    @Parameters(index = "0", paramLabel = "REPO", description = "the repository id")
    UUID id;

    Show(CliContext context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      JsonNode body = context.api().get(REPOSITORIES + "/" + id);
      if (context.json()) {
        context.printJson(body);
        return ExitCodes.OK;
      }
      RepositoryView r = Json.convert(body, RepositoryView.class);
      Instant now = context.clock().instant();
      Details details = new Details();
      details.add("Repository", String.valueOf(r.id()));
      details.add("URL", r.url());
      details.add("Forge", String.valueOf(r.forge()));
      details.add("Default branch", r.defaultBranch());
      details.add("Token", r.hasCredential() ? "set " + when(r.credentialSetAt(), now) : "none");
      details.add("Created", when(r.createdAt(), now));
      details.add("Updated", when(r.updatedAt(), now));
      details.print(context.out());
      return ExitCodes.OK;
    }

    private String when(Instant at, Instant now) {
      return at == null
          ? null
          : Format.time(at, context.zone()) + " (" + Format.relative(at, now) + ")";
    }
  }

  /** {@code repo rm}. */
  @Command(
      name = "rm",
      aliases = "remove",
      mixinStandardHelpOptions = true,
      description = "Remove registered repositories and their tokens.",
      footer = {"", "Example:", "  rclaude repo rm $REPO"})
  static final class Remove implements Callable<Integer> {
    private final CliContext context;

    @Parameters(arity = "1..*", paramLabel = "REPO", description = "repository ids")
    List<UUID> ids;

    Remove(CliContext context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      int worst = ExitCodes.OK;
      List<String> removed = new ArrayList<>();
      for (UUID id : ids) {
        try {
          context.api().delete(REPOSITORIES + "/" + id);
          removed.add(id.toString());
          if (!context.json()) {
            context.out().println("Repository " + id + " removed");
          }
        } catch (CliException e) {
          context.err().println("error: " + id + ": " + e.getMessage());
          worst = Math.max(worst, e.exitCode());
        }
      }
      if (context.json()) {
        context.printJson(removed);
      }
      return worst;
    }
  }
}
