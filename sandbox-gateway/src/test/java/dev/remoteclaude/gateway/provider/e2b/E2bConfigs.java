package dev.remoteclaude.gateway.provider.e2b;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** The e2b provider's configuration pointed at an {@link E2bStub}, with the mapping's defaults. */
final class E2bConfigs {
  private E2bConfigs() {}

  static E2bConfig of(E2bStub stub, Map<String, String> values) {
    Map<String, String> all = new HashMap<>();
    all.put("gateway.e2b.enabled", "true");
    all.put("gateway.e2b.api-url", stub.apiUrl());
    all.put("gateway.e2b.api-key", E2bStub.API_KEY);
    all.put("gateway.e2b.template", "rc-claude");
    all.put("gateway.e2b.domain", E2bStub.DOMAIN);
    all.put("gateway.e2b.envd-tls", "false");
    all.put("gateway.e2b.envd-connect-to", "127.0.0.1:" + stub.port());
    all.putAll(values);
    return new SmallRyeConfigBuilder()
        .withMapping(E2bConfig.class)
        .withConverter(Duration.class, 200, new DurationConverter())
        .withSources(new PropertiesConfigSource(all, "e2b-test", 500))
        .build()
        .getConfigMapping(E2bConfig.class);
  }
}
