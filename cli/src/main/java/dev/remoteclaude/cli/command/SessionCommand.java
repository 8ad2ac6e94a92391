package dev.remoteclaude.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import dev.remoteclaude.api.CreateSessionRequest;
import dev.remoteclaude.api.ExtendRequest;
import dev.remoteclaude.api.SessionState;
import dev.remoteclaude.api.SessionView;
import dev.remoteclaude.cli.CliContext;
import dev.remoteclaude.cli.CliException;
import dev.remoteclaude.cli.ExitCodes;
import dev.remoteclaude.cli.Json;
import dev.remoteclaude.cli.api.Api;
import dev.remoteclaude.cli.render.Format;
import dev.remoteclaude.cli.render.Style;
import dev.remoteclaude.cli.render.Table;
import dev.remoteclaude.cli.stream.SessionStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rclaude session ...}: create, list, show, pause, resume, extend, rm. */
@Command(
    name = "session",
    aliases = "sessions",
    mixinStandardHelpOptions = true,
    description = "Create and manage sessions (sandboxes with your repository).",
    subcommands = {
      SessionCommand.Create.class,
      SessionCommand.ListSessions.class,
      SessionCommand.Show.class,
      SessionCommand.Pause.class,
      SessionCommand.Resume.class,
      SessionCommand.Extend.class,
      SessionCommand.Remove.class
    })
public final class SessionCommand implements Runnable {

  @picocli.CommandLine.Spec picocli.CommandLine.Model.CommandSpec spec;

  @Override
  public void run() {
    throw new picocli.CommandLine.ParameterException(
        spec.commandLine(), "a subcommand is required");
  }

  static String path(UUID id) {
    return "/api/v1/sessions/" + id;
  }

  /** {@code session create}. */
  @Command(
      name = "create",
      mixinStandardHelpOptions = true,
      description = {
        "Create a session: a sandbox with the repository cloned and Claude Code ready.",
        "With --wait, show the provisioning until the session is READY (exit 0) or FAILED"
            + " (exit 1)."
      },
      footer = {
        "",
        "Examples:",
        "  rclaude session create --repo https://github.com/acme/app.git --wait",
        "  rclaude session create -r ./my-repo -b main --idle-timeout 10m \\",
        "      -e DEBUG=1 --setup 'npm ci' --wait",
        "  id=$(rclaude session create -r https://github.com/acme/app.git --wait -q)"
      })
  static final class Create implements Callable<Integer> {
    private final CliContext context;

    @Option(
        names = {"-r", "--repo"},
        required = true,
        paramLabel = "URL|ID",
        description =
            "the git repository (https URL; a local directory becomes a file: URL), or the id of"
                + " a repository registered with 'rclaude repo add' (cloned with its credential)")
    String repository;

    @Option(
        names = {"-b", "--branch"},
        description = "branch to check out (default: the repository's)")
    String branch;

    @Option(names = "--provider", description = "sandbox provider (default: the platform's)")
    String provider;

    @Option(
        names = "--region",
        description = "one of the platform's regions; with provider auto, only one serving it")
    String region;

    @Option(
        names = "--idle-timeout",
        paramLabel = "DURATION",
        description = "pause after this long without activity, e.g. 5m, 1h (default 5m)")
    Duration idleTimeout;

    @Option(
        names = "--max-lifetime",
        paramLabel = "DURATION",
        description = "end the session at the latest after this long, e.g. 12h")
    Duration maxLifetime;

    @Option(
        names = {"-e", "--env"},
        paramLabel = "NAME=VALUE",
        description = "environment variable for the sandbox (repeatable; values are write-only)")
    Map<String, String> environment = new LinkedHashMap<>();

    @Option(
        names = "--setup",
        paramLabel = "COMMAND",
        description = "command run once after the clone (repeatable, in order)")
    List<String> setup = new ArrayList<>();

    @Mixin Options.Wait waiting;

    @Option(
        names = {"-q", "--quiet"},
        description = "print only the session id")
    boolean quiet;

    Create(CliContext context) {
      this.context = context;
    }

