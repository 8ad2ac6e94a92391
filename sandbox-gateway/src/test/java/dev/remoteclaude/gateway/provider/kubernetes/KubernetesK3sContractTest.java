package dev.remoteclaude.gateway.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.condition.EnabledIf;
import org.junit.jupiter.api.io.TempDir;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.containers.Container.ExecResult;
import org.testcontainers.images.builder.ImageFromDockerfile;
import org.testcontainers.k3s.K3sContainer;
import org.testcontainers.utility.DockerImageName;
import org.testcontainers.utility.MountableFile;

/**
 * The provider contract against K3s in a container (Testcontainers' k3s module): a real API server,
 * kubelet, containerd, local-path volumes and kube-router's network policies. The sandbox image is
 * built from k8s/images/Dockerfile.sandbox by the Docker engine and imported into the cluster's
 * containerd, so nothing is pulled from a registry of ours. Needs a Docker engine that may run a
 * privileged container (K3s is one); without an engine every test is skipped, and says why.
 */
@EnabledIf(
    value = "dev.remoteclaude.testing.Containers#dockerReachable",
    disabledReason =
        "no Docker engine: the K3s contract test needs one (k8s/smoke-provider.sh runs the same"
            + " contract against any cluster)")
class KubernetesK3sContractTest extends KubernetesContract {

  static final DockerImageName K3S = DockerImageName.parse("rancher/k3s:v1.31.4-k3s1");
  static final String SANDBOX_IMAGE = "remote-claude/sandbox:k3s-contract";
  static final String NAMESPACE = "remote-claude-sandboxes";

  @TempDir static Path work;

  @BeforeAll
  static void startCluster() throws Exception {
    Path root = Path.of("").toAbsolutePath().getParent();
    Path claude = root.resolve("sandbox-gateway/claude-code");
    // The build context holds exactly what the Dockerfile copies (its .dockerignore says the same).
    new ImageFromDockerfile(SANDBOX_IMAGE, false)
        .withFileFromPath("Dockerfile", root.resolve("k8s/images/Dockerfile.sandbox"))
        .withFileFromPath(
            "sandbox-gateway/claude-code/package.json", claude.resolve("package.json"))
        .withFileFromPath(
            "sandbox-gateway/claude-code/package-lock.json", claude.resolve("package-lock.json"))
        .get();

    K3sContainer k3s = new K3sContainer(K3S);
    k3s.start();
    Path archive = work.resolve("sandbox-image.tar");
    try (InputStream saved = DockerClientFactory.lazyClient().saveImageCmd(SANDBOX_IMAGE).exec()) {
      Files.copy(saved, archive, StandardCopyOption.REPLACE_EXISTING);
    }
    k3s.copyFileToContainer(MountableFile.forHostPath(archive), "/tmp/sandbox-image.tar");
    ExecResult imported =
        k3s.execInContainer(
            "k3s", "ctr", "--namespace", "k8s.io", "images", "import", "/tmp/sandbox-image.tar");
    assertThat(imported.getExitCode()).as(imported.getStderr()).isZero();

    var client =
        new KubernetesClientBuilder()
            .withConfig(Config.fromKubeconfig(k3s.getKubeConfigYaml()))
            .build();
    client
        .namespaces()
        .resource(
            new NamespaceBuilder().withNewMetadata().withName(NAMESPACE).endMetadata().build())
        .create();
    Path archives = Files.createDirectories(work.resolve("archives"));
    // The image exists only in the node's containerd: never pull it.
    connect(
        client,
        NAMESPACE,
        archives,
        Map.of(
            "gateway.kubernetes.image", "docker.io/" + SANDBOX_IMAGE,
            "gateway.kubernetes.image-pull-policy", "Never",
            "gateway.kubernetes.start-timeout", "3m"),
        k3s);
  }
}
