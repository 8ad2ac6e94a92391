package dev.remoteclaude.repository;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.remoteclaude.testing.ArchitectureRules;
import org.junit.jupiter.api.Test;

/**
 * The shape of repository-service's code (docs/CONVENTIONS.md): rules from rc-testing's
 * ArchitectureRules.
 */
class ArchitectureTest {

  private static final String BASE = "dev.remoteclaude.repository";
  private static final JavaClasses CLASSES = ArchitectureRules.mainClasses(BASE);

  /** No business logic, only a paged read: its resource reads the repository directly. */
  @Test
  void restUsesRepositoriesDirectlyAsLongAsThereIsNoServiceLayer() {
    ArchitectureRules.layersWithoutServiceLayer(BASE).check(CLASSES);
  }

  @Test
  void onlyRepositoriesWriteSql() {
    ArchitectureRules.databaseAccessOnlyInRepositories(BASE).check(CLASSES);
  }

  @Test
  void packagesHaveNoCycles() {
    ArchitectureRules.noPackageCycles(BASE).check(CLASSES);
  }

  @Test
  void noQuarkusExtensionInternalsAreUsed() {
    ArchitectureRules.noQuarkusInternals(BASE).check(CLASSES);
  }
}
