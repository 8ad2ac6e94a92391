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
 * The provider contract for the kubernetes provider, whatever the cluster: fabric8's mock with an
 * emulated kubelet, a cluster the tester names, or K3s in a container.
 */
abstract class KubernetesContract extends SandboxProviderContract {

  private static KubernetesClient client;
  private static KubernetesSandboxProvider provider;
  private static String namespace;
  private static AutoCloseable cluster;

  /**
   * Points the suite at {@code api}: sandboxes in {@code sandboxes} (which must exist), snapshots
   * under {@code archives}, plus {@code settings} of the provider (the image, timeouts). {@code
   * owner}, when there is one, is the cluster itself, closed after the provider and the client.
   */
  static void connect(
      KubernetesClient api,
      String sandboxes,
      Path archives,
      Map<String, String> settings,
      AutoCloseable owner) {
    client = api;
    namespace = sandboxes;
    cluster = owner;
    Map<String, String> all = new HashMap<>();
    all.put("gateway.kubernetes.enabled", "true");
    all.put("gateway.kubernetes.namespace", namespace);
    all.put("gateway.kubernetes.archive-dir", archives.toString());
    all.putAll(settings);
    provider = new KubernetesSandboxProvider(ProviderConfigs.gateway(all).kubernetes(), client);
  }

  @AfterAll
  static void disconnect() throws Exception {
    if (provider != null) {
      provider.close();
      provider = null;
    }
    if (client != null) {
      client.close();
      client = null;
    }
    if (cluster != null) {
      cluster.close();
      cluster = null;
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
