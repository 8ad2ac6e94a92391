#!/usr/bin/env bash
# Builds a service image with Jib (-Pimages) and runs it, without Docker and without any registry
# on the internet:
#
#   1. starts a registry (Debian's docker-registry, the CNCF distribution registry) on a loopback
#      port, its storage in a temporary directory;
#   2. makes the JVM base image remote-claude/jre-base with k8s/images/build-bases.sh (Debian
#      packages, a jlink'ed JRE of this machine's JDK, the user 1001; umoci, skopeo), and with
#      --gateway also remote-claude/gateway-base;
#   3. builds billing-service (and with --gateway also sandbox-gateway, on gateway-base) with
#      k8s/build-images.sh (-Pimages), Jib pushing to the local registry;
#   4. fetches the image back (skopeo, umoci unpack) and checks it: user 1001, entrypoint java -jar
#      quarkus-run.jar in /deployments, the application files root's and read-only to 1001; then
#      runs it with bubblewrap as uid 1001 on its read-only root file system, against a throw-away
#      PostgreSQL (no Kafka), until /q/health/live answers UP;
#   5. (--gateway) checks that the gateway image carries the Claude Code CLI at
#      /opt/claude/bin/claude, executable, and runs, as uid 1001 inside the image, claude, git,
#      bwrap (a sandbox in the sandbox) and python3 with the CA bundle; then starts the gateway
#      with GATEWAY_LOCAL_ISOLATION=bubblewrap, as the manifests do, until /q/health/live is UP
#      (the local provider, which refuses to work without bwrap, is made on first use: not here);
#   6. (--sandbox) builds the kubernetes provider's sandbox image (build-bases.sh sandbox) and checks
#      user 1000 (home /sandbox/home), working directory /sandbox/workspace, no Node.js, and, as uid
#      1000 inside it, claude, git and the tools of the provider's exec launcher (sh, head, base64,
#      timeout, mkdir, cat, tar).
#
#   7. (--dashboard) builds the dashboard's image (build-bases.sh dashboard) and runs it as uid 101
#      on its read-only root, with k8s/base/dashboard's server template and config.json mounted as
#      the Deployment mounts them: /healthz, the page, its Content-Security-Policy (the template
#      filled in from DASHBOARD_CONNECT_SRC), /config.json and a problem+json 404.
#
#   k8s/images/test-jib.sh [--gateway] [--sandbox] [--dashboard]
#
# Runs as root (apt-get installs docker-registry, skopeo, umoci, bubblewrap and PostgreSQL when
# they are missing; PostgreSQL and the image run as unprivileged users). JAVA_HOME is the JDK
# whose jlink makes the base image's JRE (default: the Temurin 25 the build uses). MVN_ARGS adds
# Maven arguments (e.g. -o). Exit status 0: every check passed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
gateway=false
sandbox=false
dashboard=false
for arg in "$@"; do
  case "$arg" in
    --gateway) gateway=true ;;
    --sandbox) sandbox=true ;;
    --dashboard) dashboard=true ;;
    *) echo "usage: $0 [--gateway] [--sandbox] [--dashboard]" >&2 && exit 2 ;;
  esac
done
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export PATH="$JAVA_HOME/bin:$PATH"
version="$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' "$root/pom.xml" | head -1)"

fail() {
  echo "test-jib: FAILED: $*" >&2
  exit 1
}
step() { echo "test-jib: $*"; }

[ "$(id -u)" = 0 ] || fail "run as root (apt-get; it switches to uid 1001 and to postgres with setpriv)"

