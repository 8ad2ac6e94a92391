package dev.remoteclaude.gateway.provider.kubernetes;

import dev.remoteclaude.gateway.config.GatewayConfig;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.LabelSelectorBuilder;
import io.fabric8.kubernetes.api.model.ObjectMetaBuilder;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaimBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.ResourceRequirements;
import io.fabric8.kubernetes.api.model.ResourceRequirementsBuilder;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.api.model.SecretBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeer;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPeerBuilder;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyPortBuilder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a sandbox is made of in Kubernetes, all labelled {@value #SANDBOX_LABEL}={@code <id>} and
 * {@value #MANAGED_BY}={@value #US}, all owned by the sandbox's PersistentVolumeClaim (deleting it
 * takes the rest with it):
 *
 * <ul>
 *   <li>the claim {@code <id>-data}: the workspace and home, kept while the sandbox is paused;
 *   <li>the Secret {@code <id>-env}: the sandbox's environment, given to the container through
 *       {@code envFrom} (never on a command line);
 *   <li>the NetworkPolicy {@code <id>}: no ingress; egress to DNS and to the internet only;
 *   <li>the Pod {@code <id>}: one container, non-root, no privilege escalation, no capabilities,
 *       seccomp RuntimeDefault, no service account token, resource limits, the claim at {@value
 *       #MOUNT} ({@code workspace/} and {@code home/}), a small /tmp.
 * </ul>
 */
final class SandboxResources {

  static final String SANDBOX_LABEL = "remote-claude.dev/sandbox";
  static final String SESSION_LABEL = "remote-claude.dev/session";
  static final String MANAGED_BY = "app.kubernetes.io/managed-by";
  static final String US = "remote-claude";
  static final String CONTAINER = "sandbox";
  static final String MOUNT = "/sandbox";
  static final String WORKSPACE = MOUNT + "/workspace";
  static final String HOME = MOUNT + "/home";

  private final GatewayConfig.Kubernetes config;

  SandboxResources(GatewayConfig.Kubernetes config) {
    this.config = config;
  }

  static String podName(String id) {
    return id;
  }

  static String claimName(String id) {
    return id + "-data";
  }

  static String secretName(String id) {
    return id + "-env";
  }

  static String policyName(String id) {
    return id;
  }

  static Map<String, String> labels(String id) {
    Map<String, String> labels = new LinkedHashMap<>();
    labels.put(SANDBOX_LABEL, id);
    labels.put(MANAGED_BY, US);
    return labels;
  }

  private ObjectMetaBuilder meta(String name, String id, String sessionId) {
    Map<String, String> labels = labels(id);
    if (sessionId != null && sessionId.matches("[A-Za-z0-9._-]{1,63}")) {
      labels.put(SESSION_LABEL, sessionId);
    }
    return new ObjectMetaBuilder()
        .withName(name)
        .withNamespace(config.namespace())
        .withLabels(labels);
  }

  /** The volume; restored from a VolumeSnapshot when one is named. */
  PersistentVolumeClaim claim(String id, String sessionId, Optional<String> volumeSnapshot) {
    PersistentVolumeClaimBuilder claim =
        new PersistentVolumeClaimBuilder()
            .withMetadata(meta(claimName(id), id, sessionId).build())
            .withNewSpec()
            .withAccessModes("ReadWriteOnce")
            .withStorageClassName(config.storageClassName().orElse(null))
            .withNewResources()
            .addToRequests("storage", new Quantity(config.storage()))
            .endResources()
            .endSpec();
    volumeSnapshot.ifPresent(
        name ->
            claim
                .editSpec()
                .withNewDataSource()
                .withApiGroup(VolumeSnapshots.GROUP)
                .withKind(VolumeSnapshots.KIND)
                .withName(name)
                .endDataSource()
                .endSpec());
    return claim.build();
  }

  static OwnerReference ownedBy(HasMetadata owner) {
    return new OwnerReferenceBuilder()
        .withApiVersion(owner.getApiVersion())
        .withKind(owner.getKind())
        .withName(owner.getMetadata().getName())
        .withUid(owner.getMetadata().getUid())
        .withBlockOwnerDeletion(true)
        .build();
  }

  Secret environment(String id, String sessionId, Map<String, String> env, HasMetadata owner) {
    Map<String, String> data = new LinkedHashMap<>();
    env.forEach((k, v) -> data.put(k, v));
    return new SecretBuilder()
        .withMetadata(
            meta(secretName(id), id, sessionId).withOwnerReferences(ownedBy(owner)).build())
        .withType("Opaque")
        .withImmutable(true)
        .withStringData(data)
        .build();
  }

  /**
   * No ingress at all; egress to the cluster's DNS, to public addresses, and to the gateway's model
   * proxy (its pods, on the proxy's port) only.
   */
  NetworkPolicy policy(String id, String sessionId, HasMetadata owner) {
    NetworkPolicyPeer internet =
        new NetworkPolicyPeerBuilder()
            .withNewIpBlock()
            .withCidr("0.0.0.0/0")
            .withExcept(config.blockedEgress())
            .endIpBlock()
            .build();
    NetworkPolicyPeer dns =
        new NetworkPolicyPeerBuilder()
            .withNamespaceSelector(
                new LabelSelectorBuilder()
                    .addToMatchLabels("kubernetes.io/metadata.name", "kube-system")
                    .build())
            .withPodSelector(
                new LabelSelectorBuilder().addToMatchLabels("k8s-app", "kube-dns").build())
            .build();
    return new NetworkPolicyBuilder()
        .withMetadata(
            meta(policyName(id), id, sessionId).withOwnerReferences(ownedBy(owner)).build())
        .withNewSpec()
        .withPodSelector(new LabelSelectorBuilder().addToMatchLabels(SANDBOX_LABEL, id).build())
        .withPolicyTypes("Ingress", "Egress")
        .withIngress(List.of())
        .addNewEgress()
        .withTo(dns)
        .withPorts(
            new NetworkPolicyPortBuilder()
                .withProtocol("UDP")
                .withPort(new IntOrString(53))
                .build(),
            new NetworkPolicyPortBuilder()
                .withProtocol("TCP")
                .withPort(new IntOrString(53))
                .build())
        .endEgress()
        .addNewEgress()
        .withTo(internet)
        .endEgress()
        .addAllToEgress(
            config
                .gatewayNamespace()
                .map(
                    namespace ->
                        List.of(
                            new io.fabric8.kubernetes.api.model.networking.v1
                                    .NetworkPolicyEgressRuleBuilder()
                                .withTo(
                                    new NetworkPolicyPeerBuilder()
                                        .withNamespaceSelector(
                                            new LabelSelectorBuilder()
                                                .addToMatchLabels(
                                                    "kubernetes.io/metadata.name", namespace)
                                                .build())
                                        .withPodSelector(
                                            new LabelSelectorBuilder()
                                                .addToMatchLabels(
                                                    "app.kubernetes.io/name", "sandbox-gateway")
                                                .build())
                                        .build())
                                .withPorts(
                                    new NetworkPolicyPortBuilder()
                                        .withProtocol("TCP")
                                        .withPort(new IntOrString(config.modelProxyPort()))
                                        .build())
                                .build()))
                .orElse(List.of()))
        .endSpec()
        .build();
  }

  ResourceRequirements resources(int cpus, int memoryMb) {
    String cpuLimit = cpus > 0 ? String.valueOf(cpus) : config.cpuLimit();
    String memoryLimit = memoryMb > 0 ? memoryMb + "Mi" : config.memoryLimit();
    Quantity cpuRequest = smaller(new Quantity(config.cpuRequest()), new Quantity(cpuLimit));
    Quantity memoryRequest =
        smaller(new Quantity(config.memoryRequest()), new Quantity(memoryLimit));
    return new ResourceRequirementsBuilder()
        .addToRequests("cpu", cpuRequest)
        .addToRequests("memory", memoryRequest)
        .addToRequests("ephemeral-storage", new Quantity("100Mi"))
        .addToLimits("cpu", new Quantity(cpuLimit))
        .addToLimits("memory", new Quantity(memoryLimit))
        .addToLimits("ephemeral-storage", new Quantity(config.tmpSize()))
        .build();
  }

  private static Quantity smaller(Quantity a, Quantity b) {
    return Quantity.getAmountInBytes(a).compareTo(Quantity.getAmountInBytes(b)) <= 0 ? a : b;
  }

  /** The pod of a running sandbox (created again on resume, on the same claim). */
  Pod pod(
      String id,
      String sessionId,
      boolean withEnvironment,
      ResourceRequirements resources,
      HasMetadata owner) {
    PodBuilder pod =
        new PodBuilder()
            .withMetadata(
                meta(podName(id), id, sessionId).withOwnerReferences(ownedBy(owner)).build())
            .withNewSpec()
            .withRuntimeClassName(config.runtimeClassName().orElse(null))
            .withAutomountServiceAccountToken(false)
            .withEnableServiceLinks(false)
            .withHostname("sandbox")
            .withRestartPolicy("Always")
            .withTerminationGracePeriodSeconds(5L)
            .withNewSecurityContext()
            .withRunAsNonRoot(true)
            .withRunAsUser(config.uid())
            .withRunAsGroup(config.uid())
            .withFsGroup(config.uid())
            .withFsGroupChangePolicy("OnRootMismatch")
            .withNewSeccompProfile()
            .withType("RuntimeDefault")
            .endSeccompProfile()
            .endSecurityContext()
            .addNewContainer()
            .withName(CONTAINER)
            .withImage(config.image())
            .withImagePullPolicy(config.imagePullPolicy())
            // Waits for exec'd processes; ends at once when the pod is deleted.
            .withCommand(
                "/bin/sh", "-c", "trap 'exit 0' TERM; while :; do sleep 3600 & wait $!; done")
            .withWorkingDir(MOUNT)
            .withEnv(
                new EnvVar("HOME", HOME, null),
                new EnvVar("USER", "sandbox", null),
                new EnvVar("LANG", "C.UTF-8", null),
                // Claude Code refuses to skip permissions unless told it is in a sandbox.
                new EnvVar("IS_SANDBOX", "1", null))
            .withResources(resources)
            .withNewSecurityContext()
            .withRunAsNonRoot(true)
            .withRunAsUser(config.uid())
            .withAllowPrivilegeEscalation(false)
            .withPrivileged(false)
            .withReadOnlyRootFilesystem(true)
            .withNewCapabilities()
            .withDrop("ALL")
            .endCapabilities()
            .withNewSeccompProfile()
            .withType("RuntimeDefault")
            .endSeccompProfile()
            .endSecurityContext()
            .addNewVolumeMount()
            .withName("data")
            .withMountPath(MOUNT)
            .endVolumeMount()
            .addNewVolumeMount()
            .withName("tmp")
            .withMountPath("/tmp")
            .endVolumeMount()
            .endContainer()
            .addNewVolume()
            .withName("data")
            .withNewPersistentVolumeClaim()
            .withClaimName(claimName(id))
            .endPersistentVolumeClaim()
            .endVolume()
            .addNewVolume()
            .withName("tmp")
            .withNewEmptyDir()
            .withSizeLimit(new Quantity(config.tmpSize()))
            .endEmptyDir()
            .endVolume()
            .endSpec();
    if (withEnvironment) {
      pod.editSpec()
          .editFirstContainer()
          .addNewEnvFrom()
          .withNewSecretRef()
          .withName(secretName(id))
          .withOptional(false)
          .endSecretRef()
          .endEnvFrom()
          .endContainer()
          .endSpec();
    }
    return pod.build();
  }

  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
