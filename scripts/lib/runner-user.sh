# Sourced by scripts/test.sh: the test command's runner, a user like GitHub's `runner` (not
# root, in the docker group, passwordless sudo), so that every root step of the faults
# (nsenter, iptables, tee into cgroup.procs, dmesg) goes through `sudo -n` as it does for our
# users. Run as root, `ensure_runner_user` creates it idempotently (CHAOS_RUNNER_USER, default
# chaos-runner; sudo installed with apt if missing; /etc/sudoers.d/chaos-runner) and
# `as_runner CMD...` runs a command as it, with a home, a TMPDIR and a jest cache of its own.
# Run as anyone else (GitHub's runner itself, a developer with sudo), there is nothing to
# create: `as_runner` runs the command as this user.

RUNNER_USER="${CHAOS_RUNNER_USER:-chaos-runner}"

runner_say() { printf 'runner: %s\n' "$*"; }
runner_die() { printf 'runner: error: %s\n' "$*" >&2; exit 1; }

# True when this process is root and the runner is another user.
runner_is_separate() { [ "$(id -u)" -eq 0 ]; }

ensure_runner_user() {
  runner_is_separate || return 0
  if ! command -v sudo >/dev/null 2>&1; then
    runner_say "installing sudo"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends sudo >/dev/null 2>&1 ||
      { DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null &&
        DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends sudo >/dev/null; } ||
      runner_die "sudo is not installed and could not be installed with apt."
  fi
  getent group docker >/dev/null || runner_die "there is no docker group: the engine's socket must be group docker for a non-root user."
  if ! id -u "$RUNNER_USER" >/dev/null 2>&1; then
    useradd --create-home --shell /bin/bash "$RUNNER_USER"
    runner_say "created user $RUNNER_USER"
  fi
  id -nG "$RUNNER_USER" | tr ' ' '\n' | grep -qx docker || { usermod -aG docker "$RUNNER_USER"; runner_say "added $RUNNER_USER to the docker group"; }
  local sudoers=/etc/sudoers.d/chaos-runner rule="$RUNNER_USER ALL=(ALL) NOPASSWD: ALL"
  if [ "$(cat "$sudoers" 2>/dev/null)" != "$rule" ]; then
    mkdir -p /etc/sudoers.d
    printf '%s\n' "$rule" >"$sudoers.tmp"
    chmod 0440 "$sudoers.tmp"
    visudo -cqf "$sudoers.tmp" || { rm -f "$sudoers.tmp"; runner_die "the sudoers rule for $RUNNER_USER does not parse."; }
    mv "$sudoers.tmp" "$sudoers"
    runner_say "passwordless sudo for $RUNNER_USER ($sudoers)"
  fi
  RUNNER_HOME=$(getent passwd "$RUNNER_USER" | cut -d: -f6)
  RUNNER_WORK=$(sudo -u "$RUNNER_USER" mktemp -d "$RUNNER_HOME/chaos-test.XXXXXX")
  sudo -u "$RUNNER_USER" mkdir -p "$RUNNER_WORK/tmp" "$RUNNER_HOME/.cache/chaos-action-jest"
  as_runner sudo -n true || runner_die "$RUNNER_USER cannot use sudo -n."
  as_runner docker info >/dev/null 2>&1 || runner_die "$RUNNER_USER cannot reach the Docker engine (docker group)."
  runner_say "tests run as $RUNNER_USER (uid $(id -u "$RUNNER_USER"), groups: $(id -nG "$RUNNER_USER")), writing to $RUNNER_WORK"
}

# The jest cache of whoever runs the tests: kept between runs, so jest knows how long each file
# took and starts the longest first.
runner_jest_cache() {
  if runner_is_separate; then printf '%s\n' "$RUNNER_HOME/.cache/chaos-action-jest"; else printf '%s\n' "${TMPDIR:-/tmp}/chaos-action-jest-$(id -u)"; fi
}

# The variables a test run passes on to the runner (only those that are set: an empty
# CHAOS_E2E_SCALE is not "unset").
RUNNER_PASS_ENV=(CI GITHUB_ACTIONS CHAOS_COMPOSE CHAOS_E2E_SCALE CHAOS_CRASH_ROUNDS CHAOS_CHROMIUM EXTRA_CA_CERTS_PEM)

as_runner() {
  if ! runner_is_separate; then "$@"; return; fi
  local pass=() name
  for name in "${RUNNER_PASS_ENV[@]}"; do
    if [ -n "${!name+set}" ]; then pass+=("$name=${!name}"); fi
  done
  sudo -u "$RUNNER_USER" -H env PATH="$PATH" TMPDIR="$RUNNER_WORK/tmp" CHAOS_EXPECT_PRIVILEGES=sudo \
    NPM_CONFIG_UPDATE_NOTIFIER=false "${pass[@]}" "$@"
}

# The runner's files go when the run passed; a failed run keeps them for a look.
runner_cleanup() {
  runner_is_separate || return 0
  if [ "$1" -eq 0 ]; then rm -rf "$RUNNER_WORK"; else runner_say "kept $RUNNER_WORK for a look"; fi
}
