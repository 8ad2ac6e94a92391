package dev.remoteclaude.gateway.provider;

import java.time.Instant;

/** A sandbox a provider holds for this platform, as the provider sees it (to collect orphans). */
public record ProvidedSandbox(String id, Instant createdAt) {}
