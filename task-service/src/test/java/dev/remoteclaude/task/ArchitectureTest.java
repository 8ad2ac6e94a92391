package dev.remoteclaude.task;

import dev.remoteclaude.testing.ServiceArchitectureContract;

/**
 * The shape of task-service's code: rest → service → repository, SQL in repositories, no cycles.
 */
class ArchitectureTest extends ServiceArchitectureContract {

  @Override
  protected String basePackage() {
    return "dev.remoteclaude.task";
  }
}