    @Override
    public Integer call() throws InterruptedException {
      Api api = context.api();
      UUID registered = RepoCommand.parseId(repository.strip()).orElse(null);
      CreateSessionRequest body =
          new CreateSessionRequest(
              registered == null ? repositoryUrl(repository, context.env()) : null,
              branch,
              provider,
              idleTimeout,
              maxLifetime,
              environment.isEmpty() ? null : environment,
              setup.isEmpty() ? null : setup,
              registered,
              region);
      Instant started = context.clock().instant();
      JsonNode created = api.post("/api/v1/sessions", body);
      SessionView session = Json.convert(created, SessionView.class);
      Style style = context.style();
      if (quiet) {
        context.out().println(session.id());
      } else if (!context.json()) {
        context
            .out()
            .println(
                "Session "
                    + session.id()
                    + " created ("
                    + session.state()
                    + ") "
                    + style.dot()
                    + " "
                    + session.repositoryUrl()
                    + (session.branch() == null ? "" : " @ " + session.branch()));
      }
      if (!waiting.enabled()) {
        if (context.json()) {
          context.printJson(created);
        } else if (!quiet) {
          context.out().println("Follow it: rclaude attach " + session.id());
        }
        return ExitCodes.OK;
      }
      Follower follower =
          new Follower(
              context,
              session.id(),
              0,
              false,
              quiet || context.json(),
              SessionStream.Options.defaults().withNotFoundGrace(Duration.ofSeconds(30)));
      int code =
          follower.follow(
              new Goals.SessionStateGoal(session.id(), Set.of(SessionState.READY)),
              waiting.timeout(),
              "error: session "
                  + session.id()
                  + " is not READY after "
                  + Format.compactDuration(waiting.timeout())
                  + "; follow it with: rclaude attach "
                  + session.id());
      if (code == ExitCodes.DETACHED || code == ExitCodes.TIMED_OUT) {
        return code;
      }
      JsonNode now = api.get(path(session.id()));
      SessionView latest = Json.convert(now, SessionView.class);
      if (context.json()) {
        context.printJson(now);
      } else if (!quiet) {
        if (code == ExitCodes.OK) {
          context
              .out()
              .println(
                  style.green(
                      style.ok()
                          + " session "
                          + latest.id()
                          + " is "
                          + latest.state()
                          + " ("
                          + Format.duration(Duration.between(started, context.clock().instant()))
                          + ")"));
          context.out().println("Next: rclaude task run " + latest.id() + " \"<prompt>\"");
        } else {
          context
              .err()
              .println(
                  "error: session "
                      + latest.id()
                      + " is "
                      + latest.state()
                      + (latest.stateReason() == null ? "" : ": " + latest.stateReason()));
        }
      } else if (code != ExitCodes.OK) {
        context
            .err()
            .println(
                "error: session "
                    + latest.id()
                    + " is "
                    + latest.state()
                    + (latest.stateReason() == null ? "" : ": " + latest.stateReason()));
      }
      return code;
    }

    /**
     * A path to an existing local directory ({@code /srv/repo}, {@code ./repo}, {@code ~/repo})
     * becomes a file: URL, for a platform running on this machine; anything else goes as given.
     */
    static String repositoryUrl(String given, Map<String, String> env) {
      String value = given.strip();
      if (value.isEmpty()) {
        throw new CliException(ExitCodes.USAGE, "--repo must not be empty");
      }
      boolean pathLike =
          value.startsWith("/")
              || value.startsWith("./")
              || value.startsWith("../")
              || value.equals(".")
              || value.equals("..")
              || value.startsWith("~/");
      if (pathLike && !value.contains("://")) {
        if (value.startsWith("~/")) {
          value = env.getOrDefault("HOME", System.getProperty("user.home")) + value.substring(1);
        }
        Path local = Path.of(value);
        if (Files.isDirectory(local)) {
          return local.toAbsolutePath().normalize().toUri().toString().replaceFirst("/$", "");
        }
      }
      return value;
    }
  }

  /** {@code session list}. */
  @Command(
      name = "list",
      aliases = "ls",
      mixinStandardHelpOptions = true,
      description = "List your sessions, newest first.",
      footer = {
        "",
        "Examples:",
        "  rclaude session list",
        "  rclaude session list --state READY,PAUSED -o json"
      })
  static final class ListSessions implements Callable<Integer> {
    private final CliContext context;

    @Option(
        names = {"-s", "--state"},
        split = ",",
        paramLabel = "STATE",
        description = "only these states (PROVISIONING, READY, PAUSED, FAILED, ...)")
    List<String> states = new ArrayList<>();

    @Mixin Options.Page paging;

