package dev.remoteclaude.gateway.provider.kubernetes;

import dev.remoteclaude.gateway.provider.ProviderConfigs;
import dev.remoteclaude.gateway.provider.SandboxProvider;
import dev.remoteclaude.gateway.provider.SandboxProviderContract;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;
import org.junit.jupiter.api.io.TempDir;

/**
 * The provider contract against a real cluster (k8s/smoke-provider.sh). Runs only when {@code
 * RC_TEST_KUBE_CONTEXT} names a context of the kubeconfig (KUBECONFIG or ~/.kube/config); the
 * sandboxes' namespace ({@code RC_TEST_KUBE_NAMESPACE}, default remote-claude-sandboxes) must exist
 * and the sandbox image ({@code RC_TEST_SANDBOX_IMAGE}) be pullable. Optional: {@code
 * RC_TEST_RUNTIME_CLASS}, {@code RC_TEST_STORAGE_CLASS}.
 */
@EnabledIfEnvironmentVariable(named = "RC_TEST_KUBE_CONTEXT", matches = ".+")
class KubernetesClusterContractTest extends SandboxProviderContract {

  @TempDir static Path archives;
  private static KubernetesClient client;
  private static KubernetesSandboxProvider provider;
  private static String namespace;

  @BeforeAll
  static void connect() {
    namespace = env("RC_TEST_KUBE_NAMESPACE", "remote-claude-sandboxes");
    client =
        new KubernetesClientBuilder()
            .withConfig(Config.autoConfigure(System.getenv("RC_TEST_KUBE_CONTEXT")))
            .build();
    Map<String, String> settings = new HashMap<>();
    settings.put("gateway.kubernetes.enabled", "true");
    settings.put("gateway.kubernetes.namespace", namespace);
    settings.put(
        "gateway.kubernetes.image", env("RC_TEST_SANDBOX_IMAGE", "remote-claude/sandbox:dev"));
    settings.put("gateway.kubernetes.archive-dir", archives.toString());
    settings.put("gateway.kubernetes.start-timeout", "3m");
    if (System.getenv("RC_TEST_RUNTIME_CLASS") != null) {
      settings.put("gateway.kubernetes.runtime-class-name", System.getenv("RC_TEST_RUNTIME_CLASS"));
    }
    if (System.getenv("RC_TEST_STORAGE_CLASS") != null) {
      settings.put("gateway.kubernetes.storage-class-name", System.getenv("RC_TEST_STORAGE_CLASS"));
    }
    provider =
        new KubernetesSandboxProvider(ProviderConfigs.gateway(settings).kubernetes(), client);
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }

  @AfterAll
  static void disconnect() {
    if (provider != null) {
      provider.close();
    }
    if (client != null) {
      client.close();
    }
  }

  @Override
  protected SandboxProvider provider() {
    return provider;
  }

  @Override
  protected String unknownSandboxId() {
    return "ksb-" + UUID.randomUUID();
  }

  @Override
  protected String unknownSnapshotId() {
    return "kar-" + UUID.randomUUID();
  }

  @Override
  protected void assertIsolated(String sandboxId) {
    SandboxIsolation.assertIsolated(client, namespace, sandboxId);
  }

  /** Pods have their own network namespace; the target's policy admits no ingress at all. */
  @Override
  protected void assertCannotConnect(String from, String to) {
    SandboxIsolation.assertIsolated(client, namespace, to);
  }
}
