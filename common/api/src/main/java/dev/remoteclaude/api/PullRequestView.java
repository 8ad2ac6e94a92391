package dev.remoteclaude.api;

import java.time.Instant;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A pull (merge) request opened for a session, with its state on the forge. */
@Schema(name = "PullRequest")
public record PullRequestView(
    UUID id,
    UUID sessionId,
    UUID repositoryId,
    @Schema(description = "GITHUB, GITLAB, BITBUCKET or GITEA") String forge,
    @Schema(description = "the forge's number (GitLab's iid)") long number,
    @Schema(description = "its page on the forge") String url,
    String title,
    String head,
    String base,
    boolean draft,
    @Schema(description = "OPEN, DRAFT, MERGED or CLOSED") String state,
    @Schema(description = "the task that asked for it, or null") UUID taskId,
    Instant createdAt,
    Instant updatedAt) {}
