package dev.remoteclaude.api;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** What a session's git operations answer. */
public final class GitResults {
  private GitResults() {}

  /** A commit made. */
  @Schema(name = "GitCommit")
  public record Committed(
      String commit,
      @Schema(description = "the branch it was made on; null when HEAD is detached") String branch,
      int filesChanged,
      @Schema(description = "the commit's message") String message) {}

  /** A branch pushed to origin (and set as its upstream). */
  @Schema(name = "GitPush")
  public record Pushed(String branch, String upstream, String commit) {}

  /** A fast-forward pull: {@code before} and {@code after} are HEAD's commits. */
  @Schema(name = "GitPull")
  public record Pulled(
      String branch,
      String before,
      String after,
      @Schema(description = "whether anything new came in") boolean updated) {}
}
