package dev.remoteclaude.gateway.provider.e2b;

import static org.assertj.core.api.Assertions.assertThat;

import dev.remoteclaude.gateway.provider.ProviderCalls;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With gateway.e2b.enabled=true (and a key) the gateway offers the e2b provider by name. */
@QuarkusTest
@TestProfile(E2bProviderEnabledTest.Enabled.class)
class E2bProviderEnabledTest {

  public static class Enabled implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "gateway.e2b.enabled", "true",
          "gateway.e2b.api-key", "e2b_enabled_test_key",
          "gateway.e2b.claude-command", "/opt/claude/bin/claude");
    }
  }

  @Inject ProviderCalls providers;

  @Test
  void theE2bProviderIsThereWhenEnabled() {
    assertThat(providers.knows("e2b")).isTrue();
    assertThat(providers.provider("e2b").claudeCommand()).isEqualTo("/opt/claude/bin/claude");
    assertThat(providers.knows("local")).isTrue();
  }
}
