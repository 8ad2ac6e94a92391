package dev.remoteclaude.repository.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;

/** Everything repository-service can be tuned with; defaults suit production. */
@ConfigMapping(prefix = "repository")
public interface RepositoryConfig {

  Url url();

  Forges forges();

  /** How the forges' REST APIs (pull requests) are reached. */
  interface Forges {
    /**
     * The API base of a host, overriding the one derived from a repository's URL ({@code
     * repository.forges.api-base."git.acme.com"=https://git.acme.com/api/v4}).
     */
    Map<String, String> apiBase();

    /** How long a forge may take to connect and to answer one call. */
    @WithDefault("10s")
    Duration timeout();

    /**
     * How often the pull requests tasks asked for are looked for (they are opened after the
     * transaction that recorded the push, never inside it).
     */
    @WithDefault("1s")
    Duration pullRequestPoll();

    /** How many times a task's pull request is tried on a forge that is down before it fails. */
    @WithDefault("5")
    int pullRequestAttempts();

    /** The wait before a task's pull request is tried again; doubled for each next try. */
    @WithDefault("10s")
    Duration pullRequestRetryDelay();
  }

  /**
   * What a repository URL may look like: the rules of {@link
   * dev.remoteclaude.common.net.RepositoryUrlPolicy} (as session-service's), with their defaults.
   */
  interface Url extends dev.remoteclaude.common.net.RepositoryUrlPolicy.Rules {
    @Override
    @WithDefault("false")
    boolean allowPrivateHosts();

    @Override
    @WithDefault("true")
    boolean resolveHosts();

    @Override
    @WithDefault("2s")
    Duration resolveTimeout();
  }
}
