package dev.remoteclaude.gateway.provider.daytona;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;

/**
 * The {@code daytona} provider: a sandbox is a Daytona sandbox, driven through Daytona's REST API
 * and its toolbox (see docs/providers.md). Off unless {@code enabled}.
 */
@ConfigMapping(prefix = "gateway.daytona")
public interface DaytonaConfig {

  /** Makes the provider available (sessions choose it by the name {@code daytona}). */
  @WithDefault("false")
  boolean enabled();

  /** Daytona's API, {@code /api} included. */
  @WithDefault("https://app.daytona.io/api")
  String apiUrl();

  /**
   * The API key ({@code Authorization: Bearer}); from {@code DAYTONA_API_KEY}, a sealed secret.
   * Never logged.
   */
  Optional<String> apiKey();

  /** Sent as {@code X-Daytona-Organization-ID} when set. */
  Optional<String> organizationId();

  /**
   * The toolbox's base URL; empty = the {@code toolboxProxyUrl} Daytona gives each sandbox. The
   * sandbox's id follows it ({@code <toolbox-url>/<sandbox id>/process/...}).
   */
  Optional<String> toolboxUrl();

  /** The Daytona snapshot sandboxes start from (a shell, coreutils, tar, Claude Code). */
  Optional<String> snapshot();

  /** The Daytona region; empty = the organization's default. */
  Optional<String> target();

  /** CPUs of a sandbox when its spec asks for none. */
  @WithDefault("2")
  int cpus();

  /** Memory of a sandbox when its spec asks for none, in GiB. */
  @WithDefault("4")
  int memoryGb();

  /** Disk of a sandbox, in GiB. */
  @WithDefault("10")
  int diskGb();

  /**
   * Daytona's auto-stop runs this much after the platform's own idle TTL, so that Daytona never
   * stops a sandbox the platform thinks is alive.
   */
  @WithDefault("15m")
  Duration autoStopMargin();

  /** Blocks all network access of sandboxes ({@code networkBlockAll}). */
  @WithDefault("false")
  boolean networkBlockAll();

  /** Comma-separated CIDRs sandboxes may reach ({@code networkAllowList}); empty = Daytona's. */
  Optional<String> networkAllowList();

  /** The sandbox user's home; the workspace is its {@code workspace} directory. */
  @WithDefault("/home/daytona")
  String home();

  /** How long a sandbox may take to start (create, start from stopped or archived). */
  @WithDefault("3m")
  Duration startTimeout();

  /** How long one API or toolbox request may take. */
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

  /** The Claude Code CLI inside the snapshot. */
  @WithDefault("claude")
  String claudeCommand();
}
