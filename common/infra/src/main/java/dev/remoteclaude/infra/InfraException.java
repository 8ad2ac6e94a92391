package dev.remoteclaude.infra;

/**
 * Local infrastructure could not be brought up; the message says what is missing or what failed.
 */
public class InfraException extends RuntimeException {
  public InfraException(String message) {
    super(message);
  }

  public InfraException(String message, Throwable cause) {
    super(message, cause);
  }
}