    ListSessions(CliContext context) {
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
      for (String state : states) {
        query.append("&state=").append(Api.encode(state.strip()));
      }
      JsonNode body = context.api().get("/api/v1/sessions" + query);
      if (context.json()) {
        context.printJson(body);
        return ExitCodes.OK;
      }
      Instant now = context.clock().instant();
      Table table = new Table("ID", "STATE", "REPOSITORY", "BRANCH", "CREATED", "EXPIRES");
      for (JsonNode item : body.path("items")) {
        SessionView s = Json.convert(item, SessionView.class);
        table.row(
            String.valueOf(s.id()),
            s.state().name(),
            Format.oneLine(s.repositoryUrl(), 48, context.style()),
            s.branch() == null ? "-" : s.branch(),
            Format.relative(s.createdAt(), now),
            s.state().isFinal() ? "-" : Format.relative(s.expiresAt(), now));
      }
      long total = body.path("total").asLong();
      if (table.isEmpty()) {
        context
            .out()
            .println(
                total > 0
                    ? "No sessions on page " + page + " (" + total + " in all)."
                    : "No sessions. Create one: rclaude session create --repo URL --wait");
        return ExitCodes.OK;
      }
      table.print(context.out());
      int pageSize = body.path("size").asInt();
      if (pageSize > 0 && total > pageSize) {
        long pages = (total + pageSize - 1) / pageSize;
        context
            .out()
            .println(
                "page "
                    + page
                    + " of "
                    + pages
                    + " "
                    + context.style().dot()
                    + " "
                    + total
                    + " sessions"
                    + (page < pages
                        ? " " + context.style().dot() + " next: --page " + (page + 1)
                        : ""));
      }
      return ExitCodes.OK;
    }
  }

  /** {@code session show}. */
  @Command(
      name = "show",
      mixinStandardHelpOptions = true,
      description = "Show one session in detail.",
      footer = {"", "Example:", "  rclaude session show $SESSION"})
  static final class Show implements Callable<Integer> {
    private final CliContext context;

    @Mixin Options.SessionId session;

    Show(CliContext context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      JsonNode body = context.api().get(path(session.id));
      if (context.json()) {
        context.printJson(body);
        return ExitCodes.OK;
      }
      SessionView s = Json.convert(body, SessionView.class);
      Instant now = context.clock().instant();
      Details details = new Details();
      details.add("Session", String.valueOf(s.id()));
      details.add(
          "State",
          s.state()
              + (s.stateChangedAt() == null
                  ? ""
                  : " since " + Format.relative(s.stateChangedAt(), now))
              + (s.stateReason() == null ? "" : " (" + s.stateReason() + ")"));
      details.add("Repository", s.repositoryUrl() + (s.branch() == null ? "" : " @ " + s.branch()));
      details.add("Provider", s.provider());
      details.add("Created", when(s.createdAt(), now));
      details.add("Last activity", when(s.lastActivityAt(), now));
      if (!s.state().isFinal()) {
        details.add("Expires", when(s.expiresAt(), now));
        details.add("Lifetime ends", when(s.lifetimeEndsAt(), now));
      }
      if (s.idlePauseAt() != null) {
        details.add("Idle pause at", when(s.idlePauseAt(), now));
      }
      details.add(
          "Idle timeout", s.idleTimeout() == null ? null : Format.compactDuration(s.idleTimeout()));
      details.add(
          "Max lifetime", s.maxLifetime() == null ? null : Format.compactDuration(s.maxLifetime()));
      if (s.environmentVariables() != null && !s.environmentVariables().isEmpty()) {
        details.add("Environment", String.join(", ", s.environmentVariables()));
      }
      if (s.setupCommandCount() > 0) {
        details.add("Setup commands", String.valueOf(s.setupCommandCount()));
      }
      if (s.lastSnapshotAt() != null) {
        details.add("Last snapshot", when(s.lastSnapshotAt(), now));
      }
      details.print(context.out());
      return ExitCodes.OK;
    }

    private String when(Instant at, Instant now) {
      return at == null
          ? null
          : Format.time(at, context.zone()) + " (" + Format.relative(at, now) + ")";
    }
  }

  /** Shared by pause and resume: the action, then optionally wait for the state. */
  abstract static class StateAction implements Callable<Integer> {
    final CliContext context;

    @Mixin Options.SessionId session;

    @Mixin Options.Wait waiting;

    StateAction(CliContext context) {
      this.context = context;
    }

    abstract String action();

    abstract SessionState target();

    @Override
    public Integer call() throws InterruptedException {
      UUID id = session.id;
      JsonNode body = context.api().post(path(id) + "/" + action(), null);
      SessionView accepted = Json.convert(body, SessionView.class);
      if (!waiting.enabled()) {
        print(body, accepted);
        return ExitCodes.OK;
      }
      if (!context.json()) {
        context.out().println("Session " + id + " " + accepted.state() + " ...");
      }
      Polling.Result result = waiting.untilSession(context, id, Set.of(target()));
      if (result.code() == ExitCodes.OK || result.code() == ExitCodes.FAILED) {
        print(result.body(), Json.convert(result.body(), SessionView.class));
      }
      return result.code();
    }

