#!/usr/bin/env bash
# Builds the images of the five Quarkus services with Jib (the Maven profile `images`) and pushes
# them to a registry. No Docker daemon: Jib builds the layers from the fast-jar and pushes them itself.
#
#   RC_REGISTRY=registry.example.com k8s/build-images.sh [Maven arguments]
#
# RC_SERVICES (comma-separated) builds only some of them, e.g. RC_SERVICES=billing-service.
# Images: $RC_REGISTRY/remote-claude/<service>:<project version>, user 1001, on
# eclipse-temurin:25-jre-noble. Maven arguments override the defaults of the root pom's profile
# `images`, e.g. -Dquarkus.container-image.tag=0.1.0, -Dquarkus.container-image.group=...,
# -Dquarkus.jib.base-jvm-image=...@sha256:... (pin the base for releases), or
# -Dquarkus.container-image.insecure=true for a registry without TLS. Credentials for the registry
# come from ~/.docker/config.json (or $DOCKER_CONFIG, or podman's auth.json), or from
# QUARKUS_CONTAINER_IMAGE_USERNAME and QUARKUS_CONTAINER_IMAGE_PASSWORD.
#
# The gateway image carries the Claude Code CLI (/opt/claude/bin/claude). RC_GATEWAY_BASE names its
# base image, e.g. $RC_REGISTRY/remote-claude/gateway-base:<version> from k8s/images/build-bases.sh
# (the JRE, bubblewrap, git and the sandboxes' toolbox); without it the gateway gets the default
# base, which has no bubblewrap (see k8s/README.md "Build and push the images").
# k8s/images/test-jib.sh tests this build against a local registry.
set -euo pipefail

: "${RC_REGISTRY:?set RC_REGISTRY to the registry to push to (host[:port])}"
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
services="${RC_SERVICES:-session-service,task-service,repository-service,billing-service,sandbox-gateway}"
# run-only: an image needs neither the tests nor the formatter check (./mvnw verify runs those).
build() {
  ./mvnw -B package -Pimages,run-only -pl "$1" -am -Dquarkus.container-image.registry="$RC_REGISTRY" "${@:2}"
}
if [ -n "${RC_GATEWAY_BASE:-}" ] && [[ ",$services," == *,sandbox-gateway,* ]]; then
  # The gateway on its own base: a second build (the last -D of a property wins).
  others="$(tr ',' '\n' <<<"$services" | grep -vx sandbox-gateway | paste -sd, || true)"
  [ -z "$others" ] || build "$others" "$@"
  build sandbox-gateway "$@" -Dquarkus.jib.base-jvm-image="$RC_GATEWAY_BASE"
else
  build "$services" "$@"
fi
