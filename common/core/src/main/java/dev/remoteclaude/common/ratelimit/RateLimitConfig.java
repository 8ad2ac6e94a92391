package dev.remoteclaude.common.ratelimit;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * Rate limits per user and class of request: {@code capacity} requests per {@code window}, the
 * whole quota coming back at the end of each window. Defaults are in rc-common's
 * microprofile-config.properties.
 */
@ConfigMapping(prefix = "rc.rate-limit")
public interface RateLimitConfig {

  /** Whether requests are limited at all. */
  @WithDefault("true")
  boolean enabled();

  /** How often buckets that are full again (unused for a window) are deleted. */
  @WithDefault("5m")
  Duration cleanupInterval();

  Limit sessions();

  Limit tasks();

  Limit commands();

  Limit streams();

  Limit files();

  /** The limit of one class. */
  interface Limit {
    /** Requests a user may make per window. */
    int capacity();

    /** The window; the quota is given back in full at its end. */
    Duration window();
  }

  default Limit of(RateLimitClass limited) {
    return switch (limited) {
      case SESSIONS -> sessions();
      case TASKS -> tasks();
      case COMMANDS -> commands();
      case STREAMS -> streams();
      case FILES -> files();
    };
  }
}
