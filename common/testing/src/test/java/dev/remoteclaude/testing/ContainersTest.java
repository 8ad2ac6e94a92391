package dev.remoteclaude.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.remoteclaude.testing.Containers.Source;
import java.sql.DriverManager;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.NewTopic;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIf;

/** How the tests' infrastructure is chosen, and the containers where a Docker engine exists. */
class ContainersTest {

  @Test
  void autoTakesContainersOnlyWhereDockerAnswersAndASettingOverridesIt() {
    assertThat(Containers.choose(null, () -> true)).isEqualTo(Source.TESTCONTAINERS);
    assertThat(Containers.choose("", () -> false)).isEqualTo(Source.LOCAL);
    assertThat(Containers.choose("auto", () -> false)).isEqualTo(Source.LOCAL);
    assertThat(Containers.choose("LOCAL", () -> true)).isEqualTo(Source.LOCAL);
    assertThat(Containers.choose("testcontainers", () -> false)).isEqualTo(Source.TESTCONTAINERS);
    assertThatThrownBy(() -> Containers.choose("docker", () -> true))
        .hasMessageContaining("RC_TEST_INFRA")
        .hasMessageContaining("docker");
  }

  @Test
  void withoutAnyDockerSignTheLocalServersAreUsedWithoutAskingTestcontainers() {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        System.getenv("DOCKER_HOST") == null
            && !java.nio.file.Files.exists(java.nio.file.Path.of("/var/run/docker.sock")),
        "this machine has a Docker engine (or its socket)");
    assertThat(Containers.dockerReachable()).isFalse();
  }

  static boolean docker() {
    return Containers.dockerReachable();
  }

  @Test
  @EnabledIf(value = "docker", disabledReason = "no Docker engine here (DOCKER_HOST, docker.sock)")
  void containersServeARealPostgresqlAndKafka() throws Exception {
    TestInfra.Postgres pg = Containers.postgres("rc");
    try (var connection = DriverManager.getConnection(pg.jdbcUrl(), pg.user(), pg.password());
        var result = connection.createStatement().executeQuery("SHOW server_version_num")) {
      assertThat(result.next()).isTrue();
      assertThat(result.getInt(1)).isGreaterThanOrEqualTo(150000);
    }
    Map<String, Object> config = new HashMap<>(Containers.kafka());
    try (Admin admin = Admin.create(config)) {
      admin.createTopics(List.of(new NewTopic("rc.probe", 1, (short) 1))).all().get();
      assertThat(admin.listTopics().names().get()).contains("rc.probe");
    }
  }
}
