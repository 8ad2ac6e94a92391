package dev.remoteclaude.gateway.provider.kubernetes;

import static org.assertj.core.api.Assertions.assertThat;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.PersistentVolumeClaim;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicy;
import io.fabric8.kubernetes.api.model.networking.v1.NetworkPolicyEgressRule;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.List;

/** Isolation of a kubernetes sandbox, asserted on the resources the provider made. */
final class SandboxIsolation {
  private SandboxIsolation() {}

  static final List<String> BLOCKED =
      List.of("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "169.254.0.0/16", "100.64.0.0/10");

  static void assertIsolated(KubernetesClient client, String namespace, String id) {
    Pod pod = client.pods().inNamespace(namespace).withName(id).get();
    assertThat(pod).as("the sandbox's pod").isNotNull();
    assertThat(pod.getMetadata().getNamespace()).isEqualTo(namespace);
    assertThat(pod.getMetadata().getLabels())
        .containsEntry("remote-claude.dev/sandbox", id)
        .containsEntry("app.kubernetes.io/managed-by", "remote-claude");
    var spec = pod.getSpec();
    assertThat(spec.getAutomountServiceAccountToken()).isFalse();
    assertThat(spec.getEnableServiceLinks()).isFalse();
    assertThat(spec.getHostNetwork()).isNotEqualTo(Boolean.TRUE);
    assertThat(spec.getHostPID()).isNotEqualTo(Boolean.TRUE);
    assertThat(spec.getHostIPC()).isNotEqualTo(Boolean.TRUE);
    assertThat(spec.getSecurityContext().getRunAsNonRoot()).isTrue();
    assertThat(spec.getSecurityContext().getRunAsUser()).isPositive();
    assertThat(spec.getSecurityContext().getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(spec.getVolumes())
        .as("no host paths, only the claim and an emptyDir")
        .allSatisfy(v -> assertThat(v.getHostPath()).isNull());
    assertThat(spec.getContainers()).hasSize(1);
    Container container = spec.getContainers().get(0);
    var security = container.getSecurityContext();
    assertThat(security.getAllowPrivilegeEscalation()).isFalse();
    assertThat(security.getPrivileged()).isFalse();
    assertThat(security.getRunAsNonRoot()).isTrue();
    assertThat(security.getCapabilities().getDrop()).containsExactly("ALL");
    assertThat(security.getCapabilities().getAdd()).isNullOrEmpty();
    assertThat(security.getSeccompProfile().getType()).isEqualTo("RuntimeDefault");
    assertThat(container.getResources().getLimits()).containsKeys("cpu", "memory");
    assertThat(container.getResources().getRequests()).containsKeys("cpu", "memory");
    assertThat(container.getEnv())
        .as("no secret values in the pod spec (they come from a Secret)")
        .allSatisfy(e -> assertThat(e.getName()).isIn("HOME", "USER", "LANG", "IS_SANDBOX"));

    PersistentVolumeClaim claim =
        client.persistentVolumeClaims().inNamespace(namespace).withName(id + "-data").get();
    assertThat(pod.getMetadata().getOwnerReferences())
        .singleElement()
        .satisfies(
            owner -> {
              assertThat(owner.getKind()).isEqualTo("PersistentVolumeClaim");
              assertThat(owner.getName()).isEqualTo(claim.getMetadata().getName());
              assertThat(owner.getUid()).isEqualTo(claim.getMetadata().getUid());
            });

    NetworkPolicy policy =
        client.network().v1().networkPolicies().inNamespace(namespace).withName(id).get();
    assertThat(policy).as("the sandbox's network policy").isNotNull();
    assertThat(policy.getSpec().getPodSelector().getMatchLabels())
        .containsEntry("remote-claude.dev/sandbox", id);
    assertThat(policy.getSpec().getPolicyTypes()).containsExactlyInAnyOrder("Ingress", "Egress");
    assertThat(policy.getSpec().getIngress()).as("no ingress at all").isEmpty();
    List<NetworkPolicyEgressRule> egress = policy.getSpec().getEgress();
    assertThat(egress).hasSizeBetween(2, 3);
    assertThat(egress.get(0).getTo().get(0).getNamespaceSelector().getMatchLabels())
        .containsEntry("kubernetes.io/metadata.name", "kube-system");
    assertThat(egress.get(0).getPorts())
        .allSatisfy(port -> assertThat(port.getPort().getIntVal()).isEqualTo(53));
    assertThat(egress.get(1).getPorts()).isNullOrEmpty();
    var internet = egress.get(1).getTo().get(0).getIpBlock();
    assertThat(internet.getCidr()).isEqualTo("0.0.0.0/0");
    assertThat(internet.getExcept()).containsExactlyInAnyOrderElementsOf(BLOCKED);
    if (egress.size() == 3) {
      // The model proxy: the gateway's pods, on its port alone.
      var proxy = egress.get(2);
      assertThat(proxy.getTo()).hasSize(1);
      assertThat(proxy.getTo().get(0).getPodSelector().getMatchLabels())
          .containsExactly(java.util.Map.entry("app.kubernetes.io/name", "sandbox-gateway"));
      assertThat(proxy.getTo().get(0).getNamespaceSelector().getMatchLabels())
          .containsOnlyKeys("kubernetes.io/metadata.name");
      assertThat(proxy.getPorts()).hasSize(1);
      assertThat(proxy.getPorts().get(0).getPort().getIntVal()).isEqualTo(8095);
    }
  }
}
