package dev.remoteclaude.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import dev.remoteclaude.api.CommandRequest;
import dev.remoteclaude.api.CommandResult;
import dev.remoteclaude.cli.CliContext;
import dev.remoteclaude.cli.CliException;
import dev.remoteclaude.cli.ExitCodes;
import dev.remoteclaude.cli.Json;
import dev.remoteclaude.cli.render.Format;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code rclaude exec}: runs a command in the sandbox; its exit code becomes ours. */
@Command(
    name = "exec",
    mixinStandardHelpOptions = true,
    description = {
      "Run a command in a session's sandbox.",
      "It runs in the repository's directory; its stdout goes to stdout, its stderr to stderr.",
      "Exits with the command's exit code (124 if it timed out); before the command runs, the"
          + " usual rclaude exit codes apply."
    },
    footer = {
      "",
      "Examples:",
      "  rclaude exec $SESSION -- ls -la",
      "  rclaude exec $SESSION -- git status --short",
      "  rclaude exec $SESSION --script 'npm ci && npm test' --timeout 10m",
      "  rclaude exec $SESSION -o json -- cat package.json"
    })
public final class ExecCommand implements Callable<Integer> {

  /** The gateway's ceiling for a command's run time. */
  static final Duration MAX_TIMEOUT = Duration.ofDays(1);

  private final CliContext context;

  @Mixin Options.SessionId session;

  @Parameters(
      index = "1..*",
      paramLabel = "COMMAND",
      description = "the command and its arguments, run as is (no shell); put -- before it")
  List<String> argv = new ArrayList<>();

  @Option(
      names = "--script",
      paramLabel = "SCRIPT",
      description = "a shell script instead (run with bash -lc in the sandbox)")
  String script;

  @Option(
      names = "--timeout",
      paramLabel = "DURATION",
      description = "stop the command after this long, e.g. 30s, 10m (default: the platform's)")
  Duration timeout;

  @Option(
      names = {"-C", "--workdir"},
      paramLabel = "DIR",
      description = "working directory, relative to the workspace")
  String workingDir;

  ExecCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() {
    boolean hasArgv = argv != null && !argv.isEmpty();
    boolean hasScript = script != null && !script.isBlank();
    if (hasArgv == hasScript) {
      throw new CliException(
          ExitCodes.USAGE,
          "give either a command (rclaude exec SESSION -- CMD ARGS...) or --script, not "
              + (hasArgv ? "both" : "neither"));
    }
    if (timeout != null && (timeout.toSeconds() < 1 || timeout.compareTo(MAX_TIMEOUT) > 0)) {
      throw new CliException(ExitCodes.USAGE, "--timeout must be between 1s and 1d");
    }
    CommandRequest body =
        new CommandRequest(
            hasArgv ? argv : null,
            hasArgv ? null : script,
            workingDir,
            timeout == null ? null : Math.toIntExact(timeout.toSeconds()),
            null);
    Duration wait = (timeout == null ? Duration.ofHours(1) : timeout).plusMinutes(1);
    JsonNode answer =
        context.api().post("/api/v1/sessions/" + session.id + "/commands", body, wait);
    CommandResult result = Json.convert(answer, CommandResult.class);
    if (context.json()) {
      context.printJson(answer);
    } else {
      if (result.stdout() != null) {
        context.out().print(result.stdout());
        context.out().flush();
      }
      if (result.stderr() != null) {
        context.err().print(result.stderr());
      }
    }
    if (result.truncated()) {
      context.err().println("rclaude: the output was too long and was cut");
    }
    if (result.timedOut()) {
      context
          .err()
          .println(
              "rclaude: the command timed out after "
                  + Format.millis(result.durationMs())
                  + " and was stopped");
      return ExitCodes.TIMED_OUT;
    }
    return result.exitCode();
  }
}
