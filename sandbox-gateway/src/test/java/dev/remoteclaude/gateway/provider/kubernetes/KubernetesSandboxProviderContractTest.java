package dev.remoteclaude.gateway.provider.kubernetes;

import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;

/**
 * The kubernetes provider passes the provider contract against fabric8's mock API server with an
 * emulated kubelet and exec API ({@link EmulatedCluster}).
 */
class KubernetesSandboxProviderContractTest extends KubernetesContract {

  static final String NAMESPACE = "rc-sandboxes";
  @TempDir static Path root;

  @BeforeAll
  static void start() {
    EmulatedCluster cluster = new EmulatedCluster(root.resolve("cluster"));
    connect(
        cluster.client(),
        NAMESPACE,
        root.resolve("archives"),
        // The emulated kubelet is quick, but a loaded test machine is not.
        Map.of("gateway.kubernetes.start-timeout", "60s"),
        cluster);
  }
}
