package dev.remoteclaude.system;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.remoteclaude.launcher.Platform;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.common.errors.TimeoutException;
import org.junit.jupiter.api.Test;

/**
 * The platform's PostgreSQL and Kafka demand passwords that only the services hold: in their 0600
 * configuration files, never on a command line, where any process on the host could read them.
 */
class InfrastructureAccessTest {

  @Test
  void theInfrastructurePasswordsAreOnNoCommandLineOfThisHost() throws IOException {
    Platform platform = TestPlatform.get();
    List<String> passwords =
        List.of(platform.keys().databasePassword(), platform.keys().kafkaPassword());
    List<String> leaking = new ArrayList<>();
    try (Stream<Path> processes = Files.list(Path.of("/proc"))) {
      for (Path proc : processes.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
        String cmdline;
        try {
          cmdline = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8);
        } catch (IOException gone) {
          continue; // the process ended meanwhile
        }
        if (passwords.stream().anyMatch(cmdline::contains)) {
          leaking.add(proc.getFileName().toString()); // the pid only: the line holds a password
        }
      }
    }
    assertThat(leaking).as("processes with a password on their command line").isEmpty();
  }

  @Test
  void theServicesReachKafkaWithItsPasswordAndAClientWithoutItIsRefused() throws Exception {
    Platform platform = TestPlatform.get();
    Map<String, Object> kafka = new HashMap<>();
    for (String service : platform.services().keySet()) {
      Path file =
          platform.home().resolve("run").resolve(service).resolve("config/application.properties");
      assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
          .isEqualTo("rw-------");
      Properties config = new Properties();
      try (Reader in = Files.newBufferedReader(file)) {
        config.load(in);
      }
      assertThat(config.getProperty("kafka.security.protocol")).isEqualTo("SASL_PLAINTEXT");
      assertThat(config.getProperty("kafka.sasl.mechanism")).isEqualTo("SCRAM-SHA-512");
      assertThat(config.getProperty("kafka.sasl.jaas.config"))
          .contains(platform.keys().kafkaPassword());
      for (String key :
          List.of("bootstrap.servers", "security.protocol", "sasl.mechanism", "sasl.jaas.config")) {
        kafka.put(key, config.getProperty("kafka." + key));
      }
    }
    Map<String, Object> quick =
        Map.of("request.timeout.ms", 3_000, "default.api.timeout.ms", 6_000);

    Map<String, Object> withPassword = new HashMap<>(kafka);
    withPassword.putAll(quick);
    try (Admin admin = Admin.create(withPassword)) {
      assertThat(admin.listTopics().names().get()).isNotNull();
    }

    Map<String, Object> withoutPassword = new HashMap<>(quick);
    withoutPassword.put("bootstrap.servers", kafka.get("bootstrap.servers"));
    try (Admin admin = Admin.create(withoutPassword)) {
      assertThatThrownBy(() -> admin.listTopics().names().get())
          .hasCauseInstanceOf(TimeoutException.class);
    }
  }
}
