#!/usr/bin/env bash
# `npm run try:public-stacks [STACK ...]`: what a new user sees on the public stacks
# (__tests__/fixtures/public-stacks/README.md). For each stack: a fresh checkout with its local
# override, `chaos-action init` with no flags, then `chaos-action run --suite full --scale 0.5`,
# printing init's output and the verdict table. Results stay in $CHAOS_TRY_RESULTS (default a
# temporary folder, printed at the end). Takes about 15 minutes a stack on 2 cores.
#
# The Docker lock (/tmp/chaos-docker.lock) is held per stack: the stand-ins' build, then each
# stack's run, one at a time; other work on the machine gets the engine between stacks.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/lib/build-env.sh
lock=${CHAOS_DOCKER_LOCK:-/tmp/chaos-docker.lock}
tsx="$PWD/node_modules/.bin/tsx"
cli="$PWD/src/cli/main.ts"
stacks=("$@")
[ ${#stacks[@]} -gt 0 ] || stacks=(flask-redis nginx-nodejs-redis nginx-flask-mysql nginx-golang-postgres)
results=${CHAOS_TRY_RESULTS:-$(mktemp -d /tmp/chaos-try-public-XXXXXX)}
mkdir -p "$results"

flock "$lock" bash __tests__/fixtures/public-stacks/stand-ins/build.sh
status=0
for stack in "${stacks[@]}"; do
  dir=$("$tsx" -e "process.stdout.write(require('./__tests__/helpers/public-stacks').checkoutPublicStack('$stack'))")
  printf '\n==================== %s (%s)\n$ chaos-action init\n' "$stack" "$dir"
  (cd "$dir" && "$tsx" "$cli" init 2>&1) || status=1
  printf '\n$ chaos-action run --suite full --scale 0.5\n'
  started=$(date +%s)
  rc=0
  (cd "$dir" && flock "$lock" "$tsx" "$cli" run --suite full --scale 0.5 --results "$results/$stack" 2>&1 |
    grep -v -E '^\s*$') || rc=$?
  echo "exit ${rc} after $(($(date +%s) - started))s; results in $results/$stack"
  # compose names a built image after the run's project, which is gone: its images need not stay.
  project=$(node -e 'try { process.stdout.write(require(process.argv[1]).project) } catch {}' "$results/$stack/results.json")
  if [ -n "$project" ]; then
    docker image ls -q --filter "label=com.docker.compose.project=$project" | xargs -r docker image rm -f >/dev/null 2>&1 || true
  fi
  rm -rf "$dir"
done
echo "results: $results"
exit $status
