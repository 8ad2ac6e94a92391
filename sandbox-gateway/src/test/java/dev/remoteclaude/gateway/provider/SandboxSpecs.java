package dev.remoteclaude.gateway.provider;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/** Sandbox specs for tests: a fresh session's, optionally with an environment or a snapshot. */
public final class SandboxSpecs {
  private SandboxSpecs() {}

  public static SandboxSpec fresh() {
    return fresh(Map.of(), Optional.empty());
  }

  public static SandboxSpec fresh(Map<String, String> env, Optional<String> snapshot) {
    return new SandboxSpec(
        UUID.randomUUID().toString(), Optional.empty(), env, 0, 0, Duration.ofHours(1), snapshot);
  }
}
