package dev.remoteclaude.api;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The request bodies of a session's git endpoints. Branch names follow git's own rules ({@code git
 * check-ref-format --branch}); the gateway checks them before git sees them.
 */
public final class GitRequests {
  private GitRequests() {}

  /** The longest branch name or start point accepted. */
  public static final int MAX_NAME = 255;

  /** The longest commit message accepted, in characters. */
  public static final int MAX_MESSAGE = 16384;

  /** A branch to create, from {@code from} (a branch, tag or commit; default: HEAD). */
  @Schema(name = "CreateBranchRequest")
  public record CreateBranch(
      @NotBlank @Size(max = MAX_NAME) String name, @Size(max = MAX_NAME) String from) {}

  /** The branch to switch to (a remote branch of that name is tracked when no local one exists). */
  @Schema(name = "CheckoutRequest")
  public record Checkout(@NotBlank @Size(max = MAX_NAME) String branch) {}

  /**
   * A commit: {@code message} (default: one written from the staged changes) of every change
   * ({@code all}, the default) or only of what is staged.
   */
  @Schema(name = "CommitRequest")
  public record Commit(@Size(max = MAX_MESSAGE) String message, Boolean all) {}

  /** A push of {@code branch} (default: the branch checked out) to origin. */
  @Schema(name = "PushRequest")
  public record Push(@Size(max = MAX_NAME) String branch) {}
}
