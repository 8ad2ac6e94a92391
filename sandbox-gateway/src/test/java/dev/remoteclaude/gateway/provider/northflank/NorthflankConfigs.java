package dev.remoteclaude.gateway.provider.northflank;

import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** The northflank provider's configuration mapping, built from given values and its defaults. */
final class NorthflankConfigs {
  private NorthflankConfigs() {}

  /** The sandbox user's home in the tests' image (the default). */
  static final String HOME = "/home/user";

  /** Against {@code stub}, with {@code values} on top. */
  static NorthflankConfig of(NorthflankStub stub, Path archives, Map<String, String> values) {
    Map<String, String> all = new HashMap<>();
    all.put("gateway.northflank.enabled", "true");
    all.put("gateway.northflank.api-url", stub.apiUrl());
    all.put("gateway.northflank.token", stub.token());
    all.put("gateway.northflank.project-id", NorthflankStub.PROJECT);
    all.put("gateway.northflank.archive-dir", archives.toString());
    all.put("gateway.northflank.start-timeout", "30s");
    all.putAll(values);
    SmallRyeConfig config =
        new SmallRyeConfigBuilder()
            .withMapping(NorthflankConfig.class)
            .withConverter(Duration.class, 200, new DurationConverter())
            .withSources(new PropertiesConfigSource(all, "northflank-test", 500))
            .build();
    return config.getConfigMapping(NorthflankConfig.class);
  }
}
