package dev.remoteclaude.api;

import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A local branch of a session's workspace. */
@Schema(name = "GitBranch")
public record GitBranchView(
    String name,
    @Schema(description = "whether it is the branch checked out") boolean current,
    @Schema(description = "its upstream, e.g. origin/main; null when it has none") String upstream,
    @Schema(description = "the commit it points at") String commit) {}
