package dev.remoteclaude.gateway.provider;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** The kubernetes provider exists only where it is configured (gateway.kubernetes.enabled). */
@QuarkusTest
class ProviderSelectionTest {

  @Inject ProviderCalls providers;

  @Test
  void theKubernetesProviderIsOffUnlessEnabled() {
    assertThat(providers.knows("local")).isTrue();
    assertThat(providers.knows("kubernetes")).isFalse();
  }
}
