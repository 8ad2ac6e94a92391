#!/usr/bin/env bash
# Creates the Secrets the manifests reference but git must never hold, in one namespace:
#
#   rc-db-<service>   (5)  each service's PostgreSQL role: username + a random password
#                          (type kubernetes.io/basic-auth, label cnpg.io/reload=true so CloudNativePG
#                          picks up a rotated password)
#   rc-secrets             k1: a random AES-256 key that seals users' secrets at rest
#   rc-anthropic           api-key: the Anthropic API key, read from $ANTHROPIC_API_KEY
#   rc-stripe (optional)   secret-key, webhook-secret: from $STRIPE_SECRET_KEY and
#                          $STRIPE_WEBHOOK_SECRET when both are set; without it billing meters only
#   rc-providers (optional) e2b-api-key, daytona-api-key, northflank-token: the cloud sandbox
#                          providers' keys, from $E2B_API_KEY, $DAYTONA_API_KEY and
#                          $NORTHFLANK_TOKEN (those set); a provider is used only once it is also
#                          enabled in sandbox-gateway-config
#
# Strimzi and CloudNativePG create the others (kafka-<service>, rc-kafka-cluster-ca-cert,
# rc-postgres-ca). A Secret that exists is left alone: running this again never rotates anything
# (a new AES key would make every sealed value unreadable; rotating is described in k8s/README.md).
# Values never appear on a command line: they go through files in a private temporary directory.
#
# Usage: ANTHROPIC_API_KEY=sk-... [STRIPE_SECRET_KEY=sk_... STRIPE_WEBHOOK_SECRET=whsec_...] \
#          [E2B_API_KEY=... DAYTONA_API_KEY=... NORTHFLANK_TOKEN=...] k8s/create-secrets.sh <namespace>
set -euo pipefail

namespace="${1:?usage: ANTHROPIC_API_KEY=... $0 <namespace>}"
services=(session-service task-service repository-service billing-service sandbox-gateway)

kubectl get namespace "$namespace" >/dev/null 2>&1 || {
  echo "namespace $namespace does not exist: kubectl apply -f k8s/overlays/<env>/namespace.yaml" >&2
  exit 1
}

work="$(mktemp -d)"
chmod 700 "$work"
trap 'rm -rf "$work"' EXIT

exists() {
  kubectl -n "$namespace" get secret "$1" >/dev/null 2>&1
}

random_password() {
  # 32 characters from [A-Za-z0-9] (48 random bytes, base64, minus + and /): no quoting trouble in
  # JDBC URLs, JAAS lines or shells. No "tr </dev/urandom | head": SIGPIPE would trip pipefail.
  local chars
  chars="$(head -c 48 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')"
  printf '%s' "${chars:0:32}"
}

for service in "${services[@]}"; do
  name="rc-db-$service"
  if exists "$name"; then
    echo "$name: exists, kept"
    continue
  fi
  role="${service//-/_}"
  printf '%s' "$role" >"$work/username"
  random_password >"$work/password"
  kubectl -n "$namespace" create secret generic "$name" --type=kubernetes.io/basic-auth \
    --from-file=username="$work/username" --from-file=password="$work/password" >/dev/null
  kubectl -n "$namespace" label secret "$name" cnpg.io/reload=true \
    app.kubernetes.io/part-of=remote-claude >/dev/null
  echo "$name: created (role $role)"
done

if exists rc-secrets; then
  echo "rc-secrets: exists, kept"
else
  head -c 32 /dev/urandom | base64 | tr -d '\n' >"$work/k1"
  kubectl -n "$namespace" create secret generic rc-secrets --from-file=k1="$work/k1" >/dev/null
  kubectl -n "$namespace" label secret rc-secrets app.kubernetes.io/part-of=remote-claude >/dev/null
  echo "rc-secrets: created (AES-256 key k1; back it up: sealed values cannot be read without it)"
fi

if exists rc-anthropic; then
  echo "rc-anthropic: exists, kept"
elif [ -n "${ANTHROPIC_API_KEY:-}" ]; then
  printf '%s' "$ANTHROPIC_API_KEY" >"$work/api-key"
  kubectl -n "$namespace" create secret generic rc-anthropic --from-file=api-key="$work/api-key" >/dev/null
  kubectl -n "$namespace" label secret rc-anthropic app.kubernetes.io/part-of=remote-claude >/dev/null
  echo "rc-anthropic: created"
else
  echo "rc-anthropic: NOT created: set ANTHROPIC_API_KEY and run again (the gateway waits for it)" >&2
  exit 1
fi

if exists rc-stripe; then
  echo "rc-stripe: exists, kept"
elif [ -n "${STRIPE_SECRET_KEY:-}" ] && [ -n "${STRIPE_WEBHOOK_SECRET:-}" ]; then
  printf '%s' "$STRIPE_SECRET_KEY" >"$work/secret-key"
  printf '%s' "$STRIPE_WEBHOOK_SECRET" >"$work/webhook-secret"
  kubectl -n "$namespace" create secret generic rc-stripe \
    --from-file=secret-key="$work/secret-key" --from-file=webhook-secret="$work/webhook-secret" >/dev/null
  kubectl -n "$namespace" label secret rc-stripe app.kubernetes.io/part-of=remote-claude >/dev/null
  echo "rc-stripe: created"
else
  echo "rc-stripe: not created (set STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET for Stripe billing; without it billing meters only)"
fi

if exists rc-providers; then
  echo "rc-providers: exists, kept (add or change a key with kubectl edit secret rc-providers)"
else
  provider_keys=()
  for pair in e2b-api-key:E2B_API_KEY daytona-api-key:DAYTONA_API_KEY northflank-token:NORTHFLANK_TOKEN; do
    key="${pair%%:*}" variable="${pair#*:}"
    if [ -n "${!variable:-}" ]; then
      printf '%s' "${!variable}" >"$work/$key"
      provider_keys+=(--from-file="$key=$work/$key")
    fi
  done
  if [ "${#provider_keys[@]}" -gt 0 ]; then
    kubectl -n "$namespace" create secret generic rc-providers "${provider_keys[@]}" >/dev/null
    kubectl -n "$namespace" label secret rc-providers app.kubernetes.io/part-of=remote-claude >/dev/null
    echo "rc-providers: created (${#provider_keys[@]} provider keys)"
  else
    echo "rc-providers: not created (set E2B_API_KEY, DAYTONA_API_KEY or NORTHFLANK_TOKEN to use those providers)"
  fi
fi
