#!/usr/bin/env bash
# Checks the RENDERED overlays, without a cluster: renders k8s/overlays/dev and k8s/overlays/prod
# (kubectl kustomize, or kustomize build) and checks what would be applied, with python3 and
# PyYAML. It complements KubernetesManifestsTest (deploy/launcher, run by ./mvnw verify), which
# checks the sources against the code (routes, topics, Kafka ACLs, databases, secrets) and needs
# neither kubectl nor PyYAML.
#
#   k8s/check.sh            # both overlays
#   k8s/check.sh dev        # one
#
# Exit status 0: all checks passed; 1: a check failed; 2: a tool is missing.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
overlays=("$@")
[ ${#overlays[@]} -gt 0 ] || overlays=(dev prod)

if command -v kubectl >/dev/null 2>&1; then
  render=(kubectl kustomize)
elif command -v kustomize >/dev/null 2>&1; then
  render=(kustomize build)
else
  echo "check.sh: needs kubectl (kubectl kustomize) or kustomize" >&2
  exit 2
fi
if ! python3 -c 'import yaml' 2>/dev/null; then
  echo "check.sh: needs python3 with PyYAML (pip install pyyaml, or apt-get install python3-yaml)" >&2
  exit 2
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
status=0
for overlay in "${overlays[@]}"; do
  out="$work/$overlay.yaml"
  if ! "${render[@]}" "$here/overlays/$overlay" >"$out"; then
    echo "FAIL $overlay: does not render" >&2
    status=1
    continue
  fi
  python3 - "$overlay" "$out" <<'PYTHON' || status=1
import re
import sys

import yaml

overlay, path = sys.argv[1], sys.argv[2]
docs = [d for d in yaml.safe_load_all(open(path)) if d]
problems = []


def problem(msg):
    problems.append(msg)


def of(kind):
    return [d for d in docs if d["kind"] == kind]


def name(d):
    return d["metadata"]["name"]


def matches(selector, labels):
    return all(labels.get(k) == v for k, v in (selector or {}).items())


CLUSTER_SCOPED = {"Namespace"}
SECRETISH = re.compile(r"(?i)(PASSWORD|SECRET|TOKEN|API_?KEY|JAAS|PRIVATE|CREDENTIAL)")

# The platform's namespace, and the sandboxes' (base/sandboxes: the kubernetes provider's pods;
# only the gateway's Role and RoleBinding and the default-deny policy are rendered there).
SANDBOXES = "remote-claude-sandboxes"
SANDBOX_KINDS = {("Role", "sandbox-gateway"), ("RoleBinding", "sandbox-gateway"),
                 ("NetworkPolicy", "sandboxes-default-deny")}
namespaces = [name(d) for d in of("Namespace") if name(d) != SANDBOXES]
if len(namespaces) != 1:
    problem(f"expected one Namespace besides {SANDBOXES}, found {namespaces}")
if SANDBOXES not in [name(d) for d in of("Namespace")]:
    problem(f"the sandboxes' Namespace {SANDBOXES} is missing")
namespace = namespaces[0] if namespaces else None
for d in docs:
    if d["kind"] in CLUSTER_SCOPED:
        continue
    expected = SANDBOXES if (d["kind"], name(d)) in SANDBOX_KINDS else namespace
    if d["metadata"].get("namespace") != expected:
        problem(f"{d['kind']}/{name(d)}: namespace {d['metadata'].get('namespace')}, not {expected}")
for b in of("RoleBinding"):
    for s in b.get("subjects", []):
        if s.get("kind") == "ServiceAccount" and s.get("namespace") != namespace:
            problem(f"RoleBinding/{name(b)}: subject {s.get('name')} in {s.get('namespace')}, not {namespace}")

if of("Secret"):
    problem(f"Secrets are rendered (their values would be in git): {[name(s) for s in of('Secret')]}")

configmaps = {name(c): c for c in of("ConfigMap")}
for c in configmaps.values():
    for key in c.get("data", {}):
        if SECRETISH.search(key) and key != "RC_SECRETS_KEY_ID":
            problem(f"ConfigMap {name(c)}: {key} looks like a secret")

kafka_users = {name(u) for u in of("KafkaUser")}
kafka_clusters = {name(k) for k in of("Kafka")}
pg_clusters = {name(c): c for c in of("Cluster")}
managed_secrets = set()
for c in pg_clusters.values():
    for role in c["spec"].get("managed", {}).get("roles", []):
        if "passwordSecret" in role:
            managed_secrets.add(role["passwordSecret"]["name"])
# Secrets that exist outside git, and who makes them.
external = {"rc-secrets", "rc-anthropic", "rc-stripe", "rc-providers"} | managed_secrets | kafka_users
external |= {f"{k}-cluster-ca-cert" for k in kafka_clusters} | {f"{c}-ca" for c in pg_clusters}
if overlay == "prod":
    external.add("remote-claude-tls")

deployments = {name(d): d for d in of("Deployment")}
hpas = {h["spec"]["scaleTargetRef"]["name"]: h for h in of("HorizontalPodAutoscaler")}
pvcs = {name(p): p for p in of("PersistentVolumeClaim")}
accounts = {name(s) for s in of("ServiceAccount")}


def resources_ok(where, c):
    r = c.get("resources", {})
    for part in ("requests", "limits"):
        for res in ("cpu", "memory"):
            if res not in r.get(part, {}):
                problem(f"{where}: no {part}.{res}")


def container_security_ok(where, c):
    sc = c.get("securityContext", {})
    if sc.get("allowPrivilegeEscalation") is not False:
        problem(f"{where}: allowPrivilegeEscalation must be false")
    if sc.get("readOnlyRootFilesystem") is not True:
        problem(f"{where}: readOnlyRootFilesystem must be true")
    if sc.get("capabilities", {}).get("drop") != ["ALL"] or sc.get("capabilities", {}).get("add"):
        problem(f"{where}: capabilities must drop ALL and add none")
    if sc.get("privileged"):
        problem(f"{where}: privileged")


for dname, d in deployments.items():
    pod = d["spec"]["template"]["spec"]
    labels = d["spec"]["template"]["metadata"]["labels"]
    where = f"Deployment/{dname}"
    if not matches(d["spec"]["selector"]["matchLabels"], labels):
        problem(f"{where}: selector does not match its pod labels")
    # Only the gateway calls the Kubernetes API (its kubernetes provider); nobody else gets a token.
    wants_token = dname == "sandbox-gateway"
    if pod.get("automountServiceAccountToken") is not wants_token:
        problem(f"{where}: automountServiceAccountToken must be {str(wants_token).lower()}")
    if pod.get("enableServiceLinks") is not False:
        problem(f"{where}: enableServiceLinks must be false")
    if pod.get("serviceAccountName") not in accounts:
        problem(f"{where}: ServiceAccount {pod.get('serviceAccountName')} missing")
    psc = pod.get("securityContext", {})
    if psc.get("runAsNonRoot") is not True:
        problem(f"{where}: runAsNonRoot must be true")
    seccomp = psc.get("seccompProfile", {}).get("type")
    if seccomp != "RuntimeDefault":
        # Only the sandbox gateway, in its own user namespace, may lift seccomp (bubblewrap).
        if not (dname == "sandbox-gateway" and seccomp == "Unconfined" and pod.get("hostUsers") is False):
            problem(f"{where}: seccomp {seccomp} (RuntimeDefault required)")
    volumes = {v["name"]: v for v in pod.get("volumes", [])}
    for v in volumes.values():
        if "secret" in v and v["secret"]["secretName"] not in external:
            problem(f"{where}: volume from unknown Secret {v['secret']['secretName']}")
        if "persistentVolumeClaim" in v and v["persistentVolumeClaim"]["claimName"] not in pvcs:
            problem(f"{where}: PVC {v['persistentVolumeClaim']['claimName']} missing")
    for c in pod.get("initContainers", []) + pod["containers"]:
        cw = f"{where}/{c['name']}"
        container_security_ok(cw, c)
        resources_ok(cw, c)
        image = c["image"]
        if not re.search(r"(:[\w.-]+|@sha256:[0-9a-f]{64})$", image.split("/")[-1]) or image.endswith(":latest"):
            problem(f"{cw}: image {image} needs a fixed tag or digest")
        mounts = {m["mountPath"]: m["name"] for m in c.get("volumeMounts", [])}
        if "emptyDir" not in volumes.get(mounts.get("/tmp"), {}):
            problem(f"{cw}: /tmp must be an emptyDir (read-only root file system)")
        for m in c.get("volumeMounts", []):
            if m["name"] not in volumes:
                problem(f"{cw}: mounts unknown volume {m['name']}")
        for e in c.get("env", []):
            if "value" in e and SECRETISH.search(e["name"]):
                problem(f"{cw}: env {e['name']} has a literal value")
            ref = e.get("valueFrom", {}).get("secretKeyRef")
            if ref and ref["name"] not in external:
                problem(f"{cw}: env {e['name']} from unknown Secret {ref['name']}")
        for ef in c.get("envFrom", []):
            if "configMapRef" in ef and ef["configMapRef"]["name"] not in configmaps:
                problem(f"{cw}: ConfigMap {ef['configMapRef']['name']} missing")
            if "secretRef" in ef:
                problem(f"{cw}: envFrom a whole Secret; reference single keys")
    main = pod["containers"][0]
    ports = {p["name"]: p["containerPort"] for p in main.get("ports", [])}
    if "http" not in ports:
        problem(f"{where}: no port named http")
    # The JVM services (role "service") have Quarkus' health checks; the dashboard (static files,
    # nginx) a probe path of its own, which the Ingress does not route elsewhere.
    is_service = labels.get("remote-claude.dev/role") == "service"
    if is_service:
        probes = (("startupProbe", "/q/health/started"), ("readinessProbe", "/q/health/ready"),
                  ("livenessProbe", "/q/health/live"))
    else:
        probes = (("readinessProbe", None), ("livenessProbe", None))
    for probe, path in probes:
        get = main.get(probe, {}).get("httpGet", {})
        if (path is not None and get.get("path") != path) or not get.get("path") or get.get("port") != "http":
            problem(f"{where}: {probe} must GET {path or 'a path'} on port http")
    mem = main["resources"]
    if mem["requests"]["memory"] != mem["limits"]["memory"]:
        problem(f"{where}: memory request != limit (the JVM sizes itself from the limit)")

    # Replicas: HPA-owned in prod (the services; the dashboard's nginx keeps a fixed count), fixed
    # in dev.
    if overlay == "prod" and not is_service:
        if dname in hpas:
            problem(f"{where}: an HPA for a Deployment that is not a service")
        if d["spec"].get("replicas", 0) < 2:
            problem(f"{where}: prod runs at least two replicas")
    elif overlay == "prod":
        if dname not in hpas:
            problem(f"{where}: no HorizontalPodAutoscaler")
        if "replicas" in d["spec"]:
            problem(f"{where}: replicas set while an HPA owns them")
    else:
        if d["spec"].get("replicas") != 1:
            problem(f"{where}: dev runs one replica, found {d['spec'].get('replicas')}")

    # A sandbox volume that only one node can mount allows only one gateway, replaced not rolled.
    for v in volumes.values():
        claim = pvcs.get(v.get("persistentVolumeClaim", {}).get("claimName"))
        if claim and "ReadWriteMany" not in claim["spec"]["accessModes"]:
            if d["spec"].get("replicas", 0) != 1 or dname in hpas:
                problem(f"{where}: ReadWriteOnce volume {name(claim)} with more than one replica")
            if d["spec"].get("strategy", {}).get("type") != "Recreate":
                problem(f"{where}: ReadWriteOnce volume {name(claim)} needs strategy Recreate")

for h in hpas.values():
    if h["spec"]["scaleTargetRef"]["name"] not in deployments:
        problem(f"HPA {name(h)}: no such Deployment")
    if h["spec"]["minReplicas"] > h["spec"]["maxReplicas"]:
        problem(f"HPA {name(h)}: min > max")

for s in of("Service"):
    targets = [n for n, d in deployments.items() if matches(s["spec"]["selector"], d["spec"]["template"]["metadata"]["labels"])]
    if len(targets) != 1:
        problem(f"Service {name(s)}: selects {targets}")
    else:
        ports = {p["name"] for p in deployments[targets[0]]["spec"]["template"]["spec"]["containers"][0]["ports"]}
        for p in s["spec"]["ports"]:
            if isinstance(p["targetPort"], str) and p["targetPort"] not in ports:
                problem(f"Service {name(s)}: targetPort {p['targetPort']} not a container port")

for p in of("PodDisruptionBudget"):
    targets = [n for n, d in deployments.items() if matches(p["spec"]["selector"]["matchLabels"], d["spec"]["template"]["metadata"]["labels"])]
    if len(targets) != 1:
        problem(f"PodDisruptionBudget {name(p)}: selects {targets}")
if {p["spec"]["selector"]["matchLabels"].get("app.kubernetes.io/name") for p in of("PodDisruptionBudget")} != set(deployments):
    problem("not one PodDisruptionBudget per Deployment")

services = {name(s) for s in of("Service")}
hosts = set()
for i in of("Ingress"):
    for rule in i["spec"]["rules"]:
        hosts.add(rule["host"])
        for p in rule["http"]["paths"]:
            if p["backend"]["service"]["name"] not in services:
                problem(f"Ingress {name(i)}: backend {p['backend']['service']['name']} missing")
    if overlay == "prod" and not i["spec"].get("tls"):
        problem(f"Ingress {name(i)}: no TLS in prod")
if len(hosts) != 1:
    problem(f"Ingresses must share one host: {hosts}")

# The dashboard: the Ingress' "/" goes to it; its sign-in names the issuer the services trust, and
# its Content-Security-Policy lets the page fetch from that issuer.
root_backends = [p["backend"]["service"]["name"] for i in of("Ingress") for rule in i["spec"]["rules"]
                 for p in rule["http"]["paths"] if p["path"] == "/"]
if root_backends != ["dashboard"]:
    problem(f"Ingress: / must route to the dashboard alone, found {root_backends}")
platform_cm = next((c for n, c in configmaps.items() if n.startswith("rc-platform")), None)
dashboard_cm = next((c for n, c in configmaps.items() if n.startswith("dashboard-config")), None)
dashboard_env = next((c for n, c in configmaps.items() if n.startswith("dashboard-env")), None)
if not (platform_cm and dashboard_cm and dashboard_env):
    problem("ConfigMaps rc-platform, dashboard-config and dashboard-env are needed")
else:
    import json
    from urllib.parse import urlsplit
    try:
        settings = json.loads(dashboard_cm["data"]["config.json"])
    except (KeyError, ValueError) as e:
        settings = {}
        problem(f"dashboard-config: config.json is not JSON ({e})")
    issuer = platform_cm["data"].get("RC_AUTH_ISSUER")
    if settings.get("mode") != "oidc" or settings.get("issuer") != issuer or not settings.get("clientId"):
        problem(f"dashboard-config: config.json must sign in at the services' issuer {issuer} with a clientId: {settings}")
    elif f"{urlsplit(issuer).scheme}://{urlsplit(issuer).netloc}" not in dashboard_env["data"].get("DASHBOARD_CONNECT_SRC", "").split():
        problem(f"dashboard-env: DASHBOARD_CONNECT_SRC must contain the issuer's origin ({issuer})")

pod_labels = [d["spec"]["template"]["metadata"]["labels"] for d in deployments.values()]
for np in of("NetworkPolicy"):
    sel = np["spec"]["podSelector"].get("matchLabels", {})
    operator_pods = any(k.startswith("cnpg.io/") or k.startswith("strimzi.io/") for k in sel)
    if not operator_pods and not any(matches(sel, l) for l in pod_labels):
        problem(f"NetworkPolicy {name(np)}: selects no pod")

# Kafka: replicas fit the brokers, the durability settings match the environment.
brokers = sum(p["spec"]["replicas"] for p in of("KafkaNodePool") if "broker" in p["spec"]["roles"])
topics = {name(t): t for t in of("KafkaTopic")}
for t in topics.values():
    replicas = t["spec"]["replicas"]
    isr = int(t["spec"].get("config", {}).get("min.insync.replicas", 1))
    if replicas > brokers:
        problem(f"KafkaTopic {name(t)}: {replicas} replicas on {brokers} brokers")
    if isr > replicas:
        problem(f"KafkaTopic {name(t)}: min.insync.replicas {isr} > replicas {replicas}")
    if overlay == "prod" and (replicas < 3 or isr < 2):
        problem(f"KafkaTopic {name(t)}: prod needs replicas >= 3 and min.insync.replicas >= 2")
for u in of("KafkaUser"):
    for acl in u["spec"]["authorization"]["acls"]:
        r = acl["resource"]
        if r["type"] == "topic" and r["name"] not in topics:
            problem(f"KafkaUser {name(u)}: ACL on unknown topic {r['name']}")

# PostgreSQL: 1 instance in dev, 3 in prod; databases owned by managed roles.
expected_instances = 3 if overlay == "prod" else 1
for c in pg_clusters.values():
    if c["spec"]["instances"] != expected_instances:
        problem(f"Cluster {name(c)}: {c['spec']['instances']} instances, expected {expected_instances}")
roles = {r["name"] for c in pg_clusters.values() for r in c["spec"].get("managed", {}).get("roles", [])}
for db in of("Database"):
    if db["spec"]["owner"] not in roles:
        problem(f"Database {name(db)}: owner {db['spec']['owner']} is not a managed role")
    if db["spec"]["cluster"]["name"] not in pg_clusters:
        problem(f"Database {name(db)}: unknown cluster")

if problems:
    print(f"FAIL {overlay}: {len(problems)} problem(s)")
    for p in problems:
        print("  - " + p)
    sys.exit(1)
print(f"ok   {overlay}: {len(docs)} resources, {len(deployments)} Deployments, "
      f"{len(topics)} KafkaTopics, {brokers} broker(s), "
      f"{expected_instances} PostgreSQL instance(s), host {hosts.pop()}")
PYTHON
done
exit $status
