package dev.remoteclaude.launcher;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Where the platform keeps its state and which ports it uses.
 *
 * @param home state: data (PostgreSQL, Kafka, sandboxes), keys, logs, per-service config
 * @param projectRoot the checkout, where the packaged services and the Claude CLI are
 * @param edgePort the one base URL's port
 * @param servicePorts first of five consecutive ports for the services
 * @param anthropicApiKey a real key: talk to Anthropic; empty: run the local demo stub
 * @param serviceConfig extra settings, {@code "<service>:<property>"} (or {@code "*:<property>"})
 *     to value
 * @param serviceJvmOptions JVM options added to every service's command line
 * @param aotCache where the services' ahead-of-time caches are kept ({@link AotCache}); empty: none
 */
public record PlatformOptions(
    Path home,
    Path projectRoot,
    int edgePort,
    int servicePorts,
    int postgresPort,
    int kafkaPort,
    int stubPort,
    Optional<String> anthropicApiKey,
    Optional<String> anthropicBaseUrl,
    Map<String, String> serviceConfig,
    List<String> serviceJvmOptions,
    Optional<Path> aotCache) {

  /**
   * The services' JVM options on this machine: the JIT's first tier only. Five services starting
   * side by side on two cores spend most of their start in the optimising compiler (C2); without it
   * they are ready in about half the time, at a lower peak speed that a local platform does not
   * need. {@code RC_SERVICE_JVM_OPTS} replaces it (empty: the JVM's defaults).
   */
  public static final List<String> QUICK_START = List.of("-XX:TieredStopAtLevel=1");

  /** The defaults of {@code ./rc up}, adjustable through the environment. */
  public static PlatformOptions fromEnvironment(Path projectRoot) {
    return new PlatformOptions(
        Path.of(env("RC_HOME", projectRoot.resolve(".rc").toString())).toAbsolutePath(),
        projectRoot.toAbsolutePath(),
        Integer.parseInt(env("RC_PORT", "8080")),
        Integer.parseInt(env("RC_SERVICE_PORTS", "8081")),
        Integer.parseInt(env("RC_POSTGRES_PORT", "55432")),
        Integer.parseInt(env("RC_KAFKA_PORT", "59092")),
        Integer.parseInt(env("RC_STUB_PORT", "58090")),
        Optional.ofNullable(System.getenv("ANTHROPIC_API_KEY")).filter(s -> !s.isBlank()),
        Optional.ofNullable(System.getenv("ANTHROPIC_BASE_URL")).filter(s -> !s.isBlank()),
        Map.of(),
        jvmOptions(System.getenv("RC_SERVICE_JVM_OPTS")),
        AotCache.directoryFrom(System.getenv(), Path.of(System.getProperty("user.home"))));
  }

  static List<String> jvmOptions(String value) {
    if (value == null) {
      return QUICK_START;
    }
    return Arrays.stream(value.trim().split("\\s+")).filter(s -> !s.isEmpty()).toList();
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
