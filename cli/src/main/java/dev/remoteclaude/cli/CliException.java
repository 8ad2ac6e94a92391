package dev.remoteclaude.cli;

/** A failure the CLI reports as one line on stderr, with the exit code it means. */
public class CliException extends RuntimeException {

  private final int exitCode;

  public CliException(int exitCode, String message) {
    super(message, null, false, false);
    this.exitCode = exitCode;
  }

  public int exitCode() {
    return exitCode;
  }
}
