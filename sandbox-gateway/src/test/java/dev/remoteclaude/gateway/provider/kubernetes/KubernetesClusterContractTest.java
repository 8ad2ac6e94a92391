package dev.remoteclaude.gateway.provider.kubernetes;

import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The provider contract against a cluster of the tester's (k8s/smoke-provider.sh). Runs only when
 * {@code RC_TEST_KUBE_CONTEXT} names a context of the kubeconfig (KUBECONFIG or ~/.kube/config);
 * the sandboxes' namespace ({@code RC_TEST_KUBE_NAMESPACE}, default remote-claude-sandboxes) must
 * exist and the sandbox image ({@code RC_TEST_SANDBOX_IMAGE}) be pullable. Optional: {@code
 * RC_TEST_RUNTIME_CLASS}, {@code RC_TEST_STORAGE_CLASS}. Where a Docker engine runs, {@link
 * KubernetesK3sContractTest} needs none of this.
 */
@EnabledIfEnvironmentVariable(named = "RC_TEST_KUBE_CONTEXT", matches = ".+")
class KubernetesClusterContractTest extends KubernetesContract {

  @TempDir static Path archives;

  @BeforeAll
  static void connect() {
    Map<String, String> settings = new HashMap<>();
    settings.put(
        "gateway.kubernetes.image", env("RC_TEST_SANDBOX_IMAGE", "remote-claude/sandbox:dev"));
    settings.put("gateway.kubernetes.start-timeout", "3m");
    if (System.getenv("RC_TEST_RUNTIME_CLASS") != null) {
      settings.put("gateway.kubernetes.runtime-class-name", System.getenv("RC_TEST_RUNTIME_CLASS"));
    }
    if (System.getenv("RC_TEST_STORAGE_CLASS") != null) {
      settings.put("gateway.kubernetes.storage-class-name", System.getenv("RC_TEST_STORAGE_CLASS"));
    }
    connect(
        new KubernetesClientBuilder()
            .withConfig(Config.autoConfigure(System.getenv("RC_TEST_KUBE_CONTEXT")))
            .build(),
        env("RC_TEST_KUBE_NAMESPACE", "remote-claude-sandboxes"),
        archives,
        settings,
        null);
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
