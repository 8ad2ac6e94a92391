package dev.remoteclaude.gateway;

import com.tngtech.archunit.core.domain.JavaClasses;
import dev.remoteclaude.testing.ArchitectureRules;
import org.junit.jupiter.api.Test;

/**
 * The shape of the gateway's code (docs/CONVENTIONS.md): cut by feature, the log below the stream,
 * providers behind their SPI, each feature's tables its own, leased work and announcements below
 * every feature, SQL in repositories, no Quarkus internals.
 */
class ArchitectureTest {

  private static final JavaClasses CLASSES =
      ArchitectureRules.mainClasses(ArchitectureRules.GATEWAY);

  @Test
  void featurePackagesHaveNoCycles() {
    ArchitectureRules.gatewayFeaturesFreeOfCycles().check(CLASSES);
  }

  @Test
  void theLogKnowsNothingOfTheStream() {
    ArchitectureRules.logDoesNotDependOnStream().check(CLASSES);
  }

  @Test
  void providersAreReachedOnlyThroughTheirSpi() {
    ArchitectureRules.providersOnlyThroughTheirSpi().check(CLASSES);
    ArchitectureRules.providersIndependentOfEachOther().check(CLASSES);
  }

  @Test
  void aFeaturesRepositoriesAreItsOwn() {
    ArchitectureRules.repositoriesUsedOnlyByTheirFeature().check(CLASSES);
  }

  @Test
  void leasedWorkAndAnnouncementsDependOnNoFeature() {
    ArchitectureRules.workAndAnnounceDependOnNoFeature().check(CLASSES);
  }

  @Test
  void onlyRepositoriesAndTheLogsStorageWriteSql() {
    ArchitectureRules.gatewaySqlOnlyInRepositories().check(CLASSES);
  }

  @Test
  void noQuarkusExtensionInternalsAreUsed() {
    ArchitectureRules.noQuarkusInternals(ArchitectureRules.GATEWAY).check(CLASSES);
  }
}
