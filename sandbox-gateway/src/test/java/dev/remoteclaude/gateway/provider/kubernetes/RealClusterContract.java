package dev.remoteclaude.gateway.provider.kubernetes;

import dev.remoteclaude.gateway.provider.ProviderConfigs;
import dev.remoteclaude.gateway.provider.SandboxProvider;
import dev.remoteclaude.gateway.provider.SandboxProviderContract;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;

/**
 * The provider contract against a real Kubernetes API server and kubelet (a cluster the tester
 * names, or K3s in a container): pods, volumes, exec and network policies for real, where the
 * fabric8 mock only answers requests.
 */
abstract class RealClusterContract extends SandboxProviderContract {

  private static KubernetesClient client;
  private static KubernetesSandboxProvider provider;
  private static String namespace;

  /**
   * Points the suite at {@code cluster}: sandboxes in {@code sandboxes} (which must exist) from
   * {@code image}, snapshots under {@code archives}, plus {@code settings} of the provider.
   */
  static void connect(
      KubernetesClient cluster,
      String sandboxes,
      String image,
      Path archives,
      Map<String, String> settings) {
    client = cluster;
    namespace = sandboxes;
    Map<String, String> all = new HashMap<>(settings);
    all.put("gateway.kubernetes.enabled", "true");
    all.put("gateway.kubernetes.namespace", namespace);
    all.put("gateway.kubernetes.image", image);
    all.put("gateway.kubernetes.archive-dir", archives.toString());
    all.put("gateway.kubernetes.start-timeout", "3m");
    provider = new KubernetesSandboxProvider(ProviderConfigs.gateway(all).kubernetes(), client);
  }

  static KubernetesClient client() {
    return client;
  }

  @AfterAll
  static void disconnect() {
    if (provider != null) {
      provider.close();
      provider = null;
    }
    if (client != null) {
      client.close();
      client = null;
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
