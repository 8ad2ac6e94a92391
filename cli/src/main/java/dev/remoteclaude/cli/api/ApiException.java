package dev.remoteclaude.cli.api;

import dev.remoteclaude.cli.CliException;
import dev.remoteclaude.cli.ExitCodes;

/** An error answer of the platform, already turned into its one line and exit code. */
public final class ApiException extends CliException {

  private final int status;

  public ApiException(int status, String message) {
    super(ExitCodes.forStatus(status), message);
    this.status = status;
  }

  /** The HTTP status. */
  public int status() {
    return status;
  }
}
