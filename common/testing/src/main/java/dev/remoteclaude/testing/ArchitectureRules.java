package dev.remoteclaude.testing;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.classes;
import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.Architectures.layeredArchitecture;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;

import com.tngtech.archunit.core.domain.Dependency;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchCondition;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.CompositeArchRule;
import com.tngtech.archunit.lang.ConditionEvents;
import com.tngtech.archunit.lang.SimpleConditionEvent;
import com.tngtech.archunit.library.Architectures.LayeredArchitecture;
import java.util.List;

/**
 * The shape of the code, as rules every module's {@code ArchitectureTest} checks against that
 * module's own main classes ({@link #mainClasses}). docs/CONVENTIONS.md says why each rule exists.
 *
 * <p>A service ({@code dev.remoteclaude.<service>}) is layered: {@code rest} and {@code messaging}
 * are entry points that call {@code service}; {@code service} calls {@code repository}; {@code
 * config} is used by anyone; the domain classes at the package root (entities, states) depend on no
 * layer. The sandbox gateway is cut by feature instead ({@link #gatewayRules()}); the CLI by what
 * it does ({@link #cliRules()}).
 */
public final class ArchitectureRules {

  /** The gateway's base package. */
  public static final String GATEWAY = "dev.remoteclaude.gateway";

  /** The CLI's base package. */
  public static final String CLI = "dev.remoteclaude.cli";

  /**
   * The gateway's feature packages (directly below {@link #GATEWAY}): what {@code work} and {@code
   * announce} must not depend on. {@code config} is not a feature: anyone may use it.
   */
  public static final List<String> GATEWAY_FEATURES =
      List.of(
          "sandbox",
          "task",
          "activity",
          "command",
          "files",
          "log",
          "stream",
          "proxy",
          "pullrequest",
          "git",
          "gitproxy",
          "provider",
          "claude");

  /**
   * Packages of Quarkus extensions' implementation: any package named {@code runtime} below an
   * extension's own package, e.g. {@code io.quarkus.vertx.core.runtime..} or {@code
   * io.quarkus.hibernate.reactive.panache.common.runtime..}. They are not API: they change without
   * notice between Quarkus releases. The pattern needs at least one package between {@code
   * io.quarkus} and {@code runtime}, so it leaves out Quarkus's core {@code io.quarkus.runtime..},
   * which is public API ({@code StartupEvent}, {@code ShutdownEvent}, {@code Startup}, {@code
   * Quarkus}). If an extension's runtime package ever holds the only public way to do something,
   * name that one class as an exception here, with the reason.
   */
  static final String QUARKUS_EXTENSION_INTERNALS = "io.quarkus.*..runtime..";

  /** Where SQL is written: clients and sessions that run a statement. */
  private static final String[] SQL_PACKAGES = {
    "io.vertx.sqlclient..",
    "io.vertx.mutiny.sqlclient..",
    "io.vertx.pgclient..",
    "io.vertx.mutiny.pgclient..",
    "org.hibernate.reactive.."
  };

  private ArchitectureRules() {}

  /**
   * The module's own main classes below {@code basePackage}: not its tests, not the jars it depends
   * on.
   */
  public static JavaClasses mainClasses(String basePackage) {
    return new ClassFileImporter()
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
        .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
        .importPackages(basePackage);
  }

  // --- services -----------------------------------------------------------------------------

  /**
   * All rules of a layered service with a {@code service} layer: {@link #layers}, {@link
   * #databaseAccessOnlyInRepositories}, {@link #noPackageCycles}, {@link #noQuarkusInternals}.
   */
  public static List<ArchRule> serviceRules(String basePackage) {
    return List.of(
        layers(basePackage),
        databaseAccessOnlyInRepositories(basePackage),
        noPackageCycles(basePackage),
        noQuarkusInternals(basePackage));
  }

  /**
   * rest → service → repository; messaging → service; config used by anyone; the domain classes at
   * the package root depend on no layer; every class is in one of these packages. Nothing depends
   * on rest or messaging (they are entry points), only rest and messaging call services, only
   * services call repositories.
   */
  public static ArchRule layers(String basePackage) {
    return serviceLayers(basePackage)
        .whereLayer("Service")
        .mayOnlyBeAccessedByLayers("Rest", "Messaging")
        .whereLayer("Repository")
        .mayOnlyBeAccessedByLayers("Service")
        .whereLayer("Rest")
        .mayOnlyAccessLayers("Service", "Config", "Domain")
        .whereLayer("Messaging")
        .mayOnlyAccessLayers("Service", "Config", "Domain")
        .whereLayer("Service")
        .mayOnlyAccessLayers("Repository", "Config", "Domain");
  }

