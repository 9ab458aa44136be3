#!/usr/bin/env bash
# The unprivileged leg of the test command: the fault library as GitHub's runners run it, as a
# user who is not root, is in the docker group and has passwordless sudo — so every root step
# of the faults (nsenter, iptables, tee into cgroup.procs, dmesg) goes through `sudo -n`, and
# so do the tests' own leftover checks.
#
# Run as root (scripts/test.sh does). Idempotently: installs sudo if missing, creates the user
# (CHAOS_RUNNER_USER, default chaos-runner), adds it to the docker group and gives it
# passwordless sudo in /etc/sudoers.d/chaos-runner. Then, as that user:
#   1. the fault integration suites (__tests__/integration/faults/);
#   2. the packaged CLI on the example stack: network-partition (must pass) and memory-pressure
#      (its fault must be injected, measured and reverted; its thresholds judge the app, and
#      its outcome is reported), with the journal empty afterwards.
# The checkout is only read: it must be readable by the user (a world-readable checkout, as
# git makes it, is); otherwise a copy is made in the user's home. Everything the leg writes
# (jest's cache, temp files, results, journals) goes to a directory of the user's own.
# Usage: scripts/unprivileged-leg.sh [RESULTS_DIR]  (jest-style JSON summaries are copied there)
set -euo pipefail
cd "$(dirname "$0")/.."
# The example's image builds take the proxy's CAs as a build argument: the same value as the
# root legs, or compose would see a different build and rebuild (see scripts/lib/build-env.sh).
source scripts/lib/build-env.sh
REPO=$PWD
RUNNER="${CHAOS_RUNNER_USER:-chaos-runner}"
RESULTS="${1:-}"
SCALE="${CHAOS_E2E_SCALE:-0.5}"

say() { printf 'unprivileged-leg: %s\n' "$*"; }
die() { printf 'unprivileged-leg: error: %s\n' "$*" >&2; exit 1; }

[ "$(id -u)" -eq 0 ] || die "run it as root: it creates the user it runs as (this process is uid $(id -u))."

if ! command -v sudo >/dev/null 2>&1; then
  say "installing sudo"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends sudo >/dev/null 2>&1 ||
    { DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends sudo >/dev/null; } ||
    die "sudo is not installed and could not be installed with apt."
fi
getent group docker >/dev/null || die "there is no docker group: the engine's socket must be group docker for a non-root user."
if ! id -u "$RUNNER" >/dev/null 2>&1; then
  useradd --create-home --shell /bin/bash "$RUNNER"
  say "created user $RUNNER"
fi
id -nG "$RUNNER" | tr ' ' '\n' | grep -qx docker || { usermod -aG docker "$RUNNER"; say "added $RUNNER to the docker group"; }
SUDOERS=/etc/sudoers.d/chaos-runner
RULE="$RUNNER ALL=(ALL) NOPASSWD: ALL"
if [ "$(cat "$SUDOERS" 2>/dev/null)" != "$RULE" ]; then
  mkdir -p /etc/sudoers.d
  printf '%s\n' "$RULE" >"$SUDOERS.tmp"
  chmod 0440 "$SUDOERS.tmp"
  visudo -cqf "$SUDOERS.tmp" || { rm -f "$SUDOERS.tmp"; die "the sudoers rule for $RUNNER does not parse."; }
  mv "$SUDOERS.tmp" "$SUDOERS"
  say "passwordless sudo for $RUNNER ($SUDOERS)"
fi

HOME_DIR=$(getent passwd "$RUNNER" | cut -d: -f6)
WORK=$(sudo -u "$RUNNER" mktemp -d "$HOME_DIR/chaos-leg.XXXXXX")
as_runner() {
  sudo -u "$RUNNER" -H env PATH="$PATH" TMPDIR="$WORK/tmp" CI="${CI:-}" CHAOS_COMPOSE="${CHAOS_COMPOSE:-}" \
    CHAOS_EXPECT_PRIVILEGES=sudo NPM_CONFIG_UPDATE_NOTIFIER=false \
    EXTRA_CA_CERTS_PEM="${EXTRA_CA_CERTS_PEM:-}" "$@"
}
as_runner mkdir -p "$WORK/tmp" "$WORK/jest" "$WORK/cli"
as_runner sudo -n true || die "$RUNNER cannot use sudo -n."
as_runner docker info >/dev/null 2>&1 || die "$RUNNER cannot reach the Docker engine (docker group)."

# The checkout, as the user can read it.
if as_runner test -r "$REPO/package.json" -a -x "$REPO/node_modules/.bin/jest" -a -r "$REPO/dist/cli/index.js"; then
  CHECKOUT=$REPO
