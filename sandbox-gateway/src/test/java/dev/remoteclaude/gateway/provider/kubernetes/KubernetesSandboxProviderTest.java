package dev.remoteclaude.gateway.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.remoteclaude.gateway.provider.ExecRequest;
import dev.remoteclaude.gateway.provider.ExecResult;
import dev.remoteclaude.gateway.provider.ProviderConfigs;
import dev.remoteclaude.gateway.provider.ProviderException;
import dev.remoteclaude.gateway.provider.SandboxSpec;
import dev.remoteclaude.gateway.provider.SandboxStatus;
import dev.remoteclaude.gateway.provider.Snapshot;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What the kubernetes provider does in Kubernetes terms, beyond the provider contract. */
class KubernetesSandboxProviderTest {

  static final String NAMESPACE = "rc-sandboxes-k";
  static final Duration CALL = Duration.ofMinutes(1);
  @TempDir static Path root;
  static EmulatedCluster cluster;
  static KubernetesClient client;

  @BeforeAll
  static void start() {
    cluster = new EmulatedCluster(root.resolve("cluster"));
    client = cluster.client();
  }

  @AfterAll
  static void stop() {
    cluster.close();
  }

  static KubernetesSandboxProvider provider(Map<String, String> settings) {
    Map<String, String> all = new HashMap<>();
    all.put("gateway.kubernetes.enabled", "true");
    all.put("gateway.kubernetes.namespace", NAMESPACE);
    all.put("gateway.kubernetes.archive-dir", root.resolve("archives").toString());
    all.put("gateway.kubernetes.start-timeout", "20s");
    all.putAll(settings);
    return new KubernetesSandboxProvider(ProviderConfigs.gateway(all), client);
  }

  static String create(KubernetesSandboxProvider provider, SandboxSpec spec) {
    return provider.create(spec).await().atMost(Duration.ofMinutes(2));
  }

  static SandboxSpec spec(Map<String, String> env, int cpus, int memoryMb) {
    return new SandboxSpec(
        UUID.randomUUID().toString(),
        Optional.empty(),
        env,
        cpus,
        memoryMb,
        Duration.ofHours(1),
        Optional.empty());
  }

  @Test
  void environmentValuesReachProcessesButNeverACommandLineOrThePodSpec() {
    KubernetesSandboxProvider provider = provider(Map.of());
    String sandboxSecret = "sandbox-" + UUID.randomUUID();
    String execSecret = "exec-" + UUID.randomUUID();
    String id = create(provider, spec(Map.of("RC_SANDBOX_TOKEN", sandboxSecret), 0, 0));
    try {
      ExecResult result =
          ExecResult.collect(
                  provider
                      .exec(
                          id,
                          ExecRequest.of(
                                  List.of(
                                      "sh",
                                      "-c",
                                      "printf '%s %s' \"$RC_SANDBOX_TOKEN\" \"$RC_EXEC\""),
                                  Duration.ofSeconds(30))
                              .withEnv(Map.of("RC_EXEC", execSecret)))
                      .await()
                      .atMost(CALL))
              .await()
              .atMost(CALL);
      assertThat(result.stdout()).isEqualTo(sandboxSecret + " " + execSecret);
      assertThat(cluster.execRequests())
          .isNotEmpty()
          .noneMatch(q -> q.contains(execSecret) || q.contains(sandboxSecret));
      Pod pod = client.pods().inNamespace(NAMESPACE).withName(id).get();
      assertThat(client.getKubernetesSerialization().asJson(pod)).doesNotContain(sandboxSecret);
      assertThat(pod.getSpec().getContainers().get(0).getEnvFrom().get(0).getSecretRef().getName())
          .isEqualTo(id + "-env");
      Secret secret = client.secrets().inNamespace(NAMESPACE).withName(id + "-env").get();
      assertThat(secret.getMetadata().getOwnerReferences().get(0).getName())
          .isEqualTo(id + "-data");
      assertThatThrownBy(
              () ->
                  provider
                      .exec(
                          id,
                          ExecRequest.of(List.of("true"), Duration.ofSeconds(5))
                              .withEnv(Map.of("NOT A NAME", "x")))
                      .await()
                      .atMost(CALL))
          .isInstanceOfSatisfying(
              ProviderException.class,
              e -> assertThat(e.kind()).isEqualTo(ProviderException.Kind.INVALID));
    } finally {
      provider.terminate(id).await().atMost(CALL);
    }
  }

