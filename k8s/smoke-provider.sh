#!/usr/bin/env bash
# Runs the sandbox provider contract (SandboxProviderContract) with the kubernetes provider against
# a REAL cluster: creates, execs, pauses, resumes, snapshots and terminates sandboxes there.
#
#   RC_TEST_KUBE_CONTEXT=kind-rc k8s/smoke-provider.sh
#
# Needs: a kubeconfig (KUBECONFIG or ~/.kube/config) whose context RC_TEST_KUBE_CONTEXT may manage
# pods, pods/exec, persistentvolumeclaims, secrets and networkpolicies in the sandboxes' namespace
# (the Role of k8s/base/sandboxes does exactly that), the namespace itself, and the sandbox image
# (k8s/images/build-bases.sh or Dockerfile.sandbox) pullable by the cluster. Optional settings:
#   RC_TEST_KUBE_NAMESPACE   default remote-claude-sandboxes
#   RC_TEST_SANDBOX_IMAGE    default remote-claude/sandbox:dev (kind load docker-image ...)
#   RC_TEST_RUNTIME_CLASS    e.g. gvisor
#   RC_TEST_STORAGE_CLASS    the claims' StorageClass (default: the cluster's)
# Without RC_TEST_KUBE_CONTEXT the test is skipped (it is the only test of the suite that is).
set -euo pipefail

if [ -z "${RC_TEST_KUBE_CONTEXT:-}" ]; then
  echo "smoke-provider.sh: set RC_TEST_KUBE_CONTEXT to the kubeconfig context of the cluster" >&2
  exit 2
fi
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here/.."
export JAVA_HOME="${RC_JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export PATH="$JAVA_HOME/bin:$PATH"
exec ./mvnw -B verify -pl sandbox-gateway -am \
  -Dsurefire.failIfNoSpecifiedTests=false \
  -Dtest=KubernetesClusterContractTest
