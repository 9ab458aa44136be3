#!/usr/bin/env bash
# The whole test command (README's `npm test`): a Docker engine with Compose v2 (obtained if
# missing), the example images built once, then unit, integration (real Docker) and
# end-to-end (packaged action) tests, and the dist/ freshness check. With CI=true, a Docker
# engine that cannot be obtained is a failure, never a skip.
#
# Legs, and why this split (about 12 min before the two extra legs, about 16 with them; the
# budget is well under 25):
# - everything runs under Compose v2 (CHAOS_COMPOSE=v2), as users have it;
# - the Compose v1 leg runs the stack and fault integration suites once more under
#   docker-compose 1.x (old self-hosted runners): those are where the two composes differ
#   (container naming, labels, up/down/health, restarts, an override added to a running
#   project). The example, CLI and end-to-end suites drive the same ComposeStack, so running
#   them twice would repeat the slowest part (the e2e suites) for no new path: ~1 min instead;
# - the unprivileged leg (when this runs as root) runs the fault suites and one packaged-CLI
#   run (network-partition + memory-pressure on the example) as a user with passwordless sudo,
#   so the `sudo -n` paths run as on GitHub's runners (scripts/unprivileged-leg.sh, ~3 min).
#   Where this already runs unprivileged (GitHub: user `runner`), the main legs are that leg.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/build-env.sh
started=$(date +%s)
step() { printf '\n=== %s (%ss)\n' "$*" "$(( $(date +%s) - started ))"; }

step "docker engine"
bash scripts/ensure-docker.sh --with-compose-v1
export CHAOS_COMPOSE=v2

step "example images (built once for the whole run)"
bash scripts/build-images.sh

step "typecheck"
npx tsc -p tsconfig.json --noEmit

results_dir=$(mktemp -d)
run_jest() {
  local project=$1; shift
  step "jest: $project"
  npx jest --selectProjects "$project" --json --outputFile "$results_dir/$project.json" "$@"
}
status=0
run_jest unit || status=1
# The load generator's accuracy tests time a local server to the millisecond: they run alone.
step "jest: integration (load generator, alone)"
npx jest --selectProjects integration --runInBand --json --outputFile "$results_dir/integration-load.json" \
  --testPathPattern '__tests__/integration/load/' || status=1
# The Docker suites use unique compose projects, so two of them can run side by side; the
# paired-run suites (two stacks at once, judged on intervals that widen with machine noise) and
# calibrate run alone afterwards.
ALONE='__tests__/integration/(example/paired|cli/calibrate)'
step "jest: integration (Docker)"
npx jest --selectProjects integration --maxWorkers=2 --json --outputFile "$results_dir/integration-docker.json" \
  --testPathIgnorePatterns '__tests__/integration/load/' "$ALONE" || status=1
step "jest: integration (paired stacks, alone)"
npx jest --selectProjects integration --runInBand --json --outputFile "$results_dir/integration-paired.json" \
  --testPathPattern "$ALONE" || status=1
leg_started=$(date +%s)
if [ -n "$(docker-compose version --short 2>/dev/null | grep '^1\.' || true)" ]; then
  step "jest: integration under Compose v1 (stack, faults)"
  CHAOS_COMPOSE=v1 npx jest --selectProjects integration --maxWorkers=2 --json \
    --outputFile "$results_dir/integration-compose-v1.json" \
    --testPathPattern '__tests__/integration/(stack|faults)/' || status=1
  echo "compose v1 leg: $(( $(date +%s) - leg_started ))s"
elif [ "${CI:-}" = true ] && [ "${GITHUB_ACTIONS:-}" != true ]; then
  echo "compose v1 leg: no docker-compose 1.x here, and CI=true: failing (scripts/ensure-docker.sh --with-compose-v1 installs it on Debian 12)" >&2
  status=1
else
  echo "compose v1 leg: skipped (no docker-compose 1.x on this machine; GitHub's runners have v2 only)"
fi
if [ "$(id -u)" -eq 0 ]; then
  step "unprivileged leg (fault suites + packaged CLI as a user with sudo -n)"
  leg_started=$(date +%s)
  bash scripts/unprivileged-leg.sh "$results_dir" || status=1
  echo "unprivileged leg: $(( $(date +%s) - leg_started ))s"
else
  echo "unprivileged leg: this run is already unprivileged (uid $(id -u)); the suites above took the sudo -n paths"
fi
# End to end: the packaged CLI and action on the example stack, one at a time (they measure latency).
# The report test renders the PR comment in headless Chromium (installed if missing).
step "chromium (for the rendered-report test)"
bash scripts/ensure-chromium.sh || status=1
run_jest e2e --runInBand || status=1

step "dist/ is current"
npm run -s package
if [ -n "$(git status --porcelain -- dist)" ]; then
  git status --porcelain -- dist | head -20
  echo "dist/ is stale: run 'npm run package' and commit dist/" >&2
  status=1
fi

node -e '
  const fs = require("fs"); let passed = 0, failed = 0;
  for (const f of fs.readdirSync(process.argv[1])) {
    const r = JSON.parse(fs.readFileSync(process.argv[1] + "/" + f, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests + r.numRuntimeErrorTestSuites;
  }
  console.log(`\ntests: ${passed} passed, ${failed} failed`);
' "$results_dir"
step "done (exit $status)"
exit $status
