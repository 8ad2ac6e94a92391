package dev.remoteclaude.session;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.remoteclaude.testing.ArchitectureRules;
import org.junit.jupiter.api.Test;

/**
 * The shape of session-service's code (docs/CONVENTIONS.md): rules from rc-testing's
 * ArchitectureRules.
 */
class ArchitectureTest {

  private static final String BASE = "dev.remoteclaude.session";
  private static final JavaClasses CLASSES = ArchitectureRules.mainClasses(BASE);

  @Test
  void restAndMessagingGoThroughServicesAndOnlyServicesUseRepositories() {
    ArchitectureRules.layers(BASE).check(CLASSES);
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
