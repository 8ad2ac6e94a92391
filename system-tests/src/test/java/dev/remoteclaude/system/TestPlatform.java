package dev.remoteclaude.system;

import dev.remoteclaude.infra.Ports;
import dev.remoteclaude.launcher.Platform;
import dev.remoteclaude.launcher.PlatformOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;

/**
 * The platform these tests talk to, started once per test run exactly as {@code ./rc up} starts it
 * (same launcher), in a temporary home and on free ports, with the offline demo model; stopped when
 * the JVM exits.
 */
final class TestPlatform {

  private static Platform platform;
  private static RuntimeException failed;

  private TestPlatform() {}

  static synchronized Platform get() {
    if (failed != null) {
      throw failed;
    }
    if (platform == null) {
      Path root = Path.of(System.getProperty("rc.project.root", "..")).toAbsolutePath().normalize();
      Path home;
      try {
        // PostgreSQL runs as the 'postgres' user when the tests run as root: it must reach its
        // directory inside the platform's home.
        home =
            Files.createTempDirectory(
                "rc-system-",
                PosixFilePermissions.asFileAttribute(PosixFilePermissions.fromString("rwxr-xr-x")));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      PlatformOptions options =
          new PlatformOptions(
              home,
              root,
              Ports.free(),
              Ports.freeRange(5),
              Ports.free(),
              Ports.free(),
              Ports.free(),
              Optional.empty(),
              Optional.empty(),
              Map.of(
                  // Fail over quickly when a test kills a gateway: its work is taken over after
                  // the lease, its partitions after the consumer session timeout.
                  "sandbox-gateway:gateway.lease", "5s",
                  "sandbox-gateway:gateway.heartbeat", "1s",
                  "sandbox-gateway:gateway.recovery-interval", "1s",
                  // an unknown or foreign session's stream request is refused after this
                  "sandbox-gateway:gateway.stream.attach-wait", "10s",
                  "*:kafka.session.timeout.ms", "8000",
                  // On a machine loaded by parallel builds a service's first database connection
                  // (SCRAM at start-up) can take longer than the pool's 5 s default.
                  "*:quarkus.datasource.jdbc.acquisition-timeout", "60S",
                  "*:kafka.heartbeat.interval.ms", "2000"),
              // Restarted often (the chaos suite kills each service): start as ./rc up does.
              PlatformOptions.QUICK_START,
              // The tests run the fast-jar that ./mvnw verify builds: no ahead-of-time cache.
              Optional.empty());
      try {
        platform = Platform.start(options, step -> System.out.println("[platform] " + step));
      } catch (RuntimeException e) {
        failed = e;
        throw e;
      }
      Runtime.getRuntime().addShutdownHook(new Thread(platform::close, "platform-stop"));
    }
    return platform;
  }

  static String baseUrl() {
    return get().baseUrl();
  }

  static String token(String user) {
    return get().keys().token(user, Duration.ofHours(1));
  }
}
