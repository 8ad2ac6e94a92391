package dev.remoteclaude.repository.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

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
  }

  /** What a repository URL may look like (the same rules as session-service's). */
  interface Url {
    /**
     * Schemes allowed besides {@code https}, e.g. {@code file} for the local profile only. Never
     * set in production.
     */
    Optional<Set<String>> extraSchemes();

    /** Whether loopback, link-local and private hosts are allowed (local profile only). */
    @WithDefault("false")
    boolean allowPrivateHosts();

    /** Whether host names are resolved to check that none points at a private address. */
    @WithDefault("true")
    boolean resolveHosts();

    /** How long a resolution may take; a host that does not answer in time is refused (503). */
    @WithDefault("2s")
    Duration resolveTimeout();
  }
}
