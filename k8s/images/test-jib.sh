#!/usr/bin/env bash
# Builds a service image with Jib (-Pimages) and runs it, without Docker and without any registry
# on the internet:
#
#   1. starts a registry (Debian's docker-registry, the CNCF distribution registry) on a loopback
#      port, its storage in a temporary directory;
#   2. makes a small JVM base image from Debian packages (libc6, zlib1g, libgcc-s1, unpacked as
#      Google's distroless images are made), a jlink'ed JRE of this machine's JDK and an /etc/passwd
#      with the user 1001; umoci writes it as an OCI layout, skopeo pushes it;
#   3. builds billing-service (and with --gateway also sandbox-gateway) with k8s/build-images.sh
#      (-Pimages) on that base, Jib pushing to the local registry;
#   4. fetches the image back (skopeo, umoci unpack) and checks it: user 1001, entrypoint java -jar
#      quarkus-run.jar in /deployments, the application files root's and read-only to 1001; then
#      runs it with bubblewrap as uid 1001 on its read-only root file system, against a throw-away
#      PostgreSQL (no Kafka), until /q/health/live answers UP;
#   5. (--gateway) checks that the gateway image carries the Claude Code CLI at
#      /opt/claude/bin/claude, executable, and that it runs (--version) inside the image.
#
#   k8s/images/test-jib.sh [--gateway]
#
# Runs as root (apt-get installs docker-registry, skopeo, umoci, bubblewrap and PostgreSQL when
# they are missing; PostgreSQL and the image run as unprivileged users). JAVA_HOME is the JDK
# whose jlink makes the base image's JRE (default: the Temurin 25 the build uses). MVN_ARGS adds
# Maven arguments (e.g. -o). Exit status 0: every check passed.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
gateway=false
[ "${1:-}" = "--gateway" ] && gateway=true
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

# --- 2. The base image ------------------------------------------------------------------------
base="$work/base"
mkdir -p "$base/debs" "$base/rootfs"
chown _apt "$base/debs" 2>/dev/null || true
(cd "$base/debs" && apt-get download -qq libc6 zlib1g libgcc-s1 >/dev/null)
for deb in "$base"/debs/*.deb; do dpkg-deb -x "$deb" "$base/rootfs"; done
rm -rf "$base/rootfs/usr/share/doc" "$base/rootfs/usr/share/lintian" "$base/rootfs/usr/share/locale"
# Every module of the JDK, as a JRE has them (a JDK without jmods cannot link jdk.jlink, which jdk.jpackage needs).
jlink --add-modules "$(java --list-modules | sed 's/@.*//' | grep -vx -e jdk.jlink -e jdk.jpackage -e jdk.incubator.vector | paste -sd,)" \
  --strip-debug --no-man-pages --no-header-files --output "$base/rootfs/opt/java/openjdk"
mkdir -p "$base/rootfs/etc" "$base/rootfs/tmp" "$base/rootfs/proc" "$base/rootfs/dev"
# Mount points for what a container runtime provides (bwrap mounts them below).
touch "$base/rootfs/etc/hosts" "$base/rootfs/etc/resolv.conf"
chmod 1777 "$base/rootfs/tmp"
printf 'root:x:0:0:root:/root:/sbin/nologin\nrc:x:1001:1001:rc:/nonexistent:/sbin/nologin\n' >"$base/rootfs/etc/passwd"
printf 'root:x:0:\nrc:x:1001:\n' >"$base/rootfs/etc/group"
umoci init --layout "$base/oci"
umoci new --image "$base/oci:jre"
umoci insert --image "$base/oci:jre" "$base/rootfs" /
umoci config --image "$base/oci:jre" \
  --config.env PATH=/opt/java/openjdk/bin:/usr/bin:/bin --config.env JAVA_HOME=/opt/java/openjdk
skopeo copy -q --dest-tls-verify=false "oci:$base/oci:jre" "docker://$registry/base/jre:test"
step "base image $registry/base/jre:test"

# --- 3. The service images, through Jib -------------------------------------------------------
modules=billing-service
$gateway && modules=billing-service,sandbox-gateway
step "building $modules with -Pimages"
RC_REGISTRY="$registry" RC_SERVICES="$modules" "$root/k8s/build-images.sh" -q ${MVN_ARGS:-} \
  -Dquarkus.container-image.insecure=true -Dquarkus.jib.base-jvm-image="$registry/base/jre:test" \
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

# Runs a command as uid 1001 inside an unpacked image, its root file system read-only, the host's
# network shared (the throw-away PostgreSQL is on the loopback interface).
in_image() {
  local rootfs="$1"
  shift
  setpriv --reuid 1001 --regid 1001 --clear-groups \
    bwrap --ro-bind "$rootfs" / --proc /proc --dev /dev --tmpfs /tmp \
    --ro-bind /etc/hosts /etc/hosts --ro-bind /etc/resolv.conf /etc/resolv.conf \
    --unshare-pid --unshare-ipc --die-with-parent --chdir /deployments --clearenv \
    --setenv PATH /opt/java/openjdk/bin:/usr/bin:/bin --setenv JAVA_HOME /opt/java/openjdk "$@"
}

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

http_port="$(free_port)"
management_port="$(free_port)"
step "starting billing-service from its image (uid 1001, read-only root, PostgreSQL on $pg_port)"
in_image "$rootfs" \
  --setenv QUARKUS_HTTP_PORT "$http_port" --setenv QUARKUS_MANAGEMENT_PORT "$management_port" \
  --setenv QUARKUS_DATASOURCE_USERNAME rc --setenv QUARKUS_DATASOURCE_PASSWORD rc-test \
  --setenv QUARKUS_DATASOURCE_REACTIVE_URL "postgresql://127.0.0.1:$pg_port/rc" \
  --setenv QUARKUS_DATASOURCE_JDBC_URL "jdbc:postgresql://127.0.0.1:$pg_port/rc" \
  --setenv KAFKA_BOOTSTRAP_SERVERS 127.0.0.1:9 \
  --setenv RC_AUTH_ISSUER https://auth.invalid --setenv QUARKUS_OIDC_AUTH_SERVER_URL https://auth.invalid \
  --setenv JAVA_TOOL_OPTIONS "-Xmx256m -XX:+UseSerialGC" \
  $(python3 -c 'import json, sys; print(" ".join(json.load(open(sys.argv[1]))["config"]["Entrypoint"]))' "$work/billing-service.json") \
  >"$work/billing-service.log" 2>&1 &
pids+=($!)
live=""
for _ in $(seq 600); do
  live="$(curl -fsS "http://127.0.0.1:$http_port/q/health/live" 2>/dev/null || true)"
  [ -n "$live" ] && break
  kill -0 "${pids[-1]}" 2>/dev/null || break
  sleep 0.2
done
python3 -c 'import json, sys; sys.exit(json.loads(sys.argv[1] or "{}").get("status") != "UP")' "$live" ||
  fail "billing-service did not become live: $(tail -40 "$work/billing-service.log")"
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
fi

step "all checks passed"
