package dev.remoteclaude.common.ratelimit;

/**
 * The kinds of request that are rate limited, each with a bucket of its own per user. The name is
 * the one of the configuration ({@code rc.rate-limit.<name>.*}) and of the {@code RateLimit}
 * headers.
 */
public enum RateLimitClass {
  /** Creating and resuming sessions (each starts a sandbox). */
  SESSIONS("sessions"),
  /** Submitting tasks. */
  TASKS("tasks"),
  /** Running commands in a sandbox. */
  COMMANDS("commands"),
  /** Opening a session's stream (its WebSocket upgrade). */
  STREAMS("streams"),
  /** Reading and writing files of a sandbox. */
  FILES("files");

  private final String configName;

  RateLimitClass(String configName) {
    this.configName = configName;
  }

  /** The name in configuration keys and headers. */
  public String configName() {
    return configName;
  }
}