  @Test
  void aSandboxMayReachTheGatewaysModelProxyAndNothingElseOfTheCluster() {
    KubernetesSandboxProvider withProxy =
        provider(Map.of("gateway.kubernetes.gateway-namespace", "remote-claude"));
    String id = create(withProxy, spec(Map.of(), 0, 0));
    try {
      SandboxIsolation.assertIsolated(client, NAMESPACE, id);
      var egress =
          client
              .network()
              .v1()
              .networkPolicies()
              .inNamespace(NAMESPACE)
              .withName(id)
              .get()
              .getSpec()
              .getEgress();
      assertThat(egress).hasSize(3);
      assertThat(egress.get(2).getTo().get(0).getNamespaceSelector().getMatchLabels())
          .containsEntry("kubernetes.io/metadata.name", "remote-claude");
    } finally {
      withProxy.terminate(id).await().atMost(Duration.ofMinutes(1));
    }
  }

  @Test
  void pauseDeletesThePodKeepsTheClaimAndTerminateDeletesEverything() {
    KubernetesSandboxProvider provider = provider(Map.of());
    String id = create(provider, spec(Map.of("A", "b"), 0, 0));
    provider.pause(id).await().atMost(CALL);
    assertThat(client.pods().inNamespace(NAMESPACE).withName(id).get()).isNull();
    assertThat(client.persistentVolumeClaims().inNamespace(NAMESPACE).withName(id + "-data").get())
        .isNotNull();
    provider.resume(id).await().atMost(CALL);
    Pod pod = client.pods().inNamespace(NAMESPACE).withName(id).get();
    assertThat(pod.getSpec().getVolumes().get(0).getPersistentVolumeClaim().getClaimName())
        .isEqualTo(id + "-data");
    provider.terminate(id).await().atMost(CALL);
    assertThat(
            client
                .pods()
                .inNamespace(NAMESPACE)
                .withLabel("remote-claude.dev/sandbox", id)
                .list()
                .getItems())
        .isEmpty();
    assertThat(
            client
                .persistentVolumeClaims()
                .inNamespace(NAMESPACE)
                .withLabel("remote-claude.dev/sandbox", id)
                .list()
                .getItems())
        .isEmpty();
    assertThat(
            client
                .secrets()
                .inNamespace(NAMESPACE)
                .withLabel("remote-claude.dev/sandbox", id)
                .list()
                .getItems())
        .isEmpty();
    assertThat(
            client
                .network()
                .v1()
                .networkPolicies()
                .inNamespace(NAMESPACE)
                .withLabel("remote-claude.dev/sandbox", id)
                .list()
                .getItems())
        .isEmpty();
    assertThat(provider.status(id).await().atMost(CALL)).isEqualTo(SandboxStatus.MISSING);
  }

  @Test
  void thePodTemplateFollowsTheConfigurationAndTheSpec() {
    KubernetesSandboxProvider provider =
        provider(
            Map.of(
                "gateway.kubernetes.runtime-class-name", "gvisor",
                "gateway.kubernetes.image", "registry.example.com/rc/sandbox:1",
                "gateway.kubernetes.storage-class-name", "fast",
                "gateway.kubernetes.storage", "3Gi"));
    String id = create(provider, spec(Map.of(), 3, 1536));
    try {
      Pod pod = client.pods().inNamespace(NAMESPACE).withName(id).get();
      assertThat(pod.getSpec().getRuntimeClassName()).isEqualTo("gvisor");
      assertThat(pod.getSpec().getContainers().get(0).getImage())
          .isEqualTo("registry.example.com/rc/sandbox:1");
      assertThat(pod.getSpec().getContainers().get(0).getResources().getLimits())
          .containsEntry("cpu", new Quantity("3"))
          .containsEntry("memory", new Quantity("1536Mi"));
      PersistentVolumeClaim claim =
          client.persistentVolumeClaims().inNamespace(NAMESPACE).withName(id + "-data").get();
      assertThat(claim.getSpec().getStorageClassName()).isEqualTo("fast");
      assertThat(claim.getSpec().getResources().getRequests())
          .containsEntry("storage", new Quantity("3Gi"));
      // Resumed pods get the same limits (kept on the claim).
      provider.pause(id).await().atMost(CALL);
      provider.resume(id).await().atMost(CALL);
      assertThat(
              client
                  .pods()
                  .inNamespace(NAMESPACE)
                  .withName(id)
                  .get()
                  .getSpec()
                  .getContainers()
                  .get(0)
                  .getResources()
                  .getLimits())
          .containsEntry("cpu", new Quantity("3"));
      SandboxIsolation.assertIsolated(client, NAMESPACE, id);
    } finally {
      provider.terminate(id).await().atMost(CALL);
    }
  }