    private void print(JsonNode body, SessionView view) {
      if (context.json()) {
        context.printJson(body);
      } else {
        context
            .out()
            .println(
                "Session "
                    + view.id()
                    + " "
                    + view.state()
                    + (view.stateReason() == null ? "" : " (" + view.stateReason() + ")"));
      }
    }
  }

  /** {@code session pause}. */
  @Command(
      name = "pause",
      mixinStandardHelpOptions = true,
      description = "Pause a READY session: its processes stop, its files stay.",
      footer = {"", "Example:", "  rclaude session pause $SESSION --wait"})
  static final class Pause extends StateAction {
    Pause(CliContext context) {
      super(context);
    }

    @Override
    String action() {
      return "pause";
    }

    @Override
    SessionState target() {
      return SessionState.PAUSED;
    }
  }

  /** {@code session resume}. */
  @Command(
      name = "resume",
      mixinStandardHelpOptions = true,
      description = "Resume a PAUSED session.",
      footer = {"", "Example:", "  rclaude session resume $SESSION --wait"})
  static final class Resume extends StateAction {
    Resume(CliContext context) {
      super(context);
    }

    @Override
    String action() {
      return "resume";
    }

    @Override
    SessionState target() {
      return SessionState.READY;
    }
  }

  /** {@code session extend}. */
  @Command(
      name = "extend",
      mixinStandardHelpOptions = true,
      description = "Push a session's expiry back by a duration (up to its maximum lifetime).",
      footer = {"", "Example:", "  rclaude session extend $SESSION 1h"})
  static final class Extend implements Callable<Integer> {
    private final CliContext context;

    @Mixin Options.SessionId session;

    @Parameters(
        index = "1",
        paramLabel = "DURATION",
        description = "how much longer, e.g. 30m, 1h, PT2H")
    Duration duration;

    Extend(CliContext context) {
      this.context = context;
    }

    @Override
    public Integer call() {
      if (duration.isZero() || duration.isNegative()) {
        throw new CliException(ExitCodes.USAGE, "the duration must be positive");
      }
      JsonNode body = context.api().post(path(session.id) + "/extend", new ExtendRequest(duration));
      if (context.json()) {
        context.printJson(body);
        return ExitCodes.OK;
      }
      SessionView s = Json.convert(body, SessionView.class);
      context
          .out()
          .println(
              "Session "
                  + s.id()
                  + " now expires "
                  + Format.time(s.expiresAt(), context.zone())
                  + " ("
                  + Format.relative(s.expiresAt(), context.clock().instant())
                  + ")");
      return ExitCodes.OK;
    }
  }

  /** {@code session rm}. */
  @Command(
      name = "rm",
      aliases = {"delete", "terminate"},
      mixinStandardHelpOptions = true,
      description = "Terminate sessions: their sandboxes and everything in them go away.",
      footer = {"", "Example:", "  rclaude session rm $SESSION --wait"})
  static final class Remove implements Callable<Integer> {
    private final CliContext context;

    @Parameters(arity = "1..*", paramLabel = "SESSION", description = "session ids")
    List<UUID> ids;

    @Mixin Options.Wait waiting;

    Remove(CliContext context) {
      this.context = context;
    }

    @Override
    public Integer call() throws InterruptedException {
      int worst = ExitCodes.OK;
      List<JsonNode> results = new ArrayList<>();
      for (UUID id : ids) {
        try {
          JsonNode body = context.api().delete(path(id));
          if (waiting.enabled()) {
            Polling.Result result =
                waiting.untilSession(context, id, Set.of(SessionState.TERMINATED));
            if (result.code() != ExitCodes.OK) {
              worst = Math.max(worst, result.code());
              if (result.code() == ExitCodes.DETACHED) {
                return result.code();
              }
            }
            body = result.body() == null ? body : result.body();
          }
          results.add(body);
          if (!context.json()) {
            SessionView s = Json.convert(body, SessionView.class);
            context.out().println("Session " + s.id() + " " + s.state());
          }
        } catch (CliException e) {
          context.err().println("error: " + id + ": " + e.getMessage());
          worst = Math.max(worst, e.exitCode());
        }
      }
      if (context.json()) {
        context.printJson(results.size() == 1 && ids.size() == 1 ? results.get(0) : results);
      }
      return worst;
    }
  }
}
