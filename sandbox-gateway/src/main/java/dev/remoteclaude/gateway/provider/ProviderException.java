package dev.remoteclaude.gateway.provider;

/** A provider call failed; {@code kind} tells callers how to react. */
public class ProviderException extends RuntimeException {

  /** How a provider call failed. */
  public enum Kind {
    /** The provider cannot be reached or is failing: retry later, maybe elsewhere. */
    UNAVAILABLE,
    /** The sandbox does not exist (any more). */
    NOT_FOUND,
    /** The request itself is wrong (bad path, too large): retrying will not help. */
    INVALID,
    /** The sandbox is at one of its limits (commands running at once): retry when one ends. */
    BUSY
  }

  private final Kind kind;

  public ProviderException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public ProviderException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
