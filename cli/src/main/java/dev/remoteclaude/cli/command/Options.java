package dev.remoteclaude.cli.command;

import dev.remoteclaude.api.SessionState;
import dev.remoteclaude.cli.CliContext;
import java.time.Duration;
import java.util.Set;
import java.util.UUID;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * The options and arguments several commands share, each declared once as a picocli mixin
 * ({@code @Mixin}). Where a shared option reads differently per command (what {@code --wait} waits
 * for, {@code --timeout}'s default, what {@code --size} counts), the words and defaults are in this
 * class's resource bundle ({@code Options.properties}), keyed by the command's qualified name:
 * {@code rclaude.session.create.timeout} is the help of {@code session create --timeout}, {@code
 * rclaude.session.create.timeout.default} its default.
 */
final class Options {
  private Options() {}

  /**
   * {@code -w/--wait} and {@code --timeout}: a command that starts something can wait until it got
   * there, and stop waiting after a while (exit 124) or on Ctrl-C (exit 130). Waiting asks the REST
   * API every half second ({@link Polling}); {@code session create} follows the stream.
   */
  @Command(resourceBundle = "dev.remoteclaude.cli.command.Options")
  static final class Wait {
    @Option(
        names = {"-w", "--wait"},
        descriptionKey = "wait")
    boolean enabled;

    @Option(names = "--timeout", paramLabel = "DURATION", descriptionKey = "timeout")
    Duration timeout;

    /** Whether to wait ({@code --wait}). */
    boolean enabled() {
      return enabled;
    }

    /** How long to wait ({@code --timeout}, or the command's default). */
    Duration timeout() {
      return timeout;
    }

    /** Until the session is in one of {@code wanted} (a final state is exit 1). */
    Polling.Result untilSession(CliContext context, UUID id, Set<SessionState> wanted)
        throws InterruptedException {
      return Polling.session(context, id, wanted, timeout);
    }

    /** Until the task finished; the exit code follows its outcome. */
    Polling.Result untilTaskEnds(CliContext context, UUID id) throws InterruptedException {
      return Polling.task(context, id, timeout);
    }
  }

  /** {@code --page} (from 1) and {@code --size} of a list. */
  @Command(resourceBundle = "dev.remoteclaude.cli.command.Options")
  static final class Page {
    @Option(names = "--page", defaultValue = "1", description = "page, from 1 (default 1)")
    int page;

    @Option(names = "--size", descriptionKey = "size")
    Integer size;
  }

  /** {@code -v/--verbose}: show more of what Claude does (what exactly: per command). */
  @Command(resourceBundle = "dev.remoteclaude.cli.command.Options")
  static final class Verbose {
    @Option(
        names = {"-v", "--verbose"},
        descriptionKey = "verbose")
    boolean enabled;
  }

  /** The {@code SESSION} argument, first on the line. */
  static final class SessionId {
    @Parameters(index = "0", paramLabel = "SESSION", description = "the session id")
    UUID id;
  }

  /** The {@code TASK} argument, first on the line. */
  static final class TaskId {
    @Parameters(index = "0", paramLabel = "TASK", description = "the task id")
    UUID id;
  }
}
