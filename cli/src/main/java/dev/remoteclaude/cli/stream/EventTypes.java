package dev.remoteclaude.cli.stream;

/** The stream's event types (sandbox-gateway's LogTypes, as seen by clients). */
public final class EventTypes {
  private EventTypes() {}

  public static final String SESSION_STATE = "session.state";
  public static final String SESSION_NOTICE = "session.notice";
  public static final String SANDBOX_PROGRESS = "sandbox.progress";
  public static final String SANDBOX_READY = "sandbox.ready";
  public static final String SANDBOX_FAILED = "sandbox.failed";

  public static final String TASK_QUEUED = "task.queued";
  public static final String TASK_STARTED = "task.started";
  public static final String TASK_METER = "task.meter";
  public static final String TASK_COMPLETED = "task.completed";
  public static final String TASK_FAILED = "task.failed";
  public static final String TASK_CANCELLED = "task.cancelled";

  public static final String CLAUDE_INIT = "claude.init";
  public static final String CLAUDE_TEXT = "claude.text";
  public static final String CLAUDE_THINKING = "claude.thinking";
  public static final String CLAUDE_TOOL_USE = "claude.tool_use";
  public static final String CLAUDE_TOOL_RESULT = "claude.tool_result";
  public static final String CLAUDE_RESULT = "claude.result";
  public static final String CLAUDE_OUTPUT = "claude.output";
  public static final String CLAUDE_OTHER = "claude.other";
  public static final String CLAUDE_STDERR = "claude.stderr";

  public static final String PR_OPENED = "pr.opened";
  public static final String PR_UPDATED = "pr.updated";

  public static final String COMMAND_STARTED = "command.started";
  public static final String COMMAND_OUTPUT = "command.output";
  public static final String COMMAND_EXITED = "command.exited";

  public static final String GIT_COMMITTED = "git.committed";
  public static final String GIT_PULLED = "git.pulled";
  public static final String GIT_PUSHED = "git.pushed";

  /** Whether the event ends a task run. */
  public static boolean endsTask(String type) {
    return TASK_COMPLETED.equals(type) || TASK_FAILED.equals(type) || TASK_CANCELLED.equals(type);
  }
}
