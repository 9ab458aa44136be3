#!/usr/bin/env bash
# Builds the example stack's images once: they carry fixed `image:` names, so every compose
# project of the tests and the demo reuses them instead of building its own. Nothing else: the
# demo runs only the example, and the test command builds the fixture stacks itself.
set -euo pipefail
cd "$(dirname "$0")/.."
compose=(docker compose)
docker compose version >/dev/null 2>&1 || compose=(docker-compose)
started=$(date +%s)
source scripts/lib/build-env.sh
log=$(mktemp)
if ! "${compose[@]}" -p chaos-action-build -f examples/fraud-api/docker-compose.yml build --quiet >"$log" 2>&1; then
  grep -v -E 'DEPRECATED|buildx|^ *$' "$log" | tail -30 >&2
  echo "build-images: building the example images failed (full log: $log)" >&2
  exit 1
fi
rm -f "$log"
echo "build-images: example images ready in $(( $(date +%s) - started ))s"
