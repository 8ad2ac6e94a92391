#!/usr/bin/env bash
# Builds the images that Jib cannot make (they need packages) without a Docker daemon, from Debian
# bookworm packages, and pushes them to a registry:
#
#   remote-claude/jre-base      libc6 and its dependencies, a jlink'ed JRE of $JAVA_HOME
#                               (/opt/java/openjdk), /etc/passwd with the user rc (1001);
#   remote-claude/gateway-base  jre-base + the gateway's toolbox (bubblewrap, git, openssh-client,
#                               ca-certificates, curl, ripgrep, python3, make, and a shell with
#                               coreutils): the base of the gateway's Jib image;
#   remote-claude/sandbox       the kubernetes provider's sandbox: a shell, coreutils, git, tar,
#                               gzip, procps, openssh-client, ca-certificates and the Claude Code
#                               CLI at /usr/local/bin/claude; user 1000 (home /sandbox/home),
#                               working directory /sandbox/workspace;
#   remote-claude/dashboard     the web dashboard: nginx (Debian's nginx-light) serving the module
#                               dashboard's static files, as uid 101 on port 8080 with its pid and
#                               temporary files in /tmp; its entrypoint renders
#                               /etc/nginx/templates/*.template into /etc/nginx/conf.d with the
#                               DASHBOARD_* variables (k8s/base/dashboard mounts both).
#
#   RC_REGISTRY=registry.example.com k8s/images/build-bases.sh [--insecure] [jre-base|gateway-base|sandbox|dashboard ...]
#
# Without names it builds all four. Tag: RC_BASE_TAG (default: the project version). --insecure
# pushes without TLS (a registry on localhost). The Claude Code CLI is the one the gateway's Maven
# build installs (sandbox-gateway/claude-code/node_modules, `./mvnw package -pl sandbox-gateway`),
# a native linux-x64 glibc binary: it needs libc6, not Node.js. RC_CLAUDE_BINARY names another.
# Registry credentials: skopeo's (`skopeo login`, or ~/.docker/config.json).
#
# How: `apt-cache depends --recurse` gives each image's packages and their dependencies, `apt-get
# download` fetches them (from this machine's apt sources: run it as root on Debian 12, or in a
# bookworm container), dpkg-deb unpacks them into a merged-/usr root file system, umoci makes the
# layers and skopeo pushes them. The packages' maintainer scripts do not run: no users or groups,
# no update-alternatives, no ca-certificates bundle, no ld.so.cache, no byte-compiled Python. This
# script does what the images need of that (/etc/passwd and /etc/group, /usr/bin/awk, the CA
# bundle, `ldconfig -r`); a package you add may need more (read its postinst).
# k8s/images/test-jib.sh --gateway and --sandbox check that the tools run in the images.
set -euo pipefail

root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export JAVA_HOME="${JAVA_HOME:-/usr/lib/jvm/temurin-25-jdk-amd64}"
export PATH="$JAVA_HOME/bin:$PATH"
: "${RC_REGISTRY:?set RC_REGISTRY to the registry to push to (host[:port])}"
tag="${RC_BASE_TAG:-$(sed -n 's:^  <version>\(.*\)</version>$:\1:p' "$root/pom.xml" | head -1)}"
claude_binary="${RC_CLAUDE_BINARY:-$root/sandbox-gateway/claude-code/node_modules/@anthropic-ai/claude-code/bin/claude.exe}"

tls=true
images=()
for arg in "$@"; do
  case "$arg" in
    --insecure) tls=false ;;
    jre-base | gateway-base | sandbox | dashboard) images+=("$arg") ;;
    *) echo "build-bases: unknown argument $arg" >&2 && exit 2 ;;
  esac
