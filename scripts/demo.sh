#!/usr/bin/env bash
# README's demo: obtains Docker if needed, builds the example images, and runs the
# default suite (telemetry sink down + the 100-user load test) on the example stack with
# the packaged CLI, exactly as a developer reproducing the PR gate would.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/build-env.sh
bash scripts/ensure-docker.sh
bash scripts/build-images.sh
exec node dist/cli/index.js run \
  --config-file examples/fraud-api/chaos-action.yml \
  --suite "${CHAOS_SUITE:-default}" \
  --results-dir .chaos-action/demo \
  --journal-path .chaos-action/demo/journal.json \
  "$@"
