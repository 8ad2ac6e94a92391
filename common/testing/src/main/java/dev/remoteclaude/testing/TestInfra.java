package dev.remoteclaude.testing;

import dev.remoteclaude.infra.InfraException;
import dev.remoteclaude.infra.LocalKafka;
import dev.remoteclaude.infra.LocalPostgres;
import java.net.URI;
import java.util.Map;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * The real PostgreSQL and Kafka that a module's tests share: started once per test JVM on first use
 * and stopped when the JVM exits: containers where a Docker engine is reachable, the project's own
 * local servers otherwise ({@link Containers}; {@code RC_TEST_INFRA=auto|local|testcontainers}).
 * Explicit URLs in the environment take precedence:
 *
 * <ul>
 *   <li>{@code RC_TEST_PG_URL} — {@code postgresql://user:password@host:port/database}
 *   <li>{@code RC_TEST_KAFKA_BOOTSTRAP} — {@code host:port}, with {@code RC_TEST_KAFKA_USER} and
 *       {@code RC_TEST_KAFKA_PASSWORD} when that broker demands SASL/SCRAM-SHA-512 (over
 *       SASL_PLAINTEXT); without them the tests connect without authentication
 * </ul>
 *
 * <p>A broker the tests start themselves demands a password (see {@link LocalKafka}); {@link
 * #kafkaClientProperties()} holds what every client needs to reach it.
 */
public final class TestInfra {

  private static final Logger LOG = Logger.getLogger(TestInfra.class);
  private static final String DATABASE = "rc";

  /** Where a test reaches PostgreSQL. */
  public record Postgres(String host, int port, String database, String user, String password) {
    public String reactiveUrl() {
      return "postgresql://" + host + ":" + port + "/" + database;
    }

    public String jdbcUrl() {
      return "jdbc:postgresql://" + host + ":" + port + "/" + database;
    }
  }

  private static Postgres postgres;
  private static Map<String, String> kafka;
  private static LocalPostgres localPostgres;
  private static LocalKafka localKafka;

  private TestInfra() {}

  public static synchronized Postgres postgres() {
    if (postgres == null) {
      String url = System.getenv("RC_TEST_PG_URL");
      if (url != null && !url.isBlank()) {
        postgres = parse(url);
      } else if (Containers.source() == Containers.Source.TESTCONTAINERS) {
        postgres = Containers.postgres(DATABASE);
      } else {
        String password = UUID.randomUUID().toString();
        localPostgres = LocalPostgres.start(LocalPostgres.Options.ephemeral("rc", password));
        localPostgres.createDatabase(DATABASE);
        postgres =
            new Postgres(
                localPostgres.host(),
                localPostgres.port(),
                DATABASE,
                localPostgres.user(),
                password);
        registerShutdown();
      }
    }
    return postgres;
  }

  /**
   * The Kafka client properties of the module's broker: {@code bootstrap.servers} and, when it
   * demands authentication, {@code security.protocol}, {@code sasl.mechanism} and {@code
   * sasl.jaas.config} (which holds the password: never log these).
   */
  public static synchronized Map<String, String> kafkaClientProperties() {
    if (kafka == null) {
      String url = System.getenv("RC_TEST_KAFKA_BOOTSTRAP");
      if (url != null && !url.isBlank()) {
        String user = System.getenv("RC_TEST_KAFKA_USER");
        String password = System.getenv("RC_TEST_KAFKA_PASSWORD");
        kafka =
            user == null || user.isBlank()
                ? Map.of("bootstrap.servers", url)
                : LocalKafka.clientProperties(url, user, password == null ? "" : password);
        LOG.infof(
            "Tests use Kafka at %s from RC_TEST_KAFKA_BOOTSTRAP (%s)",
            url, user == null || user.isBlank() ? "no authentication" : "as user " + user);
      } else if (Containers.source() == Containers.Source.TESTCONTAINERS) {
        kafka = Containers.kafka();
      } else {
        localKafka = LocalKafka.start(LocalKafka.Options.ephemeral(3));
        kafka = localKafka.clientProperties();
        registerShutdown();
      }
    }
    return kafka;
  }

  public static String kafkaBootstrapServers() {
    return kafkaClientProperties().get("bootstrap.servers");
  }

  /**
   * Runs {@code during} while the module's PostgreSQL is down, then brings it back (same port, same
   * data). Only for infrastructure this JVM started itself.
   */
  public static void withPostgresDown(Runnable during) {
    if (localPostgres == null) {
      throw new IllegalStateException("PostgreSQL was not started by the tests (RC_TEST_PG_URL?)");
    }
    localPostgres.stop();
    try {
      during.run();
    } finally {
      localPostgres.restart();
    }
  }

  /** Runs {@code during} while the module's Kafka broker is down, then brings it back. */
  public static void withKafkaDown(Runnable during) {
    if (localKafka == null) {
      throw new IllegalStateException(
          "Kafka was not started by the tests (RC_TEST_KAFKA_BOOTSTRAP?)");
    }
    localKafka.stop();
    try {
      during.run();
    } finally {
      localKafka.restart();
    }
  }

  /**
   * Whether this JVM started the infrastructure as local servers (and so may stop and restart them
   * on the same ports); tests of outages are skipped otherwise.
   */
  public static boolean ownsInfrastructure() {
    return localPostgres != null && localKafka != null;
  }

  private static boolean hookRegistered;

  private static void registerShutdown() {
    if (hookRegistered) {
      return;
    }
    hookRegistered = true;
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  if (localKafka != null) {
                    localKafka.close();
                  }
                  if (localPostgres != null) {
                    localPostgres.close();
                  }
                },
                "rc-test-infra-stop"));
  }

  static Postgres parse(String url) {
    URI uri = URI.create(url);
    if (!"postgresql".equals(uri.getScheme()) || uri.getUserInfo() == null) {
      throw new InfraException(
          "RC_TEST_PG_URL must look like postgresql://user:password@host:port/database, got "
              + uri.getScheme()
              + "://...");
    }
    String[] userInfo = uri.getUserInfo().split(":", 2);
    String database =
        uri.getPath() == null || uri.getPath().length() <= 1
            ? DATABASE
            : uri.getPath().substring(1);
    LOG.infof(
        "Tests use PostgreSQL at %s:%d/%s from RC_TEST_PG_URL",
        uri.getHost(), uri.getPort(), database);
    return new Postgres(
        uri.getHost(),
        uri.getPort() == -1 ? 5432 : uri.getPort(),
        database,
        userInfo[0],
        userInfo.length > 1 ? userInfo[1] : "");
  }
}
