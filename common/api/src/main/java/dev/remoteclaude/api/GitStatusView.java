package dev.remoteclaude.api;

import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * The git state of a session's workspace: the branch checked out, how it stands against its
 * upstream, and what changed in the working tree.
 */
@Schema(name = "GitStatus")
public record GitStatusView(
    @Schema(description = "the branch checked out; null when HEAD is detached") String branch,
    @Schema(description = "the branch's upstream, e.g. origin/main; null when it has none")
        String upstream,
    @Schema(description = "commits on the branch that its upstream lacks") int ahead,
    @Schema(description = "commits on the upstream that the branch lacks") int behind,
    @Schema(description = "the commit HEAD points at; null before the first commit")
        String headCommit,
    List<GitChange> changes,
    @Schema(description = "whether nothing changed (no entry in changes)") boolean clean) {

  /** One changed path of the working tree or the index. */
  @Schema(name = "GitChange")
  public record GitChange(
      String path,
      @Schema(
              description =
                  "modified, added, deleted, renamed, copied, type-changed, untracked or"
                      + " conflicted")
          String status,
      @Schema(description = "for renamed and copied: the path it came from") String originalPath,
      @Schema(description = "whether the change is in the index (staged for the next commit)")
          boolean staged) {}
}
