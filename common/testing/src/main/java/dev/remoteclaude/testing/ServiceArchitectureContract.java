package dev.remoteclaude.testing;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.lang.ArchRule;
import org.junit.jupiter.api.Test;

/**
 * The shape every service's code keeps (docs/CONVENTIONS.md), checked by {@link ArchitectureRules}:
 * a service's {@code ArchitectureTest} extends this and names its package.
 */
public abstract class ServiceArchitectureContract {

  private JavaClasses classes;

  /** The service's base package, e.g. {@code dev.remoteclaude.session}. */
  protected abstract String basePackage();

  /** The service's layering; {@link ArchitectureRules#layers} unless the service says otherwise. */
  protected ArchRule layering() {
    return ArchitectureRules.layers(basePackage());
  }

  private JavaClasses classes() {
    if (classes == null) {
      classes = ArchitectureRules.mainClasses(basePackage());
    }
    return classes;
  }

  @Test
  void layersAreKept() {
    layering().check(classes());
  }

  @Test
  void onlyRepositoriesWriteSql() {
    ArchitectureRules.databaseAccessOnlyInRepositories(basePackage()).check(classes());
  }

  @Test
  void packagesHaveNoCycles() {
    ArchitectureRules.noPackageCycles(basePackage()).check(classes());
  }

  @Test
  void noQuarkusExtensionInternalsAreUsed() {
    ArchitectureRules.noQuarkusInternals(basePackage()).check(classes());
  }
}
