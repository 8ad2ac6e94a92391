package dev.remoteclaude.api;

import jakarta.validation.Valid;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * Changes to a registered repository; what is absent stays as it is. The URL cannot change
 * (register the other URL instead).
 */
@Schema(name = "UpdateRepository")
public record UpdateRepositoryRequest(
    @Size(max = 255)
        @Pattern(regexp = RegisterRepositoryRequest.BRANCH, message = "is not a valid branch name")
        String defaultBranch,
    @Schema(description = "GITHUB, GITLAB, BITBUCKET or GITEA") String forge,
    @Schema(description = "a new token, replacing the current one; write-only") @Valid
        GitCredential credential,
    @Schema(description = "true removes the credential (not together with credential)")
        Boolean removeCredential) {

  @Override
  public String toString() {
    return "UpdateRepositoryRequest[defaultBranch="
        + defaultBranch
        + ", forge="
        + forge
        + ", hasCredential="
        + (credential != null)
        + ", removeCredential="
        + removeCredential
        + "]";
  }
}
