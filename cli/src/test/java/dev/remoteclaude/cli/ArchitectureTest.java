package dev.remoteclaude.cli;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.remoteclaude.testing.ArchitectureRules;
import org.junit.jupiter.api.Test;

/** The shape of the CLI's code (docs/CONVENTIONS.md): rules from rc-testing's ArchitectureRules. */
class ArchitectureTest {

  private static final JavaClasses CLASSES = ArchitectureRules.mainClasses(ArchitectureRules.CLI);

  @Test
  void commandsAreReachedOnlyFromTheEntryPointAndLowerPackagesNeverUseHigherOnes() {
    ArchitectureRules.cliLayers().check(CLASSES);
  }

  @Test
  void theCliUsesNoServerCode() {
    ArchitectureRules.cliIsAClientOnly().check(CLASSES);
  }

  @Test
  void packagesHaveNoCycles() {
    ArchitectureRules.cliPackagesFreeOfCycles().check(CLASSES);
  }

  @Test
  void noQuarkusExtensionInternalsAreUsed() {
    ArchitectureRules.noQuarkusInternals(ArchitectureRules.CLI).check(CLASSES);
  }
}
