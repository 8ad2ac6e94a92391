package dev.remoteclaude.gateway.provider.northflank;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The {@code northflank} provider: a sandbox is a deployment service in a Northflank project, with
 * a volume for its home, driven through Northflank's API and its command-exec endpoint (see
 * docs/providers.md). Off unless {@code enabled}.
 */
@ConfigMapping(prefix = "gateway.northflank")
public interface NorthflankConfig {

  /** Makes the provider available (sessions choose it by the name {@code northflank}). */
  @WithDefault("false")
  boolean enabled();

  /** Northflank's API (without {@code /v1}). */
  @WithDefault("https://api.northflank.com")
  String apiUrl();

  /**
   * Where command execution is served; empty = {@code api-url} (Northflank also serves it region by
   * region at {@code https://api-exec-<us|eu|asia>.northflank.com}).
   */
  Optional<String> execUrl();

  /**
   * The team's API token ({@code Authorization: Bearer}, and in the command-exec handshake); from
   * {@code NORTHFLANK_API_TOKEN}, a sealed secret. Never logged.
   */
  Optional<String> token();

  /** The project sandboxes are services of (its id, e.g. {@code remote-claude-sandboxes}). */
  Optional<String> projectId();

  /** The image sandboxes run (a shell, coreutils, tar, gzip, base64 and Claude Code). */
  @WithDefault("ghcr.io/remote-claude/sandbox:latest")
  String image();

  /** Saved registry credentials for a private image (their Northflank id). */
  Optional<String> imageCredentials();

  /** The command keeping the container alive (processes are started by exec). */
  @WithDefault("sleep infinity")
  String keepAliveCommand();

  /** The deployment plan (CPU and memory) of a sandbox, e.g. {@code nf-compute-20}. */
  @WithDefault("nf-compute-20")
  String plan();

  /** Size of each sandbox's volume (its home), in MiB. */
  @WithDefault("10240")
  int volumeSizeMb();

  /** The volume's storage class. */
  @WithDefault("ssd")
  String storageClass();

  /**
   * The sandbox user's home, where the volume is mounted; the workspace is its {@code workspace}.
   */
  @WithDefault("/home/user")
  String home();

  /** How long a sandbox may take to be deployed (create, resume). */
  @WithDefault("5m")
  Duration startTimeout();

  /** How long one API request may take (command streams excepted). */
  @WithDefault("30s")
  Duration requestTimeout();

  /** How often a 429 is retried (after the Retry-After it names) before the call fails. */
  @WithDefault("3")
  int rateLimitRetries();

  /** The longest Retry-After waited for; a longer one fails the call at once. */
  @WithDefault("30s")
  Duration maxRetryAfter();

  /** Where archive snapshots are kept (a volume every gateway replica sees). */
  Path archiveDir();

  /** The Claude Code CLI inside the image. */
  @WithDefault("claude")
  String claudeCommand();
}
