package dev.remoteclaude.cli.command;

import dev.remoteclaude.api.SessionState;
import dev.remoteclaude.api.SessionView;
import dev.remoteclaude.api.TaskState;
import dev.remoteclaude.api.TaskView;
import dev.remoteclaude.cli.ExitCodes;
import dev.remoteclaude.cli.Json;
import dev.remoteclaude.cli.render.Style;
import dev.remoteclaude.cli.stream.EventTypes;
import dev.remoteclaude.cli.stream.StreamEvent;
import java.util.OptionalInt;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;

/** What {@code task run}, {@code attach} and {@code session create --wait} follow a stream for. */
final class Goals {
  private Goals() {}

  /** Events about the session as a whole, shown while following one task too. */
  static final Set<String> SESSION_LEVEL =
      Set.of(
          EventTypes.SESSION_STATE,
          EventTypes.SESSION_NOTICE,
          EventTypes.SANDBOX_PROGRESS,
          EventTypes.SANDBOX_READY,
          EventTypes.SANDBOX_FAILED);

  /** The exit code of a task that ended in {@code state}. */
  static int exitCodeOf(TaskState taskState) {
    return switch (taskState) {
      case SUCCEEDED -> ExitCodes.OK;
      case CANCELLED -> ExitCodes.CANCELLED;
      default -> ExitCodes.FAILED;
    };
  }

  /** The exit code of a task's end event. */
  static int exitCodeOfEnd(String type) {
    return switch (type) {
      case EventTypes.TASK_COMPLETED -> ExitCodes.OK;
      case EventTypes.TASK_CANCELLED -> ExitCodes.CANCELLED;
      default -> ExitCodes.FAILED;
    };
  }

  /** Until one task ends: its events and the session's, exit code by its outcome. */
  static final class TaskGoal implements Follower.Goal {
    private final UUID sessionId;
    private final UUID taskId;

    TaskGoal(UUID sessionId, UUID taskId) {
      this.sessionId = sessionId;
      this.taskId = taskId;
    }

    @Override
    public boolean shows(StreamEvent event) {
      return taskId.equals(event.taskId())
          || (event.taskId() == null && SESSION_LEVEL.contains(event.type()));
    }

    @Override
    public OptionalInt reached(StreamEvent event) {
      if (taskId.equals(event.taskId()) && EventTypes.endsTask(event.type())) {
        return OptionalInt.of(exitCodeOfEnd(event.type()));
      }
      return OptionalInt.empty();
    }

    @Override
    public OptionalInt check(Follower follower) {
      TaskView task = Json.convert(follower.api().get("/api/v1/tasks/" + taskId), TaskView.class);
      if (!task.state().isFinished()) {
        return OptionalInt.empty();
      }
      OptionalInt drained = follower.drain(this);
      if (drained.isPresent()) {
        return drained;
      }
      // The task ended without an end event on the stream (e.g. its session went away).
      Style style = follower.style();
      String reason = task.failureReason() == null ? "" : ": " + task.failureReason();
      follower.say(
          switch (task.state()) {
            case SUCCEEDED -> style.green(style.ok() + " done");
            case CANCELLED -> style.yellow(style.fail() + " task cancelled" + reason);
            default ->
                style.red(style.fail() + " task " + task.state().name().toLowerCase() + reason);
          });
      return OptionalInt.of(exitCodeOf(task.state()));
    }

    @Override
    public String detachHint(long lastSeq) {
      return "Detached; task "
          + taskId
          + " goes on.\n  Re-attach: rclaude attach "
          + sessionId
          + " --task "
          + taskId
          + " --after "
          + lastSeq
          + "\n  Status:    rclaude task show "
          + taskId;
    }
  }

  /** {@code attach}: everything, until the session ends. */
  static final class SessionEndGoal implements Follower.Goal {
    private final UUID sessionId;

    SessionEndGoal(UUID sessionId) {
      this.sessionId = sessionId;
    }

    @Override
    public boolean shows(StreamEvent event) {
      return true;
    }

    @Override
    public OptionalInt reached(StreamEvent event) {
      if (EventTypes.SESSION_STATE.equals(event.type())) {
        SessionState to = SessionState.named(event.text("to")).orElse(null);
        if (to == SessionState.TERMINATED) {
          return OptionalInt.of(ExitCodes.OK);
        }
        if (to == SessionState.FAILED) {
          return OptionalInt.of(ExitCodes.FAILED);
        }
      }
      return OptionalInt.empty();
    }

    @Override
    public OptionalInt check(Follower follower) {
      SessionView session =
          Json.convert(follower.api().get("/api/v1/sessions/" + sessionId), SessionView.class);
      if (!session.state().isFinal()) {
        return OptionalInt.empty();
      }
      OptionalInt drained = follower.drain(this);
      if (drained.isPresent()) {
        return drained;
      }
      follower.say(follower.style().dim("session " + session.state()));
      return OptionalInt.of(
          session.state() == SessionState.FAILED ? ExitCodes.FAILED : ExitCodes.OK);
    }

    @Override
    public String detachHint(long lastSeq) {
      return "Detached at seq "
          + lastSeq
          + ".\n  Resume: rclaude attach "
          + sessionId
          + " --after "
          + lastSeq;
    }
  }

  /** {@code --wait}: until the session is in one of the wanted states (or fails, or ends). */
  static final class SessionStateGoal implements Follower.Goal {
    private final UUID sessionId;
    private final Set<SessionState> wanted;

    SessionStateGoal(UUID sessionId, Set<SessionState> wanted) {
      this.sessionId = sessionId;
      this.wanted = Set.copyOf(wanted);
    }

    @Override
    public boolean shows(StreamEvent event) {
      return event.taskId() == null && SESSION_LEVEL.contains(event.type());
    }

    @Override
    public OptionalInt reached(StreamEvent event) {
      if (!EventTypes.SESSION_STATE.equals(event.type())) {
        return OptionalInt.empty();
      }
      return SessionState.named(event.text("to")).map(this::outcome).orElse(OptionalInt.empty());
    }

    private OptionalInt outcome(SessionState state) {
      if (wanted.contains(state)) {
        return OptionalInt.of(ExitCodes.OK);
      }
      if (state.isFinal()) {
        return OptionalInt.of(ExitCodes.FAILED);
      }
      return OptionalInt.empty();
    }

    @Override
    public OptionalInt check(Follower follower) {
      SessionView session =
          Json.convert(follower.api().get("/api/v1/sessions/" + sessionId), SessionView.class);
      OptionalInt outcome = outcome(session.state());
      if (outcome.isEmpty()) {
        return outcome;
      }
      OptionalInt drained = follower.drain(this);
      if (drained.isPresent()) {
        return drained;
      }
      Style style = follower.style();
      follower.say(
          outcome.getAsInt() == ExitCodes.OK
              ? style.green(style.bullet() + " session " + session.state())
              : style.red(
                  style.bullet()
                      + " session "
                      + session.state()
                      + (session.stateReason() == null ? "" : ": " + session.stateReason())));
      return outcome;
    }

    @Override
    public String detachHint(long lastSeq) {
      return "Stopped waiting; session "
          + sessionId
          + " is still on its way to "
          + wanted.stream().map(SessionState::name).sorted().collect(Collectors.joining(" or "))
          + ".\n  Follow it: rclaude attach "
          + sessionId
          + "\n  Status:    rclaude session show "
          + sessionId;
    }
  }
}