  /**
   * The layering of a service that has no business logic, only reads: its resources use the
   * repositories directly (repository-service: the list of a user's registered repositories is a
   * paged query). The exception holds only while there is no {@code service} package: the day one
   * appears, the module moves to {@link #layers} and rest goes through it.
   */
  public static ArchRule layersWithoutServiceLayer(String basePackage) {
    ArchRule layering =
        serviceLayers(basePackage)
            .whereLayer("Repository")
            .mayOnlyBeAccessedByLayers("Rest")
            .whereLayer("Rest")
            .mayOnlyAccessLayers("Repository", "Config", "Domain")
            .whereLayer("Messaging")
            .mayOnlyAccessLayers("Repository", "Config", "Domain");
    ArchRule noServiceLayer =
        noClasses()
            .should()
            .resideInAPackage(basePackage + ".service..")
            .because(
                "rest may use repositories directly only in a service without a service layer;"
                    + " with one, use ArchitectureRules.layers");
    return CompositeArchRule.of(layering).and(noServiceLayer);
  }

  private static LayeredArchitecture serviceLayers(String basePackage) {
    return layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        .withOptionalLayers(true)
        .layer("Domain")
        .definedBy(basePackage)
        .layer("Config")
        .definedBy(basePackage + ".config..")
        .layer("Rest")
        .definedBy(basePackage + ".rest..")
        .layer("Messaging")
        .definedBy(basePackage + ".messaging..")
        .layer("Service")
        .definedBy(basePackage + ".service..")
        .layer("Repository")
        .definedBy(basePackage + ".repository..")
        .whereLayer("Rest")
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("Messaging")
        .mayNotBeAccessedByAnyLayer()
        .whereLayer("Domain")
        .mayNotAccessAnyLayer()
        .whereLayer("Config")
        .mayOnlyAccessLayers("Domain")
        .whereLayer("Repository")
        .mayOnlyAccessLayers("Config", "Domain")
        .ensureAllClassesAreContainedInArchitecture();
  }

