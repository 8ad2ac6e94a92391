package dev.remoteclaude.gateway.provider;

import dev.remoteclaude.gateway.config.GatewayConfig;
import io.quarkus.runtime.configuration.DurationConverter;
import io.smallrye.config.PropertiesConfigSource;
import io.smallrye.config.SmallRyeConfig;
import io.smallrye.config.SmallRyeConfigBuilder;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;

/** The gateway's configuration mapping, built from given values and the mapping's defaults. */
public final class ProviderConfigs {
  private ProviderConfigs() {}

  public static GatewayConfig gateway(Map<String, String> values) {
    Map<String, String> all = new HashMap<>();
    all.put("gateway.local.root", System.getProperty("java.io.tmpdir") + "/rc-contract-unused");
    all.put("gateway.claude.binary", "/nonexistent/claude");
    all.put("gateway.kubernetes.archive-dir", System.getProperty("java.io.tmpdir"));
    all.putAll(values);
    SmallRyeConfig config =
        new SmallRyeConfigBuilder()
            .withMapping(GatewayConfig.class)
            // Quarkus' own converter: "30s", "5m" as in application.properties.
            .withConverter(Duration.class, 200, new DurationConverter())
            .withConverter(
                io.quarkus.runtime.configuration.MemorySize.class,
                200,
                new io.quarkus.runtime.configuration.MemorySizeConverter())
            .withSources(new PropertiesConfigSource(all, "contract-test", 500))
            .build();
    return config.getConfigMapping(GatewayConfig.class);
  }
}