# --- Tools ------------------------------------------------------------------------------------
need=()
command -v docker-registry >/dev/null || need+=(docker-registry)
command -v skopeo >/dev/null || need+=(skopeo)
command -v umoci >/dev/null || need+=(umoci)
command -v bwrap >/dev/null || need+=(bubblewrap)
command -v curl >/dev/null || need+=(curl)
command -v python3 >/dev/null || need+=(python3)
pg_bin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)"
[ -n "$pg_bin" ] || need+=(postgresql)
apt-get update -qq
if [ ${#need[@]} -gt 0 ]; then
  step "installing ${need[*]}"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
  pg_bin="$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -1)"
fi

work="$(mktemp -d /tmp/rc-jib-test.XXXXXX)"
chmod 0755 "$work"
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  [ -f "$work/pg/data/postmaster.pid" ] &&
    setpriv --reuid postgres --regid "$(id -g postgres)" --clear-groups \
      "$pg_bin/pg_ctl" -D "$work/pg/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$work"
}
trap cleanup EXIT

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# --- 1. The registry --------------------------------------------------------------------------
reg_port="$(free_port)"
registry="127.0.0.1:$reg_port"
cat >"$work/registry.yml" <<EOF
version: 0.1
log:
  level: warn
storage:
  filesystem:
    rootdirectory: $work/registry
http:
  addr: $registry
EOF
docker-registry serve "$work/registry.yml" >"$work/registry.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
  curl -fsS "http://$registry/v2/" >/dev/null 2>&1 && break
  sleep 0.1
done
curl -fsS "http://$registry/v2/" >/dev/null || fail "the registry did not start: $(cat "$work/registry.log")"
step "registry on $registry"

# --- 2. The base images -----------------------------------------------------------------------
bases=jre-base
$gateway && bases="jre-base gateway-base"
# shellcheck disable=SC2086
RC_REGISTRY="$registry" "$root/k8s/images/build-bases.sh" --insecure $bases >"$work/bases.log" 2>&1 ||
  fail "build-bases.sh failed: $(tail -40 "$work/bases.log")"
step "base images: $bases"

# --- 3. The service images, through Jib -------------------------------------------------------
modules=billing-service
$gateway && modules=billing-service,sandbox-gateway
step "building $modules with -Pimages"
RC_REGISTRY="$registry" RC_SERVICES="$modules" RC_GATEWAY_BASE="$registry/remote-claude/gateway-base:$version" \
  "$root/k8s/build-images.sh" -q ${MVN_ARGS:-} \
  -Dquarkus.container-image.insecure=true -Dquarkus.jib.base-jvm-image="$registry/remote-claude/jre-base:$version" \
  >"$work/build.log" 2>&1 ||
  fail "the image build failed: $(tail -40 "$work/build.log")"

# Fetches an image back and unpacks it to $work/<name>/rootfs; its configuration to $work/<name>.json.
fetch() {
  local name="$1" ref="$registry/remote-claude/$1:$version"
  skopeo inspect --tls-verify=false --config "docker://$ref" >"$work/$name.json" ||
    fail "$ref is not in the registry"
  skopeo copy -q --src-tls-verify=false "docker://$ref" "oci:$work/$name-oci:image"
  umoci unpack --image "$work/$name-oci:image" "$work/$name" >/dev/null
  chmod 0755 "$work/$name" # umoci makes the bundle 0700: uid 1001 must reach the rootfs
}

# Checks user, working directory and entrypoint of an image's configuration.
check_config() {
  python3 - "$1" <<'EOF'
import json, sys
c = json.load(open(sys.argv[1]))["config"]
user, wd, ep = c.get("User", ""), c.get("WorkingDir", ""), c.get("Entrypoint") or []
problems = []
if user.split(":")[0] != "1001" or user.split(":")[-1] != "1001":
    problems.append(f"user is {user!r}, not 1001:1001")
if wd != "/deployments":
    problems.append(f"working directory is {wd!r}, not /deployments")
if not ep or ep[0] != "java" or ep[-2:] != ["-jar", "quarkus-run.jar"]:
    problems.append(f"entrypoint is {ep!r}, not java ... -jar quarkus-run.jar")
if problems:
    sys.exit("; ".join(problems))
print(" ".join(ep))
EOF
}

# Runs a command as <uid> in <directory> inside an unpacked image, its root file system read-only,
# the host's network shared (the throw-away PostgreSQL is on the loopback interface).
in_image_as() {
  local uid="$1" dir="$2" rootfs="$3"
  shift 3
  setpriv --reuid "$uid" --regid "$uid" --clear-groups \
    bwrap --ro-bind "$rootfs" / --proc /proc --dev /dev --tmpfs /tmp \
    --ro-bind /etc/hosts /etc/hosts --ro-bind /etc/resolv.conf /etc/resolv.conf \
    --unshare-pid --unshare-ipc --die-with-parent --chdir "$dir" --clearenv \
    --setenv PATH /opt/java/openjdk/bin:/usr/local/bin:/usr/bin:/bin --setenv JAVA_HOME /opt/java/openjdk "$@"
}
in_image() { in_image_as 1001 /deployments "$@"; }

# --- 4. billing-service -----------------------------------------------------------------------
fetch billing-service
rootfs="$work/billing-service/rootfs"
entrypoint="$(check_config "$work/billing-service.json" 2>&1)" || fail "billing-service image: $entrypoint"
step "billing-service image: user 1001:1001, /deployments, $entrypoint"
[ -f "$rootfs/deployments/quarkus-run.jar" ] || fail "no /deployments/quarkus-run.jar"
[ "$(stat -c %u "$rootfs/deployments/quarkus-run.jar")" = 0 ] || fail "quarkus-run.jar is not root's"
# As uid 1001 the application cannot change itself.
if setpriv --reuid 1001 --regid 1001 --clear-groups test -w "$rootfs/deployments/quarkus-run.jar"; then
  fail "uid 1001 can write /deployments/quarkus-run.jar"
fi

# A throw-away PostgreSQL on a loopback port (initdb refuses root: run it as postgres).
id postgres >/dev/null 2>&1 || useradd --system --no-create-home postgres
pg_port="$(free_port)"
mkdir -p "$work/pg"
chown postgres "$work/pg"
echo rc-test >"$work/pg/pw"
chown postgres "$work/pg/pw"
as_pg() { setpriv --reuid postgres --regid "$(id -g postgres)" --clear-groups "$@"; }
as_pg "$pg_bin/initdb" -D "$work/pg/data" -U rc --pwfile="$work/pg/pw" -A scram-sha-256 >/dev/null
as_pg "$pg_bin/pg_ctl" -D "$work/pg/data" -l "$work/pg/log" -w -o "-p $pg_port -k $work/pg -c listen_addresses=127.0.0.1 -c fsync=off" start >/dev/null
PGPASSWORD=rc-test "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U rc -d postgres -qc 'CREATE DATABASE rc' >/dev/null

# Starts the service <name> from its unpacked image as uid 1001 on its read-only root, against the
# throw-away PostgreSQL and no Kafka (more --setenv pairs after the name), and waits until
# /q/health/live answers UP.
start_service() {
  local name="$1" live=""
  shift
  local http_port management_port
  http_port="$(free_port)"
  management_port="$(free_port)"
  step "starting $name from its image (uid 1001, read-only root, PostgreSQL on $pg_port)"
  # shellcheck disable=SC2046
  in_image "$work/$name/rootfs" \
    --setenv QUARKUS_HTTP_PORT "$http_port" --setenv QUARKUS_MANAGEMENT_PORT "$management_port" \
    --setenv QUARKUS_DATASOURCE_USERNAME rc --setenv QUARKUS_DATASOURCE_PASSWORD rc-test \
    --setenv QUARKUS_DATASOURCE_REACTIVE_URL "postgresql://127.0.0.1:$pg_port/rc" \
    --setenv QUARKUS_DATASOURCE_JDBC_URL "jdbc:postgresql://127.0.0.1:$pg_port/rc" \
    --setenv KAFKA_BOOTSTRAP_SERVERS 127.0.0.1:9 \
    --setenv RC_AUTH_ISSUER https://auth.invalid --setenv QUARKUS_OIDC_AUTH_SERVER_URL https://auth.invalid \
    "$@" \
    $(python3 -c 'import json, sys; print(" ".join(json.load(open(sys.argv[1]))["config"]["Entrypoint"]))' "$work/$name.json") \
    >"$work/$name.log" 2>&1 &
  pids+=($!)
  for _ in $(seq 900); do
    live="$(curl -fsS "http://127.0.0.1:$http_port/q/health/live" 2>/dev/null || true)"
    [ -n "$live" ] && break
    kill -0 "${pids[-1]}" 2>/dev/null || break
    sleep 0.2
  done
  python3 -c 'import json, sys; sys.exit(json.loads(sys.argv[1] or "{}").get("status") != "UP")' "$live" ||
    fail "$name did not become live: $(tail -40 "$work/$name.log")"
}

start_service billing-service --setenv JAVA_TOOL_OPTIONS "-Xmx256m -XX:+UseSerialGC"
# Flyway migrated the database at start-up: the image reached PostgreSQL with its JDBC driver.
migrations="$(PGPASSWORD=rc-test "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U rc -d rc -tAc \
  "SELECT count(*) FROM billing.flyway_schema_history WHERE success" 2>/dev/null || echo 0)"
