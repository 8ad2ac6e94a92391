package dev.remoteclaude.api;

import java.util.EnumSet;
import java.util.Set;

/** Where a task is in its life: waiting, handed to the gateway, running, or finished one way. */
public enum TaskState {
  /** Waiting in its session's queue. */
  QUEUED,
  /** Handed to the gateway (TaskDispatched emitted); the gateway has not confirmed the start. */
  DISPATCHED,
  /** Claude Code runs it in the sandbox. */
  RUNNING,
  SUCCEEDED,
  FAILED,
  CANCELLED,
  /** Cut short: its session went away, or the gateway reported the run interrupted. */
  INTERRUPTED;

  /** The states of a session's one task in the gateway's hands (at most one per session). */
  public static final Set<TaskState> ACTIVE = EnumSet.of(DISPATCHED, RUNNING);

  public boolean isActive() {
    return ACTIVE.contains(this);
  }

  public boolean isFinished() {
    return this != QUEUED && !isActive();
  }
}
