package dev.remoteclaude.repository.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Everything repository-service can be tuned with; defaults suit production. */
@ConfigMapping(prefix = "repository")
public interface RepositoryConfig {

  Url url();

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