  @Test
  void volumeSnapshotsSnapshotTheClaimAndRestoreIntoANewClaim() {
    KubernetesSandboxProvider provider =
        provider(
            Map.of(
                "gateway.kubernetes.snapshots", "volume-snapshot",
                "gateway.kubernetes.volume-snapshot-class", "csi-snapclass"));
    String id = create(provider, spec(Map.of(), 0, 0));
    try {
      String snapshot = provider.snapshot(id).await().atMost(CALL).id();
      assertThat(snapshot).startsWith("kvs-");
      GenericKubernetesResource taken =
          VolumeSnapshots.in(client).inNamespace(NAMESPACE).withName(snapshot).get();
      assertThat(taken.getMetadata().getLabels())
          .containsEntry(VolumeSnapshots.SNAPSHOT_OF, id)
          .doesNotContainKey("remote-claude.dev/sandbox");
      @SuppressWarnings("unchecked")
      Map<String, Object> spec = (Map<String, Object>) taken.getAdditionalProperties().get("spec");
      assertThat(spec)
          .containsEntry("volumeSnapshotClassName", "csi-snapclass")
          .containsEntry("source", Map.of("persistentVolumeClaimName", id + "-data"));

      String restored =
          provider
              .create(
                  new SandboxSpec(
                      UUID.randomUUID().toString(),
                      Optional.empty(),
                      Map.of(),
                      0,
                      0,
                      Duration.ofHours(1),
                      Optional.of(snapshot)))
              .await()
              .atMost(CALL);
      try {
        var source =
            client
                .persistentVolumeClaims()
                .inNamespace(NAMESPACE)
                .withName(restored + "-data")
                .get()
                .getSpec()
                .getDataSource();
        assertThat(source.getKind()).isEqualTo("VolumeSnapshot");
        assertThat(source.getApiGroup()).isEqualTo("snapshot.k8s.io");
        assertThat(source.getName()).isEqualTo(snapshot);
      } finally {
        provider.terminate(restored).await().atMost(CALL);
      }
      assertThatThrownBy(
              () ->
                  provider
                      .create(
                          new SandboxSpec(
                              "s",
                              Optional.empty(),
                              Map.of(),
                              0,
                              0,
                              Duration.ofHours(1),
                              Optional.of("kvs-" + UUID.randomUUID())))
                      .await()
                      .atMost(CALL))
          .isInstanceOfSatisfying(
              ProviderException.class,
              e -> assertThat(e.kind()).isEqualTo(ProviderException.Kind.NOT_FOUND));
    } finally {
      provider.terminate(id).await().atMost(CALL);
    }
  }

  @Test
  void aSandboxWhosePodNeverStartsFailsAsUnavailableAndLeavesNothingBehind() {
    cluster.neverStartPodsIn("stuck");
    KubernetesSandboxProvider provider =
        provider(
            Map.of(
                "gateway.kubernetes.namespace", "stuck",
                "gateway.kubernetes.start-timeout", "1s"));
    assertThatThrownBy(() -> create(provider, spec(Map.of("A", "b"), 0, 0)))
        .isInstanceOfSatisfying(
            ProviderException.class,
            e -> assertThat(e.kind()).isEqualTo(ProviderException.Kind.UNAVAILABLE));
    assertThat(client.persistentVolumeClaims().inNamespace("stuck").list().getItems()).isEmpty();
    assertThat(client.pods().inNamespace("stuck").list().getItems()).isEmpty();
    assertThat(client.secrets().inNamespace("stuck").list().getItems()).isEmpty();
    assertThat(client.network().v1().networkPolicies().inNamespace("stuck").list().getItems())
        .isEmpty();
  }

  @Test
  void extendingTheTtlMovesTheExpiryOnTheClaim() {
    KubernetesSandboxProvider provider = provider(Map.of());
    String id = create(provider, spec(Map.of(), 0, 0));
    try {
      provider.extendTtl(id, Duration.ofDays(3)).await().atMost(CALL);
      String expiresAt =
          client
              .persistentVolumeClaims()
              .inNamespace(NAMESPACE)
              .withName(id + "-data")
              .get()
              .getMetadata()
              .getAnnotations()
              .get("remote-claude.dev/expires-at");
      assertThat(java.time.Instant.parse(expiresAt))
          .isAfter(java.time.Instant.now().plus(Duration.ofDays(2)));
      assertThatThrownBy(
              () ->
                  provider
                      .extendTtl("ksb-" + UUID.randomUUID(), Duration.ofDays(1))
                      .await()
                      .atMost(CALL))
          .isInstanceOfSatisfying(
              ProviderException.class,
              e -> assertThat(e.kind()).isEqualTo(ProviderException.Kind.NOT_FOUND));
    } finally {
      provider.terminate(id).await().atMost(CALL);
    }
  }

