#!/usr/bin/env bash
# The whole test command (README's `npm test`): a Docker engine (obtained if missing),
# the example images built once, then unit, integration (real Docker) and end-to-end
# (packaged action) tests, and the dist/ freshness check. With CI=true, a Docker engine
# that cannot be obtained is a failure, never a skip.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/build-env.sh
started=$(date +%s)
step() { printf '\n=== %s (%ss)\n' "$*" "$(( $(date +%s) - started ))"; }

step "docker engine"
bash scripts/ensure-docker.sh

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
# The Docker suites use unique compose projects, so two of them can run side by side.
step "jest: integration (Docker)"
npx jest --selectProjects integration --maxWorkers=2 --json --outputFile "$results_dir/integration-docker.json" \
  --testPathIgnorePatterns '__tests__/integration/load/' || status=1
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
