package dev.remoteclaude.api;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A pull (merge) request to open on the session's repository's forge. */
@Schema(name = "CreatePullRequest")
public record CreatePullRequestRequest(
    @Schema(description = "the pull request's title", examples = "Add a hello world script")
        @NotBlank
        @Size(max = 256)
        String title,
    @Schema(description = "its description (Markdown)") @Size(max = 65536) String body,
    @Schema(description = "the branch to merge into; the repository's default branch when absent")
        @Size(max = 255)
        @Pattern(regexp = RegisterRepositoryRequest.BRANCH, message = "is not a valid branch name")
        String base,
    @Schema(
            description =
                "the branch with the changes; the branch last pushed from the session when absent")
        @Size(max = 255)
        @Pattern(regexp = RegisterRepositoryRequest.BRANCH, message = "is not a valid branch name")
        String head,
    @Schema(description = "open it as a draft; false when absent") Boolean draft) {}
