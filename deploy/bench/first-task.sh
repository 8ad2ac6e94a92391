#!/usr/bin/env bash
# Times what a newcomer waits for: from `./rc up` to the first line Claude streams back in a
# session on the demo repository. Prints the seconds to "up" and to the first streamed line.
#   deploy/bench/first-task.sh            as the checkout is (cold or warm caches, built or not)
# Stops the platform it started. See docs/benchmarks.md.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
cd "$ROOT"
start=$(date +%s%3N)
log="$(mktemp)"
./rc up > "$log" 2>&1 &
up_pid=$!
session=""
cleanup() {
  # The session goes away with the run: a later run starts with no sandbox to bring back.
  if [ -n "$session" ]; then
    ./rc cli --url "$base" --token "$token" session rm "$session" >/dev/null 2>&1 || true
  fi
  ./rc down >/dev/null 2>&1 || kill "$up_pid" 2>/dev/null || true
  rm -f "$log"
}
trap cleanup EXIT
until grep -q "Remote Claude is up" "$log"; do
  if ! kill -0 "$up_pid" 2>/dev/null; then cat "$log" >&2; exit 1; fi
  sleep 0.2
done
up=$(date +%s%3N)
base=$(grep -o 'Base URL *http://[^ ]*' "$log" | awk '{print $3}')
token=$(./rc token bench-user)
repo=$(grep -o 'file://[^ ]*demo-repo' "$log" | head -1)
session=$(./rc cli --url "$base" --token "$token" -o json session create --repo "$repo" --wait \
  | grep -o '"id" *: *"[^"]*"' | head -1 | sed 's/.*"\([^"]*\)"$/\1/')
first=""
while IFS= read -r line; do
  if [ -z "$first" ] && [ -n "$line" ]; then first=$(date +%s%3N); fi
done < <(./rc cli --url "$base" --token "$token" task run "$session" "Add a hello world script" 2>&1)
cat "$log" | sed -n '1,/Remote Claude is up/p'
printf 'up after %.1f s; first streamed line after %.1f s (session and task included)\n' \
  "$(echo "($up - $start) / 1000" | bc -l)" "$(echo "($first - $start) / 1000" | bc -l)"
