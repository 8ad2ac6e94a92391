package dev.remoteclaude.api;

import jakarta.validation.Valid;
import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A repository to register; its credential is write-only. */
@Schema(name = "RegisterRepository")
public record RegisterRepositoryRequest(
    @Schema(
            description = "https URL of the git repository",
            examples = "https://github.com/acme/app")
        @NotBlank
        @Size(max = 2048)
        String url,
    @Schema(description = "the branch sessions check out when they name none; main when absent")
        @Size(max = 255)
        @Pattern(regexp = BRANCH, message = "is not a valid branch name")
        String defaultBranch,
    @Schema(
            description = "GITHUB, GITLAB, BITBUCKET or GITEA; detected from the host when absent",
            examples = "GITHUB")
        String forge,
    @Schema(description = "a token to clone the repository with; write-only") @Valid
        GitCredential credential) {

  /** A git branch name (no "..", "//", leading "-" or trailing "." or "/"). */
  public static final String BRANCH = "^(?!-)(?!.*\\.\\.)(?!.*//)[A-Za-z0-9._/+-]+(?<![./])$";

  @Override
  public String toString() {
    return "RegisterRepositoryRequest[url="
        + url
        + ", defaultBranch="
        + defaultBranch
        + ", forge="
        + forge
        + ", hasCredential="
        + (credential != null)
        + "]";
  }
}
