package dev.remoteclaude.cli.command;

import com.fasterxml.jackson.databind.JsonNode;
import dev.remoteclaude.api.SessionState;
import dev.remoteclaude.api.SessionView;
import dev.remoteclaude.api.TaskView;
import dev.remoteclaude.cli.CliContext;
import dev.remoteclaude.cli.ExitCodes;
import dev.remoteclaude.cli.Interruption;
import dev.remoteclaude.cli.Json;
import dev.remoteclaude.cli.render.Format;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;

/**
 * Waits by asking the REST API every half second: for short waits where the stream would be more
 * machinery than help (pause, resume, rm, cancel). Ctrl-C stops waiting (exit 130).
 */
final class Polling {

  static final Duration EVERY = Duration.ofMillis(500);

  private Polling() {}

  /** The outcome: an exit code and the last answer. */
  record Result(int code, JsonNode body) {}

  /** Until the session is in one of {@code wanted}; FAILED or another final state is exit 1. */
  static Result session(CliContext context, UUID id, Set<SessionState> wanted, Duration timeout)
      throws InterruptedException {
    Instant deadline = context.clock().instant().plus(timeout);
    Interruption interruption = context.interruption();
    try (Interruption.Registration ctrlC = interruption.onInterrupt(() -> {})) {
      while (true) {
        JsonNode body = context.api().get(SessionCommand.path(id));
        SessionView session = Json.convert(body, SessionView.class);
        if (wanted.contains(session.state())) {
          return new Result(ExitCodes.OK, body);
        }
        if (session.state().isFinal()) {
          context
              .err()
              .println(
                  "error: session "
                      + id
                      + " is "
                      + session.state()
                      + (session.stateReason() == null ? "" : ": " + session.stateReason()));
          return new Result(ExitCodes.FAILED, body);
        }
        Result stop = pause(context, deadline, timeout, "session " + id + " is " + session.state());
        if (stop != null) {
          return stop;
        }
      }
    }
  }

  /** Until the task finished; the exit code follows its outcome. */
  static Result task(CliContext context, UUID id, Duration timeout) throws InterruptedException {
    Instant deadline = context.clock().instant().plus(timeout);
    try (Interruption.Registration ctrlC = context.interruption().onInterrupt(() -> {})) {
      while (true) {
        JsonNode body = context.api().get("/api/v1/tasks/" + id);
        TaskView task = Json.convert(body, TaskView.class);
        if (task.state().isFinished()) {
          return new Result(Goals.exitCodeOf(task.state()), body);
        }
        Result stop = pause(context, deadline, timeout, "task " + id + " is " + task.state());
        if (stop != null) {
          return stop;
        }
      }
    }
  }

  private static Result pause(CliContext context, Instant deadline, Duration timeout, String where)
      throws InterruptedException {
    if (!context.clock().instant().isBefore(deadline)) {
      context
          .err()
          .println("error: still waiting after " + Format.compactDuration(timeout) + ": " + where);
      return new Result(ExitCodes.TIMED_OUT, null);
    }
    if (context.interruption().await(EVERY)) {
      context.err().println("Stopped waiting: " + where + ".");
      return new Result(ExitCodes.DETACHED, null);
    }
    return null;
  }
}
