package dev.remoteclaude.gateway.task;

/** Where the gateway's run of a dispatched task is. */
public enum TaskRunState {
  /** Recorded; waits for an instance to claim it and start Claude. */
  STARTING,
  /** Claude runs (TaskStarted announced). */
  RUNNING,
  /** Its outcome is announced. */
  FINISHED
}
