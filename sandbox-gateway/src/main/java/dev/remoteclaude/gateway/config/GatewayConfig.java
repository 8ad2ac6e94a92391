package dev.remoteclaude.gateway.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.math.BigDecimal;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

@ConfigMapping(prefix = "gateway")
public interface GatewayConfig {

  /** The provider a session gets when it asks for none. */
  @WithDefault("local")
  String defaultProvider();

  /** How long a gateway instance owns provisioning or a task run before another may take over. */
  @WithDefault("30s")
  Duration lease();

  /** How often this instance renews its lease (gateway_worker). */
  @WithDefault("5s")
  Duration heartbeat();

  /** How often orphaned runs, provisionings and stream clients are looked for. */
  @WithDefault("5s")
  Duration recoveryInterval();

  Local local();

  Exec exec();

  Claude claude();

  Provisioning provisioning();

  Stream stream();

  Files files();

  /** The embedded provider: a directory and a process tree per sandbox on this host. */
  interface Local {
    /** Where sandboxes and snapshots live. */
    Path root();

    /** {@code auto} (bubblewrap when installed), {@code bubblewrap}, or {@code none}. */
    @WithDefault("auto")
    String isolation();
  }

  interface Exec {
    @WithDefault("60s")
    Duration defaultTimeout();

    @WithDefault("30m")
    Duration maxTimeout();

    /** Output kept per stream of a buffered command; the rest is dropped and flagged truncated. */
    @WithDefault("1048576")
    int maxOutputBytes();

    /**
     * Short commands of a session that end within this window of the first are announced to
     * session-service as one activity event at the window's end.
     */
    @WithDefault("1s")
    Duration activityWindow();
  }

  interface Claude {
    /** The Claude Code CLI on this host (mounted into local sandboxes). */
    Path binary();

    /** ANTHROPIC_API_KEY, injected only into Claude's process. */
    Optional<String> apiKey();

    /** ANTHROPIC_BASE_URL, e.g. the local Messages API stub. */
    Optional<String> baseUrl();

    @WithDefault("bypassPermissions")
    String defaultPermissionMode();

    @WithDefault("30m")
    Duration taskTimeout();

    /** Price per million input and output tokens by model, for the live cost meter. */
    @WithDefault("3.00")
    BigDecimal inputPricePerMillion();

    @WithDefault("15.00")
    BigDecimal outputPricePerMillion();

    /** Extra environment for Claude (e.g. CLAUDE_CODE_MAX_RETRIES in tests). */
    Map<String, String> env();
  }

  interface Provisioning {
    @WithDefault("5m")
    Duration cloneTimeout();

    @WithDefault("10m")
    Duration setupTimeout();
  }

  interface Stream {
    /** Messages a subscriber may have queued before it is closed as too slow. */
    @WithDefault("2000")
    int subscriberBuffer();

    @WithDefault("15s")
    Duration heartbeat();

    /** Rows read per replay query. */
    @WithDefault("500")
    int replayBatch();
  }

  interface Files {
    @WithDefault("5242880")
    int maxBytes();
  }
}
