package dev.remoteclaude.gateway.log;

/**
 * The event types of the session stream (the {@code type} of each message). Documented for clients
 * in docs/streaming.md.
 */
public final class LogTypes {
  private LogTypes() {}

  // Session and sandbox lifecycle
  public static final String SESSION_STATE = "session.state";
  public static final String SESSION_NOTICE = "session.notice";
  public static final String SANDBOX_PROGRESS = "sandbox.progress";
  public static final String SANDBOX_READY = "sandbox.ready";
  public static final String SANDBOX_FAILED = "sandbox.failed";

  // Tasks
  public static final String TASK_QUEUED = "task.queued";
  public static final String TASK_STARTED = "task.started";
  public static final String TASK_METER = "task.meter";
  public static final String TASK_COMPLETED = "task.completed";
  public static final String TASK_FAILED = "task.failed";
  public static final String TASK_CANCELLED = "task.cancelled";

  // What Claude Code says (parsed stream-json)
  public static final String CLAUDE_INIT = "claude.init";
  public static final String CLAUDE_TEXT = "claude.text";
  public static final String CLAUDE_THINKING = "claude.thinking";
  public static final String CLAUDE_TOOL_USE = "claude.tool_use";
  public static final String CLAUDE_TOOL_RESULT = "claude.tool_result";
  public static final String CLAUDE_RESULT = "claude.result";
  public static final String CLAUDE_OUTPUT = "claude.output";
  public static final String CLAUDE_OTHER = "claude.other";
  public static final String CLAUDE_STDERR = "claude.stderr";

  // Pull requests (repository-service's pr.* events)
  public static final String PR_OPENED = "pr.opened";
  public static final String PR_UPDATED = "pr.updated";

  // Git (the git proxy; a task's push)
  public static final String GIT_PUSHED = "git.pushed";

  // Commands run through the API
  public static final String COMMAND_STARTED = "command.started";
  public static final String COMMAND_OUTPUT = "command.output";
  public static final String COMMAND_EXITED = "command.exited";

  // Git operations through the API (GitResource)
  public static final String GIT_COMMITTED = "git.committed";
  public static final String GIT_PULLED = "git.pulled";
}
