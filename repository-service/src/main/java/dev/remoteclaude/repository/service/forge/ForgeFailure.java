package dev.remoteclaude.repository.service.forge;

/**
 * A forge call that failed, with a reason a user can act on (never a credential, a stack trace or
 * the forge's raw answer beyond its own message).
 */
public class ForgeFailure extends RuntimeException {

  /** What went wrong, in the codes of {@code PullRequestFailed}. */
  public enum Code {
    /** The forge is down, slow or unreachable (5xx, timeout, connection refused). */
    FORGE_UNAVAILABLE,
    /** The forge refused the repository's credential (401, 403). */
    AUTH_FAILED,
    /** The repository has no credential to call its forge with. */
    NO_CREDENTIAL,
    /** The forge has no such repository or branch (404). */
    NOT_FOUND,
    /** An open pull request for the branch exists already. */
    ALREADY_EXISTS,
    /** The forge refused the pull request (no commits between the branches, invalid fields). */
    REJECTED,
    /** The repository's URL names no forge API this service can call. */
    NOT_SUPPORTED
  }

  private final Code code;

  public ForgeFailure(Code code, String reason) {
    super(reason, null, false, false);
    this.code = code;
  }

  public Code code() {
    return code;
  }

  /** A failure of the forge itself: the only kind its circuit breaker counts. */
  public static final class Unavailable extends ForgeFailure {
    public Unavailable(String reason) {
      super(Code.FORGE_UNAVAILABLE, reason);
    }
  }
}
