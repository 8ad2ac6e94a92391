package dev.remoteclaude.api;

import jakarta.validation.constraints.Size;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** New settings for the calling user; a null or blank defaultProvider clears it. */
@Schema(name = "UpdateSettings")
public record UpdateSettingsRequest(
    @Schema(
            description =
                "one of the allowed providers (auto: the platform picks and may fail over), or"
                    + " null for the platform's default",
            examples = "auto")
        @Size(max = 64)
        String defaultProvider) {}
