package dev.remoteclaude.gateway.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import jakarta.inject.Inject;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** With gateway.kubernetes.enabled=true the gateway offers the kubernetes provider by name. */
@QuarkusTest
@TestProfile(KubernetesProviderEnabledTest.Enabled.class)
class KubernetesProviderEnabledTest {

  public static class Enabled implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      return Map.of(
          "gateway.kubernetes.enabled", "true",
          "gateway.kubernetes.namespace", "rc-enabled-test");
    }
  }

  @Inject ProviderCalls providers;

  @Test
  void theKubernetesProviderIsThereWhenEnabled() {
    assertThat(providers.knows("kubernetes")).isTrue();
    assertThat(providers.provider("kubernetes").claudeCommand()).isEqualTo("claude");
    assertThat(providers.knows("local")).isTrue();
  }
}
