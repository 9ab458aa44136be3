#!/usr/bin/env bash
# The whole test command (README's `npm test`): a Docker engine with Compose v2 (obtained if
# missing), the images built once, then unit, integration (real Docker) and end-to-end
# (packaged action and CLI) tests, and the dist/ freshness check. With CI=true, a Docker
# engine that cannot be obtained is a failure, never a skip.
#
# Who runs the tests: as on GitHub's runners, a user who is not root, is in the docker group
# and has passwordless sudo (scripts/lib/runner-user.sh creates one when this runs as root), so
# the faults' `sudo -n` paths are the ones exercised. Root's own path (no sudo) gets one leg of
# its own: the fault suites under Compose v1 (old self-hosted runners run as root and have v1).
#
# Legs, in order (each prints its time, and the table at the end lists them all):
# - images: the example's, the fixture stacks' and the public stacks' stand-ins, built once for every leg (fixed tags);
# - typecheck; unit tests beside `npm run package` (dist/ is rebuilt before the end-to-end legs
#   run it, and compared with the commit at the end);
# - the load generator's accuracy tests, alone (they time a local server to the millisecond);
# - the Docker integration suites, two at a time (unique compose projects; the paired-run
#   suites assert only what holds under any noise, so they share the machine too);
# - the fault suites twice, side by side: as the runner under Compose v2, and as root under
#   Compose v1 (with the stack suites, where the two composes differ);
# - end to end, two files at a time; then the `*.alone.test.ts` files one by one (the traffic
#   spike takes both cores by design: beside another stack it would measure the neighbour).
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/build-env.sh
source scripts/lib/runner-user.sh
started=$(date +%s)
leg_started=$started
legs=()
step() {
  local now
  now=$(date +%s)
  [ -n "${leg_name:-}" ] && legs+=("$(printf '%-58s %5ss' "$leg_name" "$((now - leg_started))")")
  leg_name="$*"
  leg_started=$now
  printf '\n=== %s (%ss)\n' "$*" "$((now - started))"
}

status=0
step "docker engine"
bash scripts/ensure-docker.sh --with-compose-v1
export CHAOS_COMPOSE=v2
ensure_runner_user
results_dir=$(as_runner mktemp -d)
jest_cache=$(runner_jest_cache)
# The rendered-report test writes its screenshot to test-artifacts/ in the checkout.
mkdir -p test-artifacts
runner_is_separate && chown "$RUNNER_USER" test-artifacts
if ! as_runner test -r package.json -a -x node_modules/.bin/jest -a -w test-artifacts; then
  echo "test: $RUNNER_USER cannot read this checkout ($PWD): make it world-readable, or run the tests as a user with sudo" >&2
  exit 1
fi

step "images: the example's and the fixture stacks' (built once for every leg)"
bash scripts/build-images.sh
bash __tests__/fixtures/stacks/build.sh
bash __tests__/fixtures/public-stacks/stand-ins/build.sh
bash scripts/ensure-chromium.sh || status=1

step "typecheck"
npx tsc -p tsconfig.json --noEmit || status=1

# jest PROJECT [ARGS...]: one jest run as the runner, its summary kept for the count at the end.
run_jest() {
  local name=$1 project=$2
  shift 2
  as_runner npx jest --selectProjects "$project" --cacheDirectory "$jest_cache" --json \
    --outputFile "$results_dir/$name.json" "$@"
}

step "unit tests, beside npm run package (dist/)"
package_log=$(mktemp)
npm run -s package >"$package_log" 2>&1 &
package_pid=$!
run_jest unit unit --maxWorkers=1 || status=1
if ! wait "$package_pid"; then
  cat "$package_log" >&2
  echo "npm run package failed" >&2
  status=1
fi
rm -f "$package_log"

step "integration: the load generator, alone"
run_jest integration-load integration --runInBand --testPathPattern '__tests__/integration/load/' || status=1

step "integration: the Docker suites, two at a time"
run_jest integration-docker integration --maxWorkers=2 \
  --testPathIgnorePatterns '__tests__/integration/(load|faults)/' || status=1

step "integration: the fault suites as the runner (Compose v2) and as root (Compose v1), side by side"
v1_log=$(mktemp)
v1_pid=
if [ -n "$(docker-compose version --short 2>/dev/null | grep '^1\.' || true)" ]; then
  # Root's path (no sudo) when this runs as root; as this user otherwise.
  expect=$(runner_is_separate && echo root || echo '')
  CHAOS_COMPOSE=v1 CHAOS_EXPECT_PRIVILEGES=$expect npx jest --selectProjects integration --runInBand \
    --json --outputFile "$results_dir/integration-faults-v1.json" \
    --testPathPattern '__tests__/integration/(stack|faults)/' >"$v1_log" 2>&1 &
  v1_pid=$!
elif [ "${CI:-}" = true ] && [ "${GITHUB_ACTIONS:-}" != true ]; then
  echo "compose v1 leg: no docker-compose 1.x here, and CI=true: failing (scripts/ensure-docker.sh --with-compose-v1 installs it on Debian 12)" >&2
  status=1
else
  echo "compose v1 leg: skipped (no docker-compose 1.x on this machine; GitHub's runners have v2 only)"
fi
run_jest integration-faults integration --runInBand --testPathPattern '__tests__/integration/faults/' || status=1
if [ -n "$v1_pid" ]; then
  v1_status=0
  wait "$v1_pid" || v1_status=1
  echo "--- the fault and stack suites under Compose v1$(runner_is_separate && echo ', as root'):"
  cat "$v1_log"
  [ "$v1_status" -eq 0 ] || status=1
fi
rm -f "$v1_log"

step "end to end: the packaged action and CLI, two files at a time"
run_jest e2e e2e --maxWorkers=2 --testPathIgnorePatterns '\.alone\.test\.ts$' || status=1

step "end to end: the files that take the whole machine, alone"
run_jest e2e-alone e2e --runInBand --testPathPattern '\.alone\.test\.ts$' || status=1

step "dist/ is current"
if [ -n "$(git status --porcelain -- dist)" ]; then
  git status --porcelain -- dist | head -20
  echo "dist/ is stale: run 'npm run package' and commit dist/" >&2
  status=1
fi

step "done"
node -e '
  const fs = require("fs"); let passed = 0, failed = 0;
  for (const f of fs.readdirSync(process.argv[1])) {
    const r = JSON.parse(fs.readFileSync(process.argv[1] + "/" + f, "utf8"));
    passed += r.numPassedTests; failed += r.numFailedTests + r.numRuntimeErrorTestSuites;
  }
  console.log(`tests: ${passed} passed, ${failed} failed`);
' "$results_dir" || status=1
printf '\nlegs:\n'
printf '  %s\n' "${legs[@]}"
printf '  %-58s %5ss\n' "total" "$(($(date +%s) - started))"
echo "exit $status"
runner_cleanup "$status"
exit $status
