package dev.remoteclaude.gateway.gitproxy;

/**
 * The upstream repository could not be used; the message is fit for the user (no credential, no
 * internals) and is what git prints after "remote error:".
 */
public class GitProxyException extends RuntimeException {

  /** Why: the upstream is unreachable or failing (counts against its circuit breaker) or not. */
  public enum Kind {
    UNAVAILABLE,
    AUTH_FAILED,
    BAD_REPOSITORY
  }

  private final Kind kind;

  public GitProxyException(Kind kind, String message) {
    super(message, null, false, false);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }

  /** A refusal by the upstream (credential, URL): not an outage. */
  public static class Refused extends GitProxyException {
    public Refused(Kind kind, String message) {
      super(kind, message);
    }
  }

  /**
   * A transfer that broke off or went silent after the host had answered: the host is up, and what
   * was moved (a huge repository, a huge push) is the one tenant's; not an outage.
   */
  public static class Broken extends GitProxyException {
    public Broken(String message) {
      super(Kind.UNAVAILABLE, message);
    }
  }
}
