#!/usr/bin/env bash
# The restore drill: restores the platform's PostgreSQL from its object-store backups (the Barman
# Cloud plugin, k8s/overlays/prod/backups.yaml) into a NEW cluster beside the live one, checks it
# and measures what a disaster would cost:
#   - RTO part: how long the restore took, from apply to a Ready cluster (target: well under 1 h);
#   - RPO: how far the restored data lags the live data, per service database, from the newest
#     outbox row of each (every state change writes one in its transaction; target: 15 min).
# The live cluster and the services are not touched. The drill cluster is deleted at the end
# (--keep leaves it for inspection).
#
#   k8s/restore-drill.sh [--namespace remote-claude] [--target-time 2026-12-06T03:00:00Z] [--keep]
#
# Needs kubectl with rights on postgresql.cnpg.io resources in the namespace, the CNPG operator and
# the Barman Cloud plugin installed, and at least one completed base backup (kubectl get backups).
# Run it monthly and after every change of the backup setup; write the figures down
# (docs/operations.md, "Backups and disaster recovery").
set -euo pipefail

namespace=remote-claude
target_time=""
keep=false
while [ $# -gt 0 ]; do
  case "$1" in
    --namespace) namespace="$2"; shift 2 ;;
    --target-time) target_time="$2"; shift 2 ;;
    --keep) keep=true; shift ;;
    *) echo "restore-drill.sh: unknown option $1" >&2; exit 2 ;;
  esac
done
command -v kubectl >/dev/null || { echo "restore-drill.sh: needs kubectl" >&2; exit 2; }

live=rc-postgres
drill="rc-postgres-drill-$(date -u +%Y%m%d%H%M)"
databases=(rc_session rc_task rc_repository rc_billing rc_gateway)
k() { kubectl -n "$namespace" "$@"; }

completed=$(k get backups.postgresql.cnpg.io -o jsonpath='{range .items[?(@.status.phase=="completed")]}{.metadata.name}{"\n"}{end}' | wc -l)
if [ "$completed" -eq 0 ]; then
  echo "restore-drill.sh: no completed backup of $live in $namespace yet" >&2
  exit 1
fi

recovery_target=""
if [ -n "$target_time" ]; then
  recovery_target=$(printf '      recoveryTarget:\n        targetTime: "%s"\n' "$target_time")
fi

echo "restoring $live into $drill (namespace $namespace) ..."
start=$(date +%s)
k apply -f - <<YAML
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata:
  name: $drill
  labels:
    app.kubernetes.io/part-of: remote-claude
    remote-claude.dev/role: restore-drill
spec:
  instances: 1
  imageName: $(k get cluster "$live" -o jsonpath='{.spec.imageName}')
  storage:
    size: $(k get cluster "$live" -o jsonpath='{.spec.storage.size}')
  bootstrap:
    recovery:
      source: origin
$recovery_target
  externalClusters:
    - name: origin
      plugin:
        name: barman-cloud.cloudnative-pg.io
        parameters:
          barmanObjectName: rc-backups
          serverName: $live
YAML

cleanup() {
  if [ "$keep" = false ]; then
    k delete cluster "$drill" --wait=false >/dev/null 2>&1 || true
  fi
}
trap cleanup EXIT

k wait --for=condition=Ready "cluster/$drill" --timeout=2h
ready=$(date +%s)
echo "restored in $((ready - start)) s"

newest() { # cluster database -> epoch seconds of the newest outbox row (0 when empty); the
  # service's tables are in the schema named after it (rc_session -> session).
  k exec "$(k get cluster "$1" -o jsonpath='{.status.currentPrimary}')" -c postgres -- psql -qtAX -d "$2" -c \
    "SELECT coalesce(extract(epoch FROM max(created_at))::bigint, 0) FROM ${2#rc_}.outbox_event" \
    2>/dev/null || echo "?"
}

status=0
printf '%-14s %12s %12s %10s\n' database live restored lag_s
for db in "${databases[@]}"; do
  a=$(newest "$live" "$db")
  b=$(newest "$drill" "$db")
  if [ "$a" = "?" ] || [ "$b" = "?" ]; then
    printf '%-14s %12s %12s %10s\n' "$db" "$a" "$b" "?"
    status=1
    continue
  fi
  printf '%-14s %12s %12s %10s\n' "$db" "$a" "$b" "$((a - b))"
  if [ -z "$target_time" ] && [ $((a - b)) -gt 900 ]; then
    echo "  $db: the restored data is more than 15 minutes behind (RPO missed)" >&2
    status=1
  fi
done
[ "$keep" = true ] && echo "kept: kubectl -n $namespace delete cluster $drill"
exit "$status"
