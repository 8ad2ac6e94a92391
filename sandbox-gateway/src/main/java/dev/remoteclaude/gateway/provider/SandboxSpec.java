package dev.remoteclaude.gateway.provider;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * What a sandbox should be.
 *
 * @param template provider image/template name; empty = the provider's default
 * @param env variables every process of the sandbox gets
 * @param cpus requested CPUs (0 = provider default)
 * @param memoryMb requested memory (0 = provider default)
 * @param ttl how long the sandbox may live before the provider reclaims it
 * @param restoreSnapshotId a snapshot to start from instead of an empty workspace
 */
public record SandboxSpec(
    String sessionId,
    Optional<String> template,
    Map<String, String> env,
    int cpus,
    int memoryMb,
    Duration ttl,
    Optional<String> restoreSnapshotId) {}