done
[ ${#images[@]} -gt 0 ] || images=(jre-base gateway-base sandbox dashboard)
wants() { [[ " ${images[*]} " == *" $1 "* ]]; }

fail() {
  echo "build-bases: $*" >&2
  exit 1
}
step() { echo "build-bases: $*"; }

# shellcheck source=/dev/null
. /etc/os-release
# Root: the unpacked files must be root's (dpkg-deb as another user makes them that user's), and
# ldconfig -r changes its root.
[ "$(id -u)" = 0 ] || fail "run as root"
[ "${VERSION_CODENAME:-}" = bookworm ] || fail "needs Debian 12 (bookworm) apt sources, this is ${PRETTY_NAME:-unknown}"
for tool in apt-get apt-cache dpkg-deb umoci skopeo ldconfig; do
  command -v "$tool" >/dev/null || fail "$tool is missing (apt-get install umoci skopeo)"
done

# Packages of each image, before their dependencies. Debian's essential packages (the shell,
# coreutils, ...) are nobody's dependency: name them.
jre_packages=(libc6 zlib1g libgcc-s1)
shell_packages=(dash bash coreutils findutils grep sed diffutils tar gzip)
gateway_packages=("${shell_packages[@]}" bubblewrap git openssh-client ca-certificates curl ripgrep python3 make)
sandbox_packages=("${shell_packages[@]}" git procps openssh-client ca-certificates)
# envsubst (gettext-base) and a shell for the entrypoint, which renders the server's template.
dashboard_packages=(dash coreutils sed nginx-light gettext-base)

work="$(mktemp -d /tmp/rc-bases.XXXXXX)"
trap 'rm -rf "$work"' EXIT
mkdir -p "$work/debs"
chmod 0755 "$work"
chown _apt "$work/debs" 2>/dev/null || true # apt-get download as root drops to _apt

# The packages and their whole dependency closure (real packages only, not the virtual ones).
closure() {
  apt-cache depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
    --no-replaces --no-enhances "$@" | grep '^[a-z0-9]' | sort -u
}

# Unpacks packages into a root file system with Debian 12's merged /usr (/bin -> usr/bin, ...).
unpack() {
  local rootfs="$1" deb
  shift
  mkdir -p "$rootfs/usr/bin" "$rootfs/usr/sbin" "$rootfs/usr/lib" "$rootfs/usr/lib64"
  for d in bin sbin lib lib64; do [ -e "$rootfs/$d" ] || ln -s "usr/$d" "$rootfs/$d"; done
  (cd "$work/debs" && apt-get download -qq "$@" >/dev/null)
  for pkg in "$@"; do
    deb="$(ls "$work/debs/${pkg}"_*.deb)"
    dpkg-deb --fsys-tarfile "$deb" | tar -x --keep-directory-symlink -C "$rootfs"
  done
  rm -rf "$rootfs/usr/share/doc" "$rootfs/usr/share/man" "$rootfs/usr/share/info" \
    "$rootfs/usr/share/lintian" "$rootfs/usr/share/locale"
}

# What the maintainer scripts would have done that the tools need.
configure() {
  local rootfs="$1"
  mkdir -p "$rootfs/etc" "$rootfs/tmp" "$rootfs/proc" "$rootfs/dev"
  chmod 1777 "$rootfs/tmp"
  # Mount points for what a container runtime provides.
  touch "$rootfs/etc/hosts" "$rootfs/etc/resolv.conf"
  if [ -d "$rootfs/usr/share/ca-certificates" ]; then
    # update-ca-certificates: one bundle of every certificate (git, curl; python and openssl through
    # /usr/lib/ssl/cert.pem).
    mkdir -p "$rootfs/etc/ssl/certs" "$rootfs/usr/lib/ssl"
    find "$rootfs/usr/share/ca-certificates" -name '*.crt' | sort | xargs cat >"$rootfs/etc/ssl/certs/ca-certificates.crt"
    ln -sfn /etc/ssl/certs/ca-certificates.crt "$rootfs/usr/lib/ssl/cert.pem"
  fi
  # update-alternatives: awk is mawk, as in a Debian installation.
  [ -e "$rootfs/usr/bin/mawk" ] && [ ! -e "$rootfs/usr/bin/awk" ] && ln -s mawk "$rootfs/usr/bin/awk"
  [ -f "$rootfs/etc/ld.so.conf" ] || echo 'include /etc/ld.so.conf.d/*.conf' >"$rootfs/etc/ld.so.conf"
  ldconfig -r "$rootfs"
}

# Makes an OCI layout of one layer, or of one more layer on another image ($3: its tag).
layer() {
  local oci="$1" tag="$2" from="${3:-}" rootfs="$4"
  [ -d "$oci" ] || umoci init --layout "$oci"
  if [ -n "$from" ]; then
    umoci tag --image "$oci:$from" "$tag"
  else
    umoci new --image "$oci:$tag"
  fi
  umoci insert --image "$oci:$tag" "$rootfs" /
}

push() {
  local oci="$1" name="$2"
  skopeo copy -q --dest-tls-verify="$tls" "oci:$oci:$name" "docker://$RC_REGISTRY/remote-claude/$name:$tag"
  step "pushed $RC_REGISTRY/remote-claude/$name:$tag"
}

oci="$work/oci"

# --- jre-base (also the first layer of gateway-base) --------------------------------------------
mapfile -t jre_closure < <(closure "${jre_packages[@]}")
if wants jre-base || wants gateway-base; then
  rootfs="$work/jre"
  unpack "$rootfs" "${jre_closure[@]}"
  # Every module of the JDK, as a JRE has them (a JDK without jmods cannot link jdk.jlink, which jdk.jpackage needs).
  jlink --add-modules "$(java --list-modules | sed 's/@.*//' | grep -vx -e jdk.jlink -e jdk.jpackage -e jdk.incubator.vector | paste -sd,)" \
    --strip-debug --no-man-pages --no-header-files --output "$rootfs/opt/java/openjdk"
  configure "$rootfs"
  printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nrc:x:1001:1001:rc:/nonexistent:/usr/sbin/nologin\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nrc:x:1001:\n' >"$rootfs/etc/group"
  layer "$oci" jre-base "" "$rootfs"
  umoci config --image "$oci:jre-base" \
    --config.env PATH=/opt/java/openjdk/bin:/usr/local/bin:/usr/bin:/bin --config.env JAVA_HOME=/opt/java/openjdk
  wants jre-base && push "$oci" jre-base
fi

# --- gateway-base: the toolbox as a layer on jre-base -------------------------------------------
if wants gateway-base; then
  rootfs="$work/gateway"
  mapfile -t toolbox < <(comm -23 <(closure "${gateway_packages[@]}") <(printf '%s\n' "${jre_closure[@]}"))
  step "gateway-base: jre-base + ${#toolbox[@]} packages"
  unpack "$rootfs" "${toolbox[@]}"
  configure "$rootfs"
  # The loader's cache knows the libraries of both layers (hard links: no copies).
  mkdir "$work/merged"
  cp -alf "$work/jre/." "$rootfs/." "$work/merged/"
  ldconfig -r "$work/merged"
  cp "$work/merged/etc/ld.so.cache" "$rootfs/etc/ld.so.cache"
  rm -rf "$work/merged"
  layer "$oci" gateway-base jre-base "$rootfs"
  push "$oci" gateway-base
fi

# --- sandbox ------------------------------------------------------------------------------------
if wants sandbox; then
  [ -x "$claude_binary" ] || fail "no Claude Code CLI at $claude_binary: run ./mvnw package -pl sandbox-gateway (or set RC_CLAUDE_BINARY)"
  rootfs="$work/sandbox"
  mapfile -t packages < <(closure "${sandbox_packages[@]}")
  step "sandbox: ${#packages[@]} packages and the Claude Code CLI"
  unpack "$rootfs" "${packages[@]}"
  configure "$rootfs"
  install -D -m 0755 "$claude_binary" "$rootfs/usr/local/bin/claude"
  printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nsandbox:x:1000:1000::/sandbox/home:/bin/sh\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nsandbox:x:1000:\n' >"$rootfs/etc/group"
  # Mount point of the sandbox's volume (workspace and home).
  mkdir -p "$rootfs/sandbox/workspace" "$rootfs/sandbox/home"
  layer "$oci" sandbox "" "$rootfs"
  umoci config --image "$oci:sandbox" --config.user 1000:1000 --config.workingdir /sandbox/workspace \
    --config.env PATH=/usr/local/bin:/usr/bin:/bin --config.env HOME=/sandbox/home
  push "$oci" sandbox
fi

# --- dashboard ----------------------------------------------------------------------------------
if wants dashboard; then
  static="$root/dashboard/src/main/resources/dev/remoteclaude/dashboard/static"
  [ -f "$static/index.html" ] || fail "no dashboard files in $static"
  rootfs="$work/dashboard"
  mapfile -t packages < <(closure "${dashboard_packages[@]}")
  step "dashboard: ${#packages[@]} packages and the dashboard's files"
  unpack "$rootfs" "${packages[@]}"
  configure "$rootfs"
  # The page's files, root's and read-only to nginx, in a directory of their own.
  install -d -m 0755 "$rootfs/usr/share/remote-claude/dashboard"
  install -m 0444 "$static"/*.* "$rootfs/usr/share/remote-claude/dashboard/"
  # nginx as an unprivileged user on a read-only root: pid, temporary files and logs away from
  # /var and /run; the server itself comes from conf.d (rendered by the entrypoint).
  rm -rf "$rootfs/etc/nginx/sites-enabled" "$rootfs/etc/nginx/sites-available" "$rootfs/etc/nginx/modules-enabled"
  cat >"$rootfs/etc/nginx/nginx.conf" <<'NGINX'
worker_processes auto;
pid /tmp/nginx.pid;
error_log stderr notice;
events {
    worker_connections 1024;
}
http {
    include /etc/nginx/mime.types;
    default_type application/octet-stream;
    access_log /dev/stdout;
    sendfile on;
    keepalive_timeout 65;
    client_body_temp_path /tmp/client_temp;
    proxy_temp_path /tmp/proxy_temp;
    fastcgi_temp_path /tmp/fastcgi_temp;
    uwsgi_temp_path /tmp/uwsgi_temp;
    scgi_temp_path /tmp/scgi_temp;
    include /etc/nginx/conf.d/*.conf;
}
NGINX
  # Mount points: the rendered server (an emptyDir), its template and config.json (ConfigMaps).
  mkdir -p "$rootfs/etc/nginx/conf.d" "$rootfs/etc/nginx/templates" "$rootfs/etc/rc/dashboard"
  # The entrypoint: only DASHBOARD_* variables are filled in, so nginx's own ($uri, ...) stay.
  mkdir -p "$rootfs/usr/local/bin"
  cat >"$rootfs/usr/local/bin/dashboard-entrypoint" <<'ENTRY'
#!/bin/sh
set -eu
vars="$(env | sed -n 's/^\(DASHBOARD_[A-Za-z0-9_]*\)=.*/${\1}/p' | tr '\n' ' ')"
for template in /etc/nginx/templates/*.template; do
  [ -e "$template" ] || continue
  name="$(basename "$template" .template)"
  envsubst "$vars" <"$template" >"/etc/nginx/conf.d/$name"
done
exec /usr/sbin/nginx -e stderr -g 'daemon off;'
ENTRY
  chmod 0755 "$rootfs/usr/local/bin/dashboard-entrypoint"
  printf 'root:x:0:0:root:/root:/usr/sbin/nologin\nnginx:x:101:101:nginx:/nonexistent:/usr/sbin/nologin\n' >"$rootfs/etc/passwd"
  printf 'root:x:0:\nnginx:x:101:\n' >"$rootfs/etc/group"
  layer "$oci" dashboard "" "$rootfs"
  umoci config --image "$oci:dashboard" --config.user 101:101 --config.workingdir / \
    --config.entrypoint /usr/local/bin/dashboard-entrypoint --config.exposedports 8080/tcp \
    --config.env PATH=/usr/local/bin:/usr/sbin:/usr/bin:/bin
  push "$oci" dashboard
fi
