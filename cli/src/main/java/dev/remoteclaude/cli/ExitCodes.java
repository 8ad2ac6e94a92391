package dev.remoteclaude.cli;

/**
 * What {@code rclaude} exits with. Scripts can rely on these; {@code rclaude --help} lists them.
 * {@code rclaude exec} exits with the remote command's own exit code once the command ran.
 */
public final class ExitCodes {
  private ExitCodes() {}

  /** Done; a task or command succeeded. */
  public static final int OK = 0;

  /** The work failed: a task FAILED or was INTERRUPTED, a session FAILED, an unexpected error. */
  public static final int FAILED = 1;

  /** The command line is wrong: unknown command, missing or malformed option or argument. */
  public static final int USAGE = 2;

  /** Not logged in, or the token was refused (HTTP 401/403). */
  public static final int AUTH = 3;

  /** No such session, task or file (HTTP 404; another user's things look missing too). */
  public static final int NOT_FOUND = 4;

  /** Not possible in the current state, e.g. pausing a session that is not READY (HTTP 409). */
  public static final int CONFLICT = 5;

  /** The platform refused the input (HTTP 400, 413, 422). */
  public static final int INVALID = 6;

  /** A quota or rate limit was hit (HTTP 402, 429). */
  public static final int LIMIT = 7;

  /** The platform cannot be reached or failed (connection refused, timeouts, HTTP 5xx). */
  public static final int UNAVAILABLE = 8;

  /** The task was cancelled. */
  public static final int CANCELLED = 9;

  /** A wait (--wait, --timeout) or a command ran out of time. */
  public static final int TIMED_OUT = 124;

  /** Detached with Ctrl-C; the session and its task go on. */
  public static final int DETACHED = 130;

  /** The exit code for an HTTP error status. */
  public static int forStatus(int status) {
    return switch (status) {
      case 401, 403 -> AUTH;
      case 404, 410 -> NOT_FOUND;
      case 409, 412 -> CONFLICT;
      case 400, 413, 415, 422 -> INVALID;
      case 402, 429 -> LIMIT;
      default -> status >= 500 ? UNAVAILABLE : FAILED;
    };
  }

  /** The lines of the exit-code section of {@code --help} (picocli's "key:value" format). */
  static final String[] HELP = {
    "0:done; the task or command succeeded",
    "1:the work failed (task FAILED or INTERRUPTED, session FAILED) or an unexpected error",
    "2:wrong command line (unknown command, bad option or argument)",
    "3:not logged in, or the token was refused (401/403)",
    "4:no such session, task or file (404)",
    "5:not possible in the current state (409)",
    "6:the platform refused the input (400/413/422)",
    "7:quota or rate limit reached (402/429)",
    "8:platform unreachable or failing (connection, timeout, 5xx)",
    "9:the task was cancelled",
    "124:a wait or a command timed out",
    "130:detached with Ctrl-C (the work goes on)",
    "exec:exits with the remote command's exit code once it ran",
  };
}
