#!/usr/bin/env bash
# Dependency caches: the second session start of a repository whose setup runs `npm ci` (real npm
# against registry.npmjs.org, the local provider) against the first, three rounds of a new owner
# each. Prints the table and writes it to sandbox-gateway/target/benchmarks/dependency-cache.md.
#   deploy/bench/dependency-cache.sh
# See docs/benchmarks.md "Dependency cache: second session start with npm ci".
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
command -v npm >/dev/null || { echo "npm is needed on this machine" >&2; exit 1; }
./mvnw -B -o verify -Pbench -pl sandbox-gateway -am \
  -Dsurefire.failIfNoSpecifiedTests=false \
  -Dtest='dev/remoteclaude/gateway/bench/DependencyCacheBenchmark*' > "${TMPDIR:-/tmp}/dependency-cache-bench.log" 2>&1 \
  || { tail -50 "${TMPDIR:-/tmp}/dependency-cache-bench.log" >&2; exit 1; }
cat sandbox-gateway/target/benchmarks/dependency-cache.md
