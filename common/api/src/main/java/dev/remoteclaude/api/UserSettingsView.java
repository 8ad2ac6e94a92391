package dev.remoteclaude.api;

import java.time.Instant;
import java.util.List;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** The calling user's settings. */
@Schema(name = "UserSettings")
public record UserSettingsView(
    @Schema(
            description =
                "provider of the user's sessions whose create request names none; null: the"
                    + " platform's default")
        String defaultProvider,
    @Schema(description = "the provider a create request naming none gets now")
        String effectiveDefaultProvider,
    @Schema(description = "the providers a session (and this setting) may name")
        List<String> allowedProviders,
    @Schema(description = "when the settings last changed; null when never set")
        Instant updatedAt) {}
