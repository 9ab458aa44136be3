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
# Integration suites use unique compose projects, so two of them can run side by side.
run_jest integration --maxWorkers=2 || status=1
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
