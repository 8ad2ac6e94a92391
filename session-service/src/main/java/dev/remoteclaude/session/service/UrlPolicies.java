package dev.remoteclaude.session.service;

import dev.remoteclaude.common.net.RepositoryUrlPolicy;
import dev.remoteclaude.session.config.SessionConfig;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;

/** The platform's repository URL policy with this service's configuration. */
@ApplicationScoped
class UrlPolicies {

  @Produces
  @Singleton
  RepositoryUrlPolicy repositoryUrls(SessionConfig config) {
    return new RepositoryUrlPolicy(config.repository(), "repositoryUrl");
  }
}
