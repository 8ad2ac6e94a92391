package dev.remoteclaude.testing;

import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import java.util.HashMap;
import java.util.Map;

/**
 * Gives a {@code @QuarkusTest} application the module's real PostgreSQL and Kafka and the test
 * signing key. Register it once per module with {@code @QuarkusTestResource(RcInfraResource.class)}
 * on any test class; the infrastructure is started once and shared by every test of the module.
 */
public class RcInfraResource implements QuarkusTestResourceLifecycleManager {

  @Override
  public Map<String, String> start() {
    TestInfra.Postgres pg = TestInfra.postgres();
    Map<String, String> config = new HashMap<>();
    config.put("quarkus.datasource.username", pg.user());
    config.put("quarkus.datasource.password", pg.password());
    config.put("quarkus.datasource.reactive.url", pg.reactiveUrl());
    config.put("quarkus.datasource.jdbc.url", pg.jdbcUrl());
    // bootstrap.servers and, for a broker that demands a password, the SASL settings.
    TestInfra.kafkaClientProperties().forEach((key, value) -> config.put("kafka." + key, value));
    config.put("rc.auth.public-key", TestKeys.publicKeyBase64());
    config.put("rc.auth.issuer", Tokens.ISSUER);
    config.put("rc.auth.audience", Tokens.AUDIENCE);
    config.put("rc.secrets.key-id", "k1");
    config.put("rc.secrets.keys.k1", TestKeys.secretKeyBase64());
    return config;
  }

  @Override
  public void stop() {
    // Shared by every test class of the module; stopped by TestInfra when the JVM exits.
  }
}
