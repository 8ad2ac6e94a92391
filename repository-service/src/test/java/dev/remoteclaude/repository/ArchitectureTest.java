package dev.remoteclaude.repository;

import com.tngtech.archunit.lang.ArchRule;
import dev.remoteclaude.testing.ArchitectureRules;
import dev.remoteclaude.testing.ServiceArchitectureContract;

/** The shape of repository-service's code (docs/CONVENTIONS.md). */
class ArchitectureTest extends ServiceArchitectureContract {

  @Override
  protected String basePackage() {
    return "dev.remoteclaude.repository";
  }

  /** No business logic, only a paged read: its resource reads the repository directly. */
  @Override
  protected ArchRule layering() {
    return ArchitectureRules.layersWithoutServiceLayer(basePackage());
  }
}
