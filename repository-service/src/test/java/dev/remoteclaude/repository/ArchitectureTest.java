package dev.remoteclaude.repository;

import dev.remoteclaude.testing.ServiceArchitectureContract;

/** The shape of repository-service's code (docs/CONVENTIONS.md). */
class ArchitectureTest extends ServiceArchitectureContract {

  @Override
  protected String basePackage() {
    return "dev.remoteclaude.repository";
  }
}
