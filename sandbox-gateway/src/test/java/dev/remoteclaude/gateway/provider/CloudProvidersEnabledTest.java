package dev.remoteclaude.gateway.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * With {@code gateway.<provider>.enabled=true} (and what the provider needs: a key, a token and a
 * project, a namespace) the gateway offers that provider by name, beside the local one. One gateway
 * with all three, as an operator running several providers has.
 */
@QuarkusTest
@TestProfile(CloudProvidersEnabledTest.Enabled.class)
class CloudProvidersEnabledTest {

  public static class Enabled implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.ofEntries(
          Map.entry("gateway.e2b.enabled", "true"),
          Map.entry("gateway.e2b.api-key", "e2b_enabled_test_key"),
          Map.entry("gateway.e2b.claude-command", "/opt/claude/bin/claude"),
          Map.entry("gateway.northflank.enabled", "true"),
          Map.entry("gateway.northflank.token", "nf_enabled_test_token"),
          Map.entry("gateway.northflank.project-id", "rc-sandboxes"),
          Map.entry("gateway.northflank.claude-command", "/opt/northflank/bin/claude"),
          Map.entry("gateway.kubernetes.enabled", "true"),
          Map.entry("gateway.kubernetes.namespace", "rc-enabled-test"));
    }
  }

  @Inject ProviderCalls providers;

  @Test
  void theE2bProviderIsThereWhenEnabled() {
    assertThat(providers.knows("e2b")).isTrue();
    assertThat(providers.provider("e2b").claudeCommand()).isEqualTo("/opt/claude/bin/claude");
    assertThat(providers.knows("local")).isTrue();
  }

  @Test
  void theNorthflankProviderIsThereWhenEnabled() {
    assertThat(providers.knows("northflank")).isTrue();
    assertThat(providers.provider("northflank").claudeCommand())
        .isEqualTo("/opt/northflank/bin/claude");
  }

  @Test
  void theKubernetesProviderIsThereWhenEnabled() {
    assertThat(providers.knows("kubernetes")).isTrue();
    assertThat(providers.provider("kubernetes").claudeCommand()).isEqualTo("claude");
  }
}
