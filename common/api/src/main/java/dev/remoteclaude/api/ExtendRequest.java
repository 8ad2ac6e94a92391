package dev.remoteclaude.api;

import jakarta.validation.constraints.NotNull;
import java.time.Duration;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** How much longer a session should live (ISO-8601, e.g. {@code PT1H}); capped by its lifetime. */
@Schema(name = "ExtendSession")
public record ExtendRequest(@Schema(examples = "PT1H") @NotNull Duration duration) {}
