package dev.remoteclaude.session.service;

import java.time.Duration;
import java.util.List;
import java.util.Map;

/**
 * A validated request for a session, defaults applied. {@code environment} holds plaintext values
 * on their way to being sealed: never log it, and {@link #toString()} leaves them out.
 */
public record NewSession(
    String repositoryUrl,
    String branch,
    String provider,
    Duration idleTimeout,
    Duration maxLifetime,
    Map<String, String> environment,
    List<String> setupCommands,
    String region) {

  @Override
  public String toString() {
    return "NewSession[repositoryUrl="
        + repositoryUrl
        + ", branch="
        + branch
        + ", provider="
        + provider
        + ", idleTimeout="
        + idleTimeout
        + ", maxLifetime="
        + maxLifetime
        + ", environment="
        + environment.keySet()
        + ", setupCommands="
        + setupCommands.size()
        + ", region="
        + region
        + "]";
  }
}
