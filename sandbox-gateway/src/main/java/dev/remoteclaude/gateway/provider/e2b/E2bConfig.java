package dev.remoteclaude.gateway.provider.e2b;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * The {@code e2b} provider: sandboxes are E2B sandboxes (Firecracker microVMs), created through
 * E2B's REST API and driven through envd inside each sandbox. Off unless {@code enabled}.
 */
@ConfigMapping(prefix = "gateway.e2b")
public interface E2bConfig {

  /** Makes the provider available (sessions choose it by the name {@code e2b}). */
  @WithDefault("false")
  boolean enabled();

  /** E2B's control plane. */
  @WithDefault("https://api.e2b.app")
  String apiUrl();

  /**
   * The team's API key (sent as {@code X-API-Key}); give it as the environment variable {@code
   * GATEWAY_E2B_API_KEY} from a secret. Never logged.
   */
  Optional<String> apiKey();

  /** The template sandboxes start from when the spec names none (it must contain Claude Code). */
  @WithDefault("base")
  String template();

  /** The domain sandboxes are served under: envd is {@code <envd-port>-<sandbox id>.<domain>}. */
  @WithDefault("e2b.app")
  String domain();

  @WithDefault("49983")
  int envdPort();

  /** envd over https (E2B's hosted domains); {@code false} only for a local E2B or a test. */
  @WithDefault("true")
  boolean envdTls();

  /**
   * Connect to envd at this {@code host:port} instead of resolving its host name (the host name
   * still goes in the request, for a proxy that routes by it); empty = resolve it.
   */
  Optional<String> envdConnectTo();

  /**
   * E2B's own timeout is kept this much longer than the sandbox's TTL, so that E2B never reclaims a
   * sandbox the platform still counts as alive.
   */
  @WithDefault("10m")
  Duration ttlMargin();

  /**
   * E2B's timeout given on resume (E2B asks for one; the gateway extends it as the session goes).
   */
  @WithDefault("1h")
  Duration resumeTimeout();

  /** E2B pauses (rather than kills) a sandbox whose timeout runs out. */
  @WithDefault("false")
  boolean autoPause();

  /** A 429 whose Retry-After is at most this long is waited out and retried; longer fails. */
  @WithDefault("10s")
  Duration maxRetryAfter();

  /** How many 429s in a row one call waits out. */
  @WithDefault("3")
  int rateLimitRetries();

  /** Each request to E2B (exec streams excepted: they last as long as their process). */
  @WithDefault("30s")
  Duration requestTimeout();

  /** The user processes run as, and files belong to (E2B's templates have {@code user}). */
  @WithDefault("user")
  String user();

  /** The workspace inside the sandbox (the repository checkout); its parent is the home. */
  @WithDefault("/home/user/workspace")
  String workspace();

  /** The Claude Code CLI in the template. */
  @WithDefault("claude")
  String claudeCommand();
}
