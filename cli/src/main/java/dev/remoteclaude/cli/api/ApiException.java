package dev.remoteclaude.cli.api;

import dev.remoteclaude.cli.CliException;
import dev.remoteclaude.cli.ExitCodes;

/** An error answer of the platform, already turned into its one line and exit code. */
public final class ApiException extends CliException {

  private final int status;
  private final String problemType;

  public ApiException(int status, String message) {
    this(status, message, null);
  }

  public ApiException(int status, String message, String problemType) {
    super(ExitCodes.forStatus(status), message);
    this.status = status;
    this.problemType = problemType;
  }

  /**
   * The last segment of the problem document's {@code type} URI ({@code metering-only} of {@code
   * https://remote-claude.dev/problems/metering-only}), or null when the answer was no problem.
   */
  public String problemType() {
    return problemType;
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }
}
