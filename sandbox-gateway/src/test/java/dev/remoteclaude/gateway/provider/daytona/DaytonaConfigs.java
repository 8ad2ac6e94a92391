package dev.remoteclaude.gateway.provider.daytona;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** The daytona provider's configuration mapping, built from given values and its defaults. */
final class DaytonaConfigs {
  private DaytonaConfigs() {}

  /** Against {@code stub}, with {@code values} on top. */
  static DaytonaConfig of(
      DaytonaStub stub, java.nio.file.Path archives, Map<String, String> values) {
    Map<String, String> all = new HashMap<>();
    all.put("gateway.daytona.enabled", "true");
    all.put("gateway.daytona.api-url", stub.apiUrl());
    all.put("gateway.daytona.api-key", stub.apiKey());
    all.put("gateway.daytona.archive-dir", archives.toString());
    all.put("gateway.daytona.start-timeout", "20s");
    all.put("gateway.daytona.network-allow-list", "203.0.113.0/24");
    all.putAll(values);
    SmallRyeConfig config =
        new SmallRyeConfigBuilder()
            .withMapping(DaytonaConfig.class)
            .withConverter(Duration.class, 200, new DurationConverter())
            .withSources(new PropertiesConfigSource(all, "daytona-test", 500))
            .build();
    return config.getConfigMapping(DaytonaConfig.class);
  }
}
