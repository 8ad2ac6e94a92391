package dev.remoteclaude.api;

import jakarta.validation.constraints.Pattern;
import jakarta.validation.constraints.Size;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/**
 * A request for a new session. Durations are ISO-8601 ({@code PT5M}). Environment values are
 * encrypted at rest and never returned; {@link #toString()} leaves them out.
 */
@Schema(name = "CreateSession")
public record CreateSessionRequest(
    @Schema(
            description =
                "https URL of the git repository (or give repositoryId); a URL registered as a"
                    + " repository of the caller is cloned with its credential",
            examples = "https://github.com/acme/app.git")
        @Size(max = 2048)
        String repositoryUrl,
    @Schema(description = "branch to check out; the repository's default when absent")
        @Size(max = 255)
        @Pattern(
            regexp = "^(?!-)(?!.*\\.\\.)(?!.*//)[A-Za-z0-9._/+-]+(?<![./])$",
            message = "is not a valid branch name")
        String branch,
    @Schema(description = "sandbox provider; the configured default when absent") @Size(max = 64)
        String provider,
    @Schema(description = "pause after this long without activity", examples = "PT5M")
        Duration idleTimeout,
    @Schema(
            description = "the session ends at the latest this long after creation",
            examples = "PT12H")
        Duration maxLifetime,
    @Schema(description = "environment variables; values are write-only")
        Map<String, String> environment,
    @Schema(description = "commands run once after the clone") List<String> setupCommands,
    @Schema(
            description =
                "a repository the caller registered: its URL, default branch and credential are"
                    + " used")
        UUID repositoryId,
    @Schema(
            description =
                "where the sandbox runs: one of the platform's regions (session.providers.regions);"
                    + " with provider auto only a provider serving it is chosen",
            examples = "eu-west")
        @Size(max = 64)
        String region) {

  @Override
  public String toString() {
    return "CreateSessionRequest[repositoryUrl="
        + repositoryUrl
        + ", branch="
        + branch
        + ", provider="
        + provider
        + ", repositoryId="
        + repositoryId
        + ", region="
        + region
        + ", environment="
        + (environment == null ? "{}" : environment.keySet())
        + "]";
  }
}
