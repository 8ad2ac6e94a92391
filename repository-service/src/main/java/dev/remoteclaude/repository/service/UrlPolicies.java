package dev.remoteclaude.repository.service;

import dev.remoteclaude.common.net.RepositoryUrlPolicy;
import dev.remoteclaude.repository.config.RepositoryConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The platform's repository URL policy with this service's configuration. */
@ApplicationScoped
class UrlPolicies {

  @Produces
  @Singleton
  RepositoryUrlPolicy repositoryUrls(RepositoryConfig config) {
    return new RepositoryUrlPolicy(config.url(), "url");
  }
}
