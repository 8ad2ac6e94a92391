package dev.remoteclaude.testing;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.PostgreSQLContainer;
import org.testcontainers.kafka.KafkaContainer;
import org.testcontainers.utility.DockerImageName;

/**
 * Where the tests' PostgreSQL and Kafka come from when no URL is given: Testcontainers where a
 * Docker engine is reachable, the project's own local servers ({@link
 * dev.remoteclaude.infra.LocalPostgres}, {@link dev.remoteclaude.infra.LocalKafka}) otherwise.
 * {@code RC_TEST_INFRA} (or the system property {@code rc.test.infra}) overrides the choice: {@code
 * auto} (the default), {@code local} or {@code testcontainers}.
 */
public final class Containers {

  private static final Logger LOG = Logger.getLogger(Containers.class);

  /** PostgreSQL 15, as the local servers and the production cluster's minimum. */
  static final DockerImageName POSTGRES = DockerImageName.parse("postgres:15-alpine");

  /** An Apache Kafka broker in KRaft mode, the same major version as the local one. */
  static final DockerImageName KAFKA = DockerImageName.parse("apache/kafka:4.1.2");

  /** Where the infrastructure comes from. */
  public enum Source {
    LOCAL,
    TESTCONTAINERS
  }

  private Containers() {}

  /** The source this JVM uses: the setting, or a Docker engine's presence when it is auto. */
  public static Source source() {
    String setting = System.getProperty("rc.test.infra", System.getenv("RC_TEST_INFRA"));
    return choose(setting, Containers::dockerReachable);
  }

  /**
   * The source a setting asks for; {@code auto} (or nothing) asks {@code docker} whether an engine
   * answers.
   */
  static Source choose(String setting, java.util.function.BooleanSupplier docker) {
    String value = setting == null || setting.isBlank() ? "auto" : setting.trim();
    return switch (value.toLowerCase(Locale.ROOT)) {
      case "local" -> Source.LOCAL;
      case "testcontainers" -> Source.TESTCONTAINERS;
      case "auto" -> docker.getAsBoolean() ? Source.TESTCONTAINERS : Source.LOCAL;
      default ->
          throw new IllegalArgumentException(
              "RC_TEST_INFRA must be auto, local or testcontainers, not " + value);
    };
  }

  /**
   * Whether a Docker engine answers. Testcontainers is asked only when there is a sign of one (a
   * DOCKER_HOST, a socket at the usual places), so a machine without Docker decides at once and
   * quietly.
   */
  public static boolean dockerReachable() {
    boolean hint =
        System.getenv("DOCKER_HOST") != null
            || Files.exists(Path.of("/var/run/docker.sock"))
            || Files.exists(
                Path.of(System.getProperty("user.home"), ".docker", "run", "docker.sock"));
    if (!hint) {
      return false;
    }
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException e) {
      LOG.debugf("no Docker engine: %s", e.getMessage());
      return false;
    }
  }

  /** Starts a PostgreSQL container with database {@code database}; stopped with the JVM. */
  static TestInfra.Postgres postgres(String database) {
    String password = UUID.randomUUID().toString();
    PostgreSQLContainer<?> container =
        new PostgreSQLContainer<>(POSTGRES)
            .withDatabaseName(database)
            .withUsername("rc")
            .withPassword(password);
    container.start();
    LOG.infof("Tests use PostgreSQL in a container (%s)", POSTGRES);
    return new TestInfra.Postgres(
        container.getHost(), container.getMappedPort(5432), database, "rc", password);
  }

  /** Starts a Kafka container (no authentication); stopped with the JVM. */
  static Map<String, String> kafka() {
    KafkaContainer container = new KafkaContainer(KAFKA);
    container.start();
    LOG.infof("Tests use Kafka in a container (%s)", KAFKA);
    return Map.of("bootstrap.servers", container.getBootstrapServers());
  }
}
