package dev.remoteclaude.gateway.provider.northflank;

import static org.assertj.core.api.Assertions.assertThat;

import dev.remoteclaude.gateway.provider.ProviderCalls;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With gateway.northflank.enabled=true (a token, a project) the gateway offers it by name. */
@QuarkusTest
@TestProfile(NorthflankProviderEnabledTest.Enabled.class)
class NorthflankProviderEnabledTest {

  public static class Enabled implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "gateway.northflank.enabled", "true",
          "gateway.northflank.token", "nf_enabled_test_token",
          "gateway.northflank.project-id", "rc-sandboxes",
          "gateway.northflank.claude-command", "/opt/claude/bin/claude");
    }
  }

  @Inject ProviderCalls providers;

  @Test
  void theNorthflankProviderIsThereWhenEnabled() {
    assertThat(providers.knows("northflank")).isTrue();
    assertThat(providers.provider("northflank").claudeCommand())
        .isEqualTo("/opt/claude/bin/claude");
    assertThat(providers.knows("local")).isTrue();
  }
}
