package dev.remoteclaude.gateway.provider.kubernetes;

import dev.remoteclaude.gateway.provider.ProviderConfigs;
import dev.remoteclaude.gateway.provider.SandboxProvider;
import dev.remoteclaude.gateway.provider.SandboxProviderContract;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kubernetes provider passes the provider contract against fabric8's mock API server with an
 * emulated kubelet and exec API ({@link EmulatedCluster}).
 */
class KubernetesSandboxProviderContractTest extends SandboxProviderContract {

  static final String NAMESPACE = "rc-sandboxes";
  @TempDir static Path root;
  private static EmulatedCluster cluster;
  private static KubernetesSandboxProvider provider;

  @BeforeAll
  static void start() {
    cluster = new EmulatedCluster(root.resolve("cluster"));
    provider =
        new KubernetesSandboxProvider(
            ProviderConfigs.gateway(
                    Map.of(
                        "gateway.kubernetes.enabled",
                        "true",
                        "gateway.kubernetes.namespace",
                        NAMESPACE,
                        "gateway.kubernetes.archive-dir",
                        root.resolve("archives").toString(),
                        "gateway.kubernetes.start-timeout",
                        "20s"))
                .kubernetes(),
            cluster.client());
  }

  @AfterAll
  static void stop() {
    provider.close();
    cluster.close();
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
    SandboxIsolation.assertIsolated(cluster.client(), NAMESPACE, sandboxId);
  }

  /** Pods have their own network namespace; the target's policy admits no ingress at all. */
  @Override
  protected void assertCannotConnect(String from, String to) {
    SandboxIsolation.assertIsolated(cluster.client(), NAMESPACE, to);
  }
}