  /**
   * SQL (a SQL client, a Hibernate Reactive session, {@code Panache.getSession()} for native
   * queries) is written in {@code repository} classes only; services call repository methods.
   */
  public static ArchRule databaseAccessOnlyInRepositories(String basePackage) {
    return noClasses()
        .that()
        .resideInAPackage(basePackage + "..")
        .and()
        .resideOutsideOfPackage(basePackage + ".repository..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(SQL_PACKAGES)
        .orShould()
        .callMethod("io.quarkus.hibernate.reactive.panache.Panache", "getSession")
        .because("SQL lives in repository classes, never in services, resources or listeners");
  }

  /** No cycles between the packages directly below {@code basePackage}. */
  public static ArchRule noPackageCycles(String basePackage) {
    return slices().matching(basePackage + ".(*)..").should().beFreeOfCycles();
  }

  /** No class below {@code basePackage} uses a Quarkus extension's internal (runtime) classes. */
  public static ArchRule noQuarkusInternals(String basePackage) {
    return noClasses()
        .that()
        .resideInAPackage(basePackage + "..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage(QUARKUS_EXTENSION_INTERNALS)
        .because(
            "a Quarkus extension's runtime packages are its implementation, not API: use the"
                + " extension's public API (io.quarkus.runtime itself is public)");
  }

  // --- CLI ----------------------------------------------------------------------------------

  /**
   * The CLI ({@link #CLI}): {@link #cliLayers()}, {@link #cliIsAClientOnly()}, {@link
   * #cliPackagesFreeOfCycles()} and {@link #noQuarkusInternals} of the CLI.
   */
  public static List<ArchRule> cliRules() {
    return List.of(
        cliLayers(), cliIsAClientOnly(), cliPackagesFreeOfCycles(), noQuarkusInternals(CLI));
  }

  /**
   * The CLI's packages: {@code command} (picocli commands, reached only from the entry point at the
   * root) uses everything below it; {@code render} (terminal output) uses {@code stream} and {@code
   * api}; {@code stream} (the WebSocket event stream) uses {@code api} (the HTTP client and the
   * wire types); {@code api} uses {@code config} (where the platform is and the token); {@code
   * config} uses no other package. The root holds the entry point and what all share (the context,
   * exit codes, the CLI's exception, the JSON mapper), which every layer may use.
   */
  public static ArchRule cliLayers() {
    return layeredArchitecture()
        .consideringOnlyDependenciesInLayers()
        .withOptionalLayers(true)
        .layer("Root")
        .definedBy(CLI)
        .layer("Command")
        .definedBy(CLI + ".command..")
        .layer("Render")
        .definedBy(CLI + ".render..")
        .layer("Stream")
        .definedBy(CLI + ".stream..")
        .layer("Api")
        .definedBy(CLI + ".api..")
        .layer("Config")
        .definedBy(CLI + ".config..")
        .whereLayer("Command")
        .mayOnlyBeAccessedByLayers("Root")
        .whereLayer("Render")
        .mayOnlyAccessLayers("Stream", "Api", "Root")
        .whereLayer("Stream")
        .mayOnlyAccessLayers("Api", "Root")
        .whereLayer("Api")
        .mayOnlyAccessLayers("Config", "Root")
        .whereLayer("Config")
        .mayOnlyAccessLayers("Root")
        .ensureAllClassesAreContainedInArchitecture();
  }

  /** No cycles between the CLI's packages. */
  public static ArchRule cliPackagesFreeOfCycles() {
    return slices().matching(CLI + ".(*)..").should().beFreeOfCycles();
  }

  /**
   * The CLI talks to the platform over its public HTTP and WebSocket API only: no server code (no
   * Quarkus, no Vert.x, no JAX-RS, no service's or rc-common's classes). The API types it shares
   * with the services come from rc-api ({@code dev.remoteclaude.api}), which is allowed.
   */
  public static ArchRule cliIsAClientOnly() {
    return noClasses()
        .that()
        .resideInAPackage(CLI + "..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            "io.quarkus..",
            "io.vertx..",
            "jakarta.ws.rs..",
            "jakarta.persistence..",
            "dev.remoteclaude.common..",
            "dev.remoteclaude.session..",
            "dev.remoteclaude.task..",
            "dev.remoteclaude.repository..",
            "dev.remoteclaude.billing..",
            "dev.remoteclaude.gateway..")
        .because("the CLI is a client of the public API, shipped without the server's libraries");
  }

  // --- sandbox gateway ----------------------------------------------------------------------

  /**
   * The gateway ({@link #GATEWAY}), cut by feature: {@code sandbox, task, command, files, log,
   * stream, proxy, provider (provider.local, provider.kubernetes), work, announce, config, claude}.
   * The rules: {@link #gatewayFeaturesFreeOfCycles()}, {@link #logDoesNotDependOnStream()}, {@link
   * #providersOnlyThroughTheirSpi()}, {@link #providersIndependentOfEachOther()}, {@link
   * #repositoriesUsedOnlyByTheirFeature()}, {@link #workAndAnnounceDependOnNoFeature()}, {@link
   * #noQuarkusInternals} of the gateway.
   */
  public static List<ArchRule> gatewayRules() {
    return List.of(
        gatewayFeaturesFreeOfCycles(),
        logDoesNotDependOnStream(),
        providersOnlyThroughTheirSpi(),
        providersIndependentOfEachOther(),
        repositoriesUsedOnlyByTheirFeature(),
        workAndAnnounceDependOnNoFeature(),
        gatewaySqlOnlyInRepositories(),
        noQuarkusInternals(GATEWAY));
  }

  /** No cycles between the gateway's feature packages. */
  public static ArchRule gatewayFeaturesFreeOfCycles() {
    return noPackageCycles(GATEWAY);
  }

  /** {@code stream} may read {@code log} (replay, live tail); {@code log} never knows streams. */
  public static ArchRule logDoesNotDependOnStream() {
    return noClasses()
        .that()
        .resideInAPackage(GATEWAY + ".log..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage(GATEWAY + ".stream..")
        .because("the output log is written whether or not anyone streams it");
  }

  /**
   * A sandbox provider ({@code provider.local}, {@code provider.kubernetes}, ...) is reached only
   * through the SPI in {@code provider}: no class outside {@code provider..} names an
   * implementation. CDI picks the implementation (by build property or configuration on the
   * implementation itself); a producer that must choose one belongs in {@code provider}.
   */
  public static ArchRule providersOnlyThroughTheirSpi() {
    return noClasses()
        .that()
        .resideOutsideOfPackage(GATEWAY + ".provider..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage(GATEWAY + ".provider.*..")
        .because("features use the SandboxProvider SPI, so a provider can be swapped");
  }

  /** One provider never uses another's classes. */
  public static ArchRule providersIndependentOfEachOther() {
    return slices()
        .matching(GATEWAY + ".provider.(*)..")
        .should()
        .notDependOnEachOther()
        .allowEmptyShould(true);
  }

  /**
   * A class named {@code *Repository} (and its nested classes) is used only inside its own feature
   * package: another feature asks that feature's service, never its tables.
   */
  public static ArchRule repositoriesUsedOnlyByTheirFeature() {
    return classes()
        .that()
        .resideInAPackage(GATEWAY + "..")
        .should(useOnlyRepositoriesOfTheirOwnFeature())
        .because("a feature's tables are its own: other features go through its service");
  }

  /**
   * {@code work} (leased work: claims, wake-ups, lease recovery, stop signals) and {@code announce}
   * (a state change as an outbox event and a session-log entry in one call) are infrastructure the
   * features use: they depend on no feature package ({@link #GATEWAY_FEATURES}), only on {@code
   * config}, each other and libraries; announce also writes the session {@code log}.
   */
  public static ArchRule workAndAnnounceDependOnNoFeature() {
    return CompositeArchRule.of(dependOnNoFeature("work", List.of()))
        .and(dependOnNoFeature("announce", List.of("log")));
  }

  private static ArchRule dependOnNoFeature(String infrastructure, List<String> except) {
    return noClasses()
        .that()
        .resideInAPackage(GATEWAY + "." + infrastructure + "..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(
            GATEWAY_FEATURES.stream()
                .filter(f -> !except.contains(f))
                .map(f -> GATEWAY + "." + f + "..")
                .toArray(String[]::new))
        .because(
            infrastructure
                + " is used by every feature, so it cannot know any"
                + (except.isEmpty() ? "" : " (but " + String.join(", ", except) + ")"));
  }

  /**
   * SQL lives in repository classes ({@code *Repository}) and in the output log's own storage
   * ({@code log.OutputLog}, {@code log.SessionLog}): never in services, resources, listeners or
   * jobs.
   */
  public static ArchRule gatewaySqlOnlyInRepositories() {
    return noClasses()
        .that()
        .resideInAPackage(GATEWAY + "..")
        .and()
        .haveSimpleNameNotEndingWith("Repository")
        .and()
        .doNotHaveFullyQualifiedName(GATEWAY + ".log.OutputLog")
        .and()
        .doNotHaveFullyQualifiedName(GATEWAY + ".log.SessionLog")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(SQL_PACKAGES)
        .orShould()
        .callMethod("io.quarkus.hibernate.reactive.panache.Panache", "getSession")
        .because("SQL lives in repository classes, one access style per kind of work");
  }

  private static ArchCondition<JavaClass> useOnlyRepositoriesOfTheirOwnFeature() {
    return new ArchCondition<>("use only the repositories of their own feature") {
      @Override
      public void check(JavaClass origin, ConditionEvents events) {
        String feature = gatewayFeature(origin.getPackageName());
        for (Dependency dependency : origin.getDirectDependenciesFromSelf()) {
          JavaClass target = dependency.getTargetClass();
          String topLevelName = target.getName().split("\\$", 2)[0];
          if (!topLevelName.startsWith(GATEWAY + ".")
              || !topLevelName.endsWith("Repository")
              || feature.equals(gatewayFeature(target.getPackageName()))) {
            continue;
          }
          events.add(SimpleConditionEvent.violated(dependency, dependency.getDescription()));
        }
      }
    };
  }

  /** The feature of a gateway package: its first package below {@link #GATEWAY}, or "". */
  private static String gatewayFeature(String packageName) {
    if (!packageName.startsWith(GATEWAY + ".")) {
      return "";
    }
    String rest = packageName.substring(GATEWAY.length() + 1);
    int dot = rest.indexOf('.');
    return dot < 0 ? rest : rest.substring(0, dot);
  }
}