[ "$migrations" -gt 0 ] || fail "billing-service did not migrate its schema"
step "billing-service runs from its image: /q/health/live is UP, $migrations migrations applied"
kill "${pids[-1]}"

# --- 5. sandbox-gateway -----------------------------------------------------------------------
if $gateway; then
  fetch sandbox-gateway
  rootfs="$work/sandbox-gateway/rootfs"
  entrypoint="$(check_config "$work/sandbox-gateway.json" 2>&1)" || fail "sandbox-gateway image: $entrypoint"
  step "sandbox-gateway image: user 1001:1001, /deployments, $entrypoint"
  claude="$rootfs/opt/claude/bin/claude"
  [ -f "$claude" ] && [ ! -L "$claude" ] || fail "no /opt/claude/bin/claude in the gateway image"
  [ "$(stat -c %a "$claude")" = 755 ] || fail "/opt/claude/bin/claude is $(stat -c %a "$claude"), not 755"
  claude_version="$(in_image "$rootfs" --setenv HOME /tmp /opt/claude/bin/claude --version)" ||
    fail "/opt/claude/bin/claude --version failed in the image"
  step "sandbox-gateway image: /opt/claude/bin/claude --version: $claude_version"
  # The toolbox of gateway-base, as uid 1001 in the image: bubblewrap makes a sandbox in it.
  for tool in "bwrap --version" "git --version" "curl --version" "rg --version" "make --version" \
    "ssh -V" "python3 --version" "sh -c true" "bash --version"; do
    # shellcheck disable=SC2086
    out="$(in_image "$rootfs" $tool 2>&1)" || fail "$tool failed in the gateway image: $out"
    step "sandbox-gateway image: $tool: ${out%%$'\n'*}"
  done
  in_image "$rootfs" bwrap --ro-bind / / --proc /proc --dev /dev --unshare-all --die-with-parent \
    sh -c 'test "$(id -u)" = 1001' || fail "bwrap cannot make a sandbox in the gateway image"
  # ca-certificates' bundle, which its maintainer script would have made (git, curl, python3).
  cas="$(in_image "$rootfs" python3 -c 'import ssl; print(len(ssl.create_default_context().get_ca_certs()))' 2>&1)" ||
    fail "python3 ssl in the gateway image: $cas"
  [ "$cas" -gt 100 ] || fail "the gateway image trusts $cas certificate authorities"
  step "sandbox-gateway image: bwrap makes a sandbox, $cas CA certificates"

  start_service sandbox-gateway \
    --setenv GATEWAY_LOCAL_ISOLATION bubblewrap --setenv GATEWAY_CLAUDE_BINARY /opt/claude/bin/claude \
    --setenv GATEWAY_LOCAL_ROOT /tmp/sandboxes --setenv GATEWAY_CACHE_DIR /tmp/caches --setenv HOME /tmp \
    --setenv JAVA_TOOL_OPTIONS "-Xmx384m -XX:+UseSerialGC"
  step "sandbox-gateway runs from its image: /q/health/live is UP"
  kill "${pids[-1]}"
