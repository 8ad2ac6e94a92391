package dev.remoteclaude.cli.command;

import dev.remoteclaude.api.SessionState;
import dev.remoteclaude.api.SessionView;
import dev.remoteclaude.cli.CliContext;
import dev.remoteclaude.cli.CliException;
import dev.remoteclaude.cli.ExitCodes;
import dev.remoteclaude.cli.Json;
import dev.remoteclaude.cli.render.EventRenderer;
import dev.remoteclaude.cli.stream.EventLog;
import dev.remoteclaude.cli.stream.SessionStream;
import dev.remoteclaude.cli.stream.StreamEvent;
import java.util.List;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code rclaude attach}: replays a session's log and follows it live; a dropped connection is
 * resumed from the last event seen, so nothing is lost or shown twice.
 */
@Command(
    name = "attach",
    mixinStandardHelpOptions = true,
    description = {
      "Replay a session's stream and follow it live.",
      "Shows provisioning, tasks, Claude's output and commands. A dropped connection resumes"
          + " after the last event seen: nothing lost, nothing twice.",
      "Ends when the session ends (0; 1 if it FAILED), with --task when that task ends (0 done,"
          + " 1 failed, 9 cancelled), or on Ctrl-C (130), printing where to resume."
    },
    footer = {
      "",
      "Examples:",
      "  rclaude attach $SESSION",
      "  rclaude attach $SESSION --after 120          (what came after event 120)",
      "  rclaude attach $SESSION --task $TASK         (until that task ends)",
      "  rclaude attach $SESSION --no-follow -o json  (the log so far, JSON lines)"
    })
public final class AttachCommand implements Callable<Integer> {

  private final CliContext context;

  @Mixin Options.SessionId session;

  @Option(
      names = "--after",
      paramLabel = "SEQ",
      defaultValue = "0",
      description = "start after this event (default 0: replay everything)")
  long after;

  @Option(names = "--task", paramLabel = "TASK", description = "follow this task until it ends")
  UUID taskId;

  @Option(names = "--no-follow", description = "print the log so far and exit")
  boolean noFollow;

  @Mixin Options.Verbose verbose;

  AttachCommand(CliContext context) {
    this.context = context;
  }

  @Override
  public Integer call() throws InterruptedException {
    UUID sessionId = session.id;
    if (after < 0) {
      throw new CliException(ExitCodes.USAGE, "--after must be 0 or more");
    }
    Follower.Goal goal =
        taskId == null
            ? new Goals.SessionEndGoal(sessionId)
            : new Goals.TaskGoal(sessionId, taskId);
    if (noFollow) {
      return replay(goal);
    }
    if (taskId == null) {
      SessionView view =
          Json.convert(context.api().get(SessionCommand.path(sessionId)), SessionView.class);
      if (view.state().isFinal()) {
        // Nothing more will come: show what there is.
        int code = replay(goal);
        return code == ExitCodes.OK && view.state() == SessionState.FAILED
            ? ExitCodes.FAILED
            : code;
      }
    }
    Follower follower =
        new Follower(
            context,
            sessionId,
            after,
            verbose.enabled,
            false,
            SessionStream.Options.defaults().withNotFoundGrace(TaskCommand.NEW_SESSION_GRACE));
    return follower.follow(goal, null, null);
  }

  /** Prints the log after {@code --after} over REST, page by page. */
  private int replay(Follower.Goal goal) {
    EventLog log = new EventLog(context.api());
    EventRenderer renderer = new EventRenderer(context.style(), verbose.enabled);
    long cursor = after;
    while (true) {
      List<StreamEvent> page = log.page(session.id, cursor, EventLog.MAX_PAGE);
      if (page.isEmpty()) {
        return ExitCodes.OK;
      }
      for (StreamEvent event : page) {
        cursor = event.seq();
        if (goal.shows(event)) {
          if (context.json()) {
            context.out().println(Json.compact(event.raw()));
          } else {
            context.out().print(renderer.render(event));
          }
        }
        OptionalInt done = goal.reached(event);
        if (taskId != null && done.isPresent()) {
          return done.getAsInt();
        }
      }
    }
  }
}
