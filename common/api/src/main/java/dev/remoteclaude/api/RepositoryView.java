package dev.remoteclaude.api;

import java.time.Instant;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.media.Schema;

/** A registered repository as its owner sees it: never the credential, only whether one is set. */
@Schema(name = "Repository")
public record RepositoryView(
    UUID id,
    String url,
    String defaultBranch,
    Forge forge,
    @Schema(description = "whether a credential is set; the credential is never returned")
        boolean hasCredential,
    @Schema(description = "when the credential was set") Instant credentialSetAt,
    Instant createdAt,
    Instant updatedAt) {}