fi

# --- 6. The kubernetes provider's sandbox image ------------------------------------------------
if $sandbox; then
  claude_exe="$root/sandbox-gateway/claude-code/node_modules/@anthropic-ai/claude-code/bin/claude.exe"
  if [ ! -x "$claude_exe" ]; then
    step "installing the Claude Code CLI (npm, as the gateway's build does)"
    (cd "$root/sandbox-gateway/claude-code" && npm install --no-audit --no-fund --prefer-offline) >"$work/claude.log" 2>&1 ||
      fail "the Claude Code CLI install failed: $(tail -40 "$work/claude.log")"
  fi
  RC_REGISTRY="$registry" "$root/k8s/images/build-bases.sh" --insecure sandbox >"$work/sandbox-build.log" 2>&1 ||
    fail "build-bases.sh sandbox failed: $(tail -40 "$work/sandbox-build.log")"
  fetch sandbox
  rootfs="$work/sandbox/rootfs"
  config="$(python3 -c 'import json, sys; c = json.load(open(sys.argv[1]))["config"]; print(c.get("User", ""), c.get("WorkingDir", ""))' "$work/sandbox.json")"
  [ "$config" = "1000:1000 /sandbox/workspace" ] || fail "sandbox image: user and working directory are $config, not 1000:1000 /sandbox/workspace"
  grep -qx 'sandbox:x:1000:1000::/sandbox/home:/bin/sh' "$rootfs/etc/passwd" ||
    fail "sandbox image: no user 1000 with home /sandbox/home in /etc/passwd: $(cat "$rootfs/etc/passwd")"
  [ ! -e "$rootfs/usr/bin/node" ] && [ ! -e "$rootfs/usr/local/bin/node" ] || fail "sandbox image: Node.js is in it"
  step "sandbox image: user 1000:1000 (home /sandbox/home), /sandbox/workspace, no Node.js"
  # As the pod runs it: uid 1000, read-only root, the workspace writable (here a tmpfs).
  in_sandbox() { in_image_as 1000 /sandbox/workspace "$rootfs" --tmpfs /sandbox --dir /sandbox/workspace --dir /sandbox/home --setenv HOME /sandbox/home "$@"; }
  for tool in "id -u" "git --version" "claude --version"; do
    # shellcheck disable=SC2086
    out="$(in_sandbox $tool 2>&1)" || fail "$tool failed in the sandbox image: $out"
    step "sandbox image: $tool: $out"
  done
  [ "$(in_sandbox id -u)" = 1000 ] || fail "the sandbox image does not run as 1000"
  # What the provider's exec launcher does: sh, head, base64, timeout, mkdir, cat, tar.
  # shellcheck disable=SC2016
  out="$(in_sandbox sh -c 'printf abcdef | head -c 3 | base64 && timeout 5 mkdir -p a/b && echo x | cat >a/b/f &&
    tar -czf /tmp/a.tgz a && mkdir c && tar -xzf /tmp/a.tgz -C c && cat c/a/b/f && git init -q r && ps -o pid= -p $$ >/dev/null' 2>&1)" ||
    fail "the exec launcher's tools failed in the sandbox image: $out"
  [ "$out" = "$(printf 'YWJj\nx')" ] || fail "the exec launcher's tools in the sandbox image gave $out"
  step "sandbox image: sh, head, base64, timeout, mkdir, cat, tar, gzip, git, ps work as uid 1000"
