package dev.remoteclaude.session;

import dev.remoteclaude.testing.ServiceArchitectureContract;

/**
 * The shape of session-service's code: rest → service → repository, SQL in repositories, no cycles.
 */
class ArchitectureTest extends ServiceArchitectureContract {

  @Override
  protected String basePackage() {
    return "dev.remoteclaude.session";
  }
}