  // --- snapshot deletion and size -------------------------------------------------------------

  @Test
  void deletingAVolumeSnapshotRemovesItFromTheClusterAndIsIdempotent() {
    KubernetesSandboxProvider provider =
        provider(Map.of("gateway.kubernetes.snapshots", "volume-snapshot"));
    String id = create(provider, spec(Map.of(), 0, 0));
    try {
      Snapshot snapshot = provider.snapshot(id).await().atMost(CALL);
      assertThat(snapshot.sizeBytes()).as("bounded by the claim, not measured").isEmpty();
      assertThat(VolumeSnapshots.in(client).inNamespace(NAMESPACE).withName(snapshot.id()).get())
          .isNotNull();

      provider.deleteSnapshot(snapshot.id()).await().atMost(CALL);
      assertThat(VolumeSnapshots.in(client).inNamespace(NAMESPACE).withName(snapshot.id()).get())
          .isNull();
      provider.deleteSnapshot(snapshot.id()).await().atMost(CALL);
      provider.deleteSnapshot("kvs-" + UUID.randomUUID()).await().atMost(CALL);
    } finally {
      provider.terminate(id).await().atMost(CALL);
    }
  }

  @Test
  void deletingAnArchiveSnapshotRemovesTheFileAndRefusesIdsThatAreNotSnapshots() throws Exception {
    Path archives = root.resolve("archives-deleted");
    KubernetesSandboxProvider provider =
        provider(Map.of("gateway.kubernetes.archive-dir", archives.toString()));
    String id = create(provider, spec(Map.of(), 0, 0));
    try {
      Snapshot snapshot = provider.snapshot(id).await().atMost(CALL);
      Path file = archives.resolve(snapshot.id() + ".tar.gz");
      assertThat(file).exists();
      assertThat(snapshot.sizeBytes()).hasValue(Files.size(file));

      provider.deleteSnapshot(snapshot.id()).await().atMost(CALL);
      assertThat(file).doesNotExist();
      provider.deleteSnapshot(snapshot.id()).await().atMost(CALL);
      for (String notASnapshot : List.of("../../etc/passwd", "kar-x", "ksb-" + UUID.randomUUID())) {
        assertThatThrownBy(() -> provider.deleteSnapshot(notASnapshot).await().atMost(CALL))
            .isInstanceOfSatisfying(
                ProviderException.class,
                e -> assertThat(e.kind()).isEqualTo(ProviderException.Kind.INVALID));
      }
    } finally {
      provider.terminate(id).await().atMost(CALL);
    }
  }

  @Test
  void anArchiveLargerThanTheLimitFailsLeavesNoPartialFileAndKeepsTheEarlierOne() throws Exception {
    Path archives = root.resolve("archives-capped");
    KubernetesSandboxProvider provider =
        provider(
            Map.of(
                "gateway.kubernetes.archive-dir",
                archives.toString(),
                "gateway.snapshots.max-bytes",
                String.valueOf(1 << 20)));
    String id = create(provider, spec(Map.of(), 0, 0));
    try {
      String earlier = provider.snapshot(id).await().atMost(CALL).id();
      ExecResult written =
          ExecResult.collect(
                  provider
                      .exec(
                          id,
                          ExecRequest.of(
                              List.of("sh", "-c", "head -c 4194304 /dev/urandom > big.bin"),
                              Duration.ofSeconds(30)))
                      .await()
                      .atMost(CALL))
              .await()
              .atMost(CALL);
      assertThat(written.succeeded()).isTrue();

      assertThatThrownBy(() -> provider.snapshot(id).await().atMost(CALL))
          .isInstanceOfSatisfying(
              ProviderException.class,
              e -> {
                assertThat(e.kind()).isEqualTo(ProviderException.Kind.INVALID);
                assertThat(e.getMessage()).contains("larger than the limit of 1048576 bytes");
              });
      try (Stream<Path> files = Files.list(archives)) {
        assertThat(files.map(f -> f.getFileName().toString())).containsExactly(earlier + ".tar.gz");
      }
    } finally {
      provider.terminate(id).await().atMost(CALL);
    }
  }
}
