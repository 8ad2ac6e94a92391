package dev.remoteclaude.gateway.provider.kubernetes;

import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceBuilder;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.dsl.MixedOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.ResourceDefinitionContext;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * CSI volume snapshots ({@code snapshot.k8s.io/v1 VolumeSnapshot}) through fabric8's generic
 * resource API (no discovery call: the resource is named in full). A snapshot is not owned by its
 * sandbox: it outlives it, and a new sandbox's claim is restored from it ({@code dataSource}).
 */
final class VolumeSnapshots {

  static final String GROUP = "snapshot.k8s.io";
  static final String KIND = "VolumeSnapshot";
  static final ResourceDefinitionContext CONTEXT =
      new ResourceDefinitionContext.Builder()
          .withGroup(GROUP)
          .withVersion("v1")
          .withKind(KIND)
          .withPlural("volumesnapshots")
          .withNamespaced(true)
          .build();

  /** Labels a snapshot with the sandbox it was taken of (not the sandbox label: it outlives it). */
  static final String SNAPSHOT_OF = "remote-claude.dev/snapshot-of";

  private VolumeSnapshots() {}

  static MixedOperation<
          GenericKubernetesResource,
          GenericKubernetesResourceList,
          Resource<GenericKubernetesResource>>
      in(KubernetesClient client) {
    return client.genericKubernetesResources(CONTEXT);
  }

  static GenericKubernetesResource of(
      String name, String namespace, String sandboxId, String claim, Optional<String> className) {
    Map<String, Object> source = new LinkedHashMap<>();
    source.put("persistentVolumeClaimName", claim);
    Map<String, Object> spec = new LinkedHashMap<>();
    className.ifPresent(c -> spec.put("volumeSnapshotClassName", c));
    spec.put("source", source);
    return new GenericKubernetesResourceBuilder()
        .withApiVersion(GROUP + "/v1")
        .withKind(KIND)
        .withNewMetadata()
        .withName(name)
        .withNamespace(namespace)
        .addToLabels(SandboxResources.MANAGED_BY, SandboxResources.US)
        .addToLabels(SNAPSHOT_OF, sandboxId)
        .endMetadata()
        .withAdditionalProperties(Map.of("spec", spec))
        .build();
  }
}