fi

if $dashboard; then
  RC_REGISTRY="$registry" "$root/k8s/images/build-bases.sh" --insecure dashboard >"$work/dashboard-build.log" 2>&1 ||
    fail "build-bases.sh dashboard failed: $(tail -40 "$work/dashboard-build.log")"
  fetch dashboard
  rootfs="$work/dashboard/rootfs"
  config="$(python3 -c 'import json, sys; c = json.load(open(sys.argv[1]))["config"]; print(c.get("User", ""), " ".join(c.get("Entrypoint") or []))' "$work/dashboard.json")"
  [ "$config" = "101:101 /usr/local/bin/dashboard-entrypoint" ] || fail "dashboard image: user and entrypoint are $config"
  [ "$(stat -c %u "$rootfs/usr/share/remote-claude/dashboard/index.html")" = 0 ] || fail "the dashboard's files are not root's"
  # As the Deployment runs it: uid 101, read-only root, /tmp and conf.d emptyDirs, the ConfigMaps.
  dash_port="$(free_port)"
  mkdir -p "$work/dash/templates" "$work/dash/config"
  sed "s/listen 8080;/listen 127.0.0.1:$dash_port;/" "$root/k8s/base/dashboard/default.conf.template" >"$work/dash/templates/default.conf.template"
  cp "$root/k8s/base/dashboard/config.json" "$work/dash/config/config.json"
  chmod -R a+rX "$work/dash"
  # nginx opens /dev/stdout again for its access log: its log must be the user's, as a pod's is.
  install -o 101 -g 101 -m 0644 /dev/null "$work/dashboard.log"
  in_image_as 101 / "$rootfs" --tmpfs /etc/nginx/conf.d \
    --ro-bind "$work/dash/templates" /etc/nginx/templates --ro-bind "$work/dash/config" /etc/rc/dashboard \
    --setenv DASHBOARD_CONNECT_SRC https://auth.example.test /usr/local/bin/dashboard-entrypoint \
    >>"$work/dashboard.log" 2>&1 &
  pids+=($!)
  base_url="http://127.0.0.1:$dash_port"
  for _ in $(seq 100); do
    curl -fsS "$base_url/healthz" >/dev/null 2>&1 && break
    kill -0 "${pids[-1]}" 2>/dev/null || break
    sleep 0.1
  done
  [ "$(curl -fsS "$base_url/healthz" 2>/dev/null)" = ok ] || fail "the dashboard did not answer /healthz: $(tail -20 "$work/dashboard.log")"
  curl -fsS "$base_url/" | grep -q '<html' || fail "the dashboard does not serve its page"
  curl -fsS -D - -o /dev/null "$base_url/app.js" | grep -qi "^content-security-policy:.*connect-src 'self' https://auth.example.test" ||
    fail "the dashboard's Content-Security-Policy lacks the filled-in connect-src"
  cmp -s <(curl -fsS "$base_url/config.json") "$root/k8s/base/dashboard/config.json" || fail "/config.json is not the ConfigMap's"
  [ "$(curl -s -o /dev/null -w '%{http_code} %{content_type}' "$base_url/etc/passwd")" = "404 application/problem+json" ] ||
    fail "an unknown path is not a problem+json 404"
  step "dashboard image: nginx as uid 101 on a read-only root serves the page, its CSP, /config.json and problem+json 404s"
  kill "${pids[-1]}"
fi

step "all checks passed"
