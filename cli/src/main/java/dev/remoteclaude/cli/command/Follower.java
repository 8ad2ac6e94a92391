package dev.remoteclaude.cli.command;

import dev.remoteclaude.api.SessionState;
import dev.remoteclaude.cli.CliContext;
import dev.remoteclaude.cli.CliException;
import dev.remoteclaude.cli.ExitCodes;
import dev.remoteclaude.cli.Interruption;
import dev.remoteclaude.cli.Json;
import dev.remoteclaude.cli.api.Api;
import dev.remoteclaude.cli.render.EventRenderer;
import dev.remoteclaude.cli.render.Style;
import dev.remoteclaude.cli.stream.EventLog;
import dev.remoteclaude.cli.stream.EventTypes;
import dev.remoteclaude.cli.stream.SessionStream;
import dev.remoteclaude.cli.stream.StreamEvent;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Follows a session's stream for a command until its {@link Goal} is reached, Ctrl-C detaches, or a
 * deadline passes: prints what the goal shows (rendered text, or JSON lines with {@code --output
 * json}), says on stderr when the connection drops and resumes, and asks the REST API now and then
 * whether the goal was reached without the stream saying so.
 */
final class Follower {

  /** How often the REST safety net looks (on heartbeats). */
  static final Duration CHECK_EVERY = Duration.ofSeconds(10);

  /** What a command follows the stream for. */
  interface Goal {
    /** Whether the event is printed. */
    boolean shows(StreamEvent event);

    /** The exit code when this event ends the following. */
    OptionalInt reached(StreamEvent event);

    /** Asks the REST API whether the goal was reached anyway (may print and {@link #drain}). */
    OptionalInt check(Follower follower);

    /** Printed on stderr when Ctrl-C detaches. */
    String detachHint(long lastSeq);
  }

  private final CliContext context;
  private final Api api;
  private final UUID sessionId;
  private final EventRenderer renderer;
  private final boolean quiet;
  private final SessionStream stream;

  Follower(
      CliContext context,
      UUID sessionId,
      long after,
      boolean verbose,
      boolean quiet,
      SessionStream.Options options) {
    this.context = context;
    this.api = context.api();
    this.sessionId = sessionId;
    this.renderer = new EventRenderer(context.style(), verbose);
    this.quiet = quiet;
    this.stream = new SessionStream(api, sessionId, after, options, context.clock());
  }

  Api api() {
    return api;
  }

  Style style() {
    return context.style();
  }

  long lastSeq() {
    return stream.lastSeq();
  }

  /**
   * Follows until the goal is reached (its exit code), Ctrl-C ({@link ExitCodes#DETACHED}) or the
   * deadline ({@link ExitCodes#TIMED_OUT}, after printing {@code timeoutMessage}).
   */
  int follow(Goal goal, Duration timeout, String timeoutMessage) throws InterruptedException {
    AtomicBoolean timedOut = new AtomicBoolean();
    CompletableFuture<Void> timer = null;
    if (timeout != null) {
      timer =
          CompletableFuture.runAsync(
              () -> {
                timedOut.set(true);
                stream.detach();
              },
              CompletableFuture.delayedExecutor(timeout.toMillis(), TimeUnit.MILLISECONDS));
    }
    Instant lastCheck = null;
    try (stream;
        Interruption.Registration ctrlC = context.interruption().onInterrupt(stream::detach)) {
      while (true) {
        SessionStream.Signal signal = stream.next();
        switch (signal) {
          case SessionStream.Event(StreamEvent event) -> {
            OptionalInt done = show(goal, event);
            if (done.isPresent()) {
              return done.getAsInt();
            }
            if (context.out().checkError()) {
              return ExitCodes.OK; // nobody reads any more (| head): stop quietly
            }
            if (EventTypes.SESSION_STATE.equals(event.type())
                && SessionState.named(event.text("to")).map(SessionState::isFinal).orElse(false)) {
              lastCheck = null; // look soon: the goal may have ended with the session
            }
          }
          case SessionStream.Heartbeat heartbeat -> {
            Instant now = context.clock().instant();
            if (lastCheck == null || Duration.between(lastCheck, now).compareTo(CHECK_EVERY) >= 0) {
              lastCheck = now;
              OptionalInt done = check(goal);
              if (done.isPresent()) {
                return done.getAsInt();
              }
            }
          }
          case SessionStream.Reconnecting reconnecting -> {
            if (!reconnecting.expected()) {
              context
                  .err()
                  .println(
                      style()
                          .dim(
                              "rclaude: "
                                  + reconnecting.reason()
                                  + "; reconnecting after seq "
                                  + reconnecting.afterSeq()));
            }
          }
          case SessionStream.Detached detached -> {
            context.out().flush();
            if (timedOut.get()) {
              context.err().println(timeoutMessage);
              return ExitCodes.TIMED_OUT;
            }
            context.err().println();
            context.err().println(goal.detachHint(stream.lastSeq()));
            return ExitCodes.DETACHED;
          }
        }
      }
    } finally {
      if (timer != null) {
        timer.cancel(false);
      }
      context.out().flush();
    }
  }

  /** The REST safety net; a platform hiccup there only means: look again next time. */
  private OptionalInt check(Goal goal) {
    try {
      return goal.check(this);
    } catch (CliException e) {
      if (e.exitCode() == ExitCodes.UNAVAILABLE) {
        return OptionalInt.empty();
      }
      throw e;
    }
  }

  /** Prints the event if the goal shows it; returns the exit code if it ends the following. */
  OptionalInt show(Goal goal, StreamEvent event) {
    if (goal.shows(event) && !quiet) {
      if (context.json()) {
        context.out().println(Json.compact(event.raw()));
      } else {
        context.out().print(renderer.render(event));
      }
      context.out().flush();
    }
    return goal.reached(event);
  }

  /**
   * Prints what the log holds after the last event seen (over REST), e.g. after the REST API said
   * the goal was reached; returns the exit code if one of those events reached it.
   */
  OptionalInt drain(Goal goal) {
    EventLog log = new EventLog(api);
    long after = stream.lastSeq();
    while (true) {
      List<StreamEvent> page = log.page(sessionId, after, EventLog.MAX_PAGE);
      if (page.isEmpty()) {
        return OptionalInt.empty();
      }
      for (StreamEvent event : page) {
        after = event.seq();
        OptionalInt done = show(goal, event);
        if (done.isPresent()) {
          return done;
        }
      }
    }
  }

  /** Prints a line of text output (not in JSON mode, not when quiet). */
  void say(String line) {
    if (!context.json() && !quiet) {
      context.out().println(line);
    }
  }
}
