package dev.remoteclaude.gateway.provider;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Fault tolerance of provider calls (per provider). */
@ConfigMapping(prefix = "gateway.provider-calls")
public interface ProviderCallsConfig {

  @WithDefault("30s")
  Duration timeout();

  /** For create and snapshot, which copy whole workspaces. */
  @WithDefault("5m")
  Duration createTimeout();

  @WithDefault("3")
  int retries();

  @WithDefault("200ms")
  Duration retryDelay();

  /** Calls in the rolling window before the breaker may open. */
  @WithDefault("10")
  int breakerVolume();

  @WithDefault("0.5")
  double breakerFailureRatio();

  /** How long an open breaker stays open. */
  @WithDefault("15s")
  Duration breakerDelay();

  @WithDefault("64")
  int bulkhead();

  @WithDefault("256")
  int bulkheadQueue();
}