else
  CHECKOUT="$WORK/checkout"
  say "$RUNNER cannot read $REPO: copying it to $CHECKOUT"
  mkdir -p "$CHECKOUT"
  tar -C "$REPO" --exclude=.git -cf - . | tar -C "$CHECKOUT" -xf -
  chown -R "$RUNNER:" "$CHECKOUT"
fi
say "running as $(as_runner id -un) (uid $(id -u "$RUNNER"), groups: $(id -nG "$RUNNER")) in $CHECKOUT, writing to $WORK"

status=0
started=$(date +%s)
(cd "$CHECKOUT" && as_runner npx jest --selectProjects integration --runInBand --cacheDirectory "$WORK/jest" \
  --json --outputFile "$WORK/unprivileged-faults.json" --testPathPattern '__tests__/integration/faults/') || status=1
say "fault suites as $RUNNER: $(( $(date +%s) - started ))s"

# One packaged-CLI run on the example stack: the partition (iptables through sudo -n) and the
# memory pressure (OOM watch, dmesg through sudo -n) injected, measured and reverted.
started=$(date +%s)
set +e
(cd "$CHECKOUT" && as_runner node dist/cli/index.js run --compose examples/fraud-api/docker-compose.yml \
  --scenario network-partition --scenario memory-pressure --scale "$SCALE" \
  --results "$WORK/cli" --journal "$WORK/cli/journal.json") >"$WORK/cli.log" 2>&1
cli_code=$?
set -e
say "packaged CLI as $RUNNER: exit $cli_code in $(( $(date +%s) - started ))s (log: $WORK/cli.log)"
verdict=$(node -e '
  // network-partition must pass (the example is resilient to it). memory-pressure must have its
  // fault injected, measured and reverted; whether the app then meets the thresholds of that
  // scenario is for the scenario to judge, not this leg: its outcome is reported, not failed on.
  const fs = require("fs");
  const [dir, code] = process.argv.slice(1);
  const problems = [];
  const notes = [];
  let results = null;
  try { results = JSON.parse(fs.readFileSync(dir + "/results.json", "utf8")); } catch (e) { problems.push(`no results.json (exit code ${code})`); }
  for (const name of ["network-partition", "memory-pressure"]) {
    const s = results && results.scenarios.find((x) => x.name === name);
    if (!s) { if (results) problems.push(`${name}: no result`); continue; }
    const fault = s.fault || {};
    if (fault.injectedAtMs == null) problems.push(`${name}: fault not injected`);
    if (fault.revertedAtMs == null) problems.push(`${name}: fault not reverted`);
    const outcome = `${s.outcome}${s.reason ? " (" + s.reason + ")" : ""}`;
    if (name === "network-partition" && s.outcome !== "pass") problems.push(`${name}: ${outcome}`);
    if (name === "memory-pressure") {
      if (!["pass", "fail"].includes(s.outcome)) problems.push(`${name}: ${outcome}`);
      if (!(fault.evidence || []).some((l) => /OOM kills in the cgroup: \d/.test(l))) problems.push(`${name}: no OOM count read from the cgroup`);
      notes.push(`${name}: ${outcome}`);
    }
  }
  if (results && !["0", "1"].includes(code)) problems.push(`exit code ${code}`);
  if (fs.existsSync(dir + "/journal.json")) problems.push("journal not empty after the run");
  console.log(problems.length ? problems.join("; ") : ["ok", ...notes].join("; "));
' "$WORK/cli" "$cli_code")
if [ "${verdict%%;*}" = ok ]; then
  say "packaged CLI as $RUNNER: faults injected, measured and reverted, journal empty; network-partition passed${verdict#ok}"
else
  say "packaged CLI as $RUNNER failed: $verdict"
  tail -40 "$WORK/cli.log" >&2
  status=1
fi

if [ -n "$RESULTS" ]; then
  cp "$WORK/unprivileged-faults.json" "$RESULTS/" 2>/dev/null ||
    printf '{"numPassedTests":0,"numFailedTests":0,"numRuntimeErrorTestSuites":1}\n' >"$RESULTS/unprivileged-faults.json"
  if [ "${verdict%%;*}" = ok ]; then passed=1 failed=0; else passed=0 failed=1; fi
  printf '{"numPassedTests":%d,"numFailedTests":%d,"numRuntimeErrorTestSuites":0}\n' "$passed" "$failed" \
    >"$RESULTS/unprivileged-cli.json"
fi
[ "$status" -eq 0 ] && rm -rf "$WORK" || say "kept $WORK for a look"
exit $status
