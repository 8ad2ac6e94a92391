package dev.remoteclaude.api;

import jakarta.validation.constraints.NotBlank;
import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A credential for one repository: an access token (a GitHub fine-grained token, a GitLab project
 * token, ...). Write-only: sealed at rest, never returned; {@link #toString()} hides it. An object
 * rather than a bare string, so other kinds (a per-host token) can be added beside it.
 */
@Schema(name = "GitCredential")
public record GitCredential(
    @Schema(description = "the access token; write-only") @NotBlank @Size(max = 4096)
        String token) {

  @Override
  public String toString() {
    return "GitCredential[token=***]";
  }
}
