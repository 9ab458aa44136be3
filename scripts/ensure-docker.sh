#!/usr/bin/env bash
# Gives the machine the Docker that users have: a working engine, Compose v2
# (`docker compose`) and the base image `debian:bookworm-slim`.
#
# - A machine that already has an engine and Compose v2 (a GitHub runner, a laptop) is left
#   alone. On GitHub Actions nothing is ever installed: the runner's Docker is used as it is.
# - Compose v2 in every case. Where the release has no Compose v2 package of its own (Debian
#   12), the plugin binary is taken from the current Debian release's `docker-compose` package
#   (2.x; it needs only libc >= 2.34) and placed in the Docker CLI's plugin directory. The
#   release's own `docker-compose` v1 package is not touched (the v1 test leg uses it).
# - The engine. No engine: installed with apt. On a Debian release older than the current one
#   (whose docker.io is 20.10), `docker.io`, `docker-cli` and `containerd` come from the
#   current release (docker.io 26), with an apt pin limited to those three packages: every
#   other package, their dependencies included, stays on the machine's own release. An
#   installed Debian docker.io older than that is upgraded the same way, but a *running*
#   engine only with CHAOS_ENGINE_UPGRADE=yes (the upgrade restarts the daemon, stopping every
#   container on it).
#
# Options (environment):
#   CHAOS_ENGINE_UPGRADE=auto|yes|no|simulate  auto (default): upgrade an old engine that is
#       not running; yes: also a running one; no: never; simulate: print what apt would do
#       (`apt-get -s`, in a private copy of the apt configuration) and change nothing.
#   CHAOS_MIN_ENGINE_MAJOR (default 26), CHAOS_DOCKER_SUITE (default trixie).
# Flags: --with-compose-v1  also install the release's Compose v1 (`docker-compose`) where it
#        has one (for the v1 test leg); --simulate-engine-upgrade  the simulation alone.
# Idempotent; prints each thing it did; fails with one clear sentence.
set -euo pipefail

BASE_IMAGE="${CHAOS_BASE_IMAGE:-debian:bookworm-slim}"
DOCKERD_LOG="${CHAOS_DOCKERD_LOG:-/var/log/chaos-action-dockerd.log}"
SOCKET_WAIT_SECONDS="${CHAOS_DOCKERD_WAIT:-60}"
ENGINE_UPGRADE="${CHAOS_ENGINE_UPGRADE:-auto}"
MIN_ENGINE_MAJOR="${CHAOS_MIN_ENGINE_MAJOR:-26}"
# The current Debian release: docker.io 26.1, containerd 1.7, docker-compose 2.26.
SUITE="${CHAOS_DOCKER_SUITE:-trixie}"
SUITE_VERSION_ID=13
# What the pin lets come from $SUITE, and nothing else: trixie split the client out of docker.io.
ENGINE_PACKAGES=(docker.io docker-cli containerd)
PLUGIN_DIR=/usr/local/lib/docker/cli-plugins
APT_SOURCE_NAME=chaos-action-docker

WITH_COMPOSE_V1=0
SIMULATE_ONLY=0
for arg in "$@"; do
  case "$arg" in
    --with-compose-v1) WITH_COMPOSE_V1=1 ;;
    --simulate-engine-upgrade) SIMULATE_ONLY=1 ;;
    *) printf 'ensure-docker: error: unknown argument %s\n' "$arg" >&2; exit 2 ;;
  esac
done
case "$ENGINE_UPGRADE" in auto | yes | no | simulate) ;; *)
  printf 'ensure-docker: error: CHAOS_ENGINE_UPGRADE=%s: use auto, yes, no or simulate\n' "$ENGINE_UPGRADE" >&2; exit 2 ;;
esac

say() { printf 'ensure-docker: %s\n' "$*"; }
die() { printf 'ensure-docker: error: %s\n' "$*" >&2; exit 1; }

can_root() { [ "$(id -u)" -eq 0 ] || { command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; }; }
as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@";
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo -n "$@";
  else return 126; fi
}
need_root() { can_root || die "$1 needs root or passwordless sudo; $2"; }

os_field() { [ -r /etc/os-release ] && sed -n "s/^$1=//p" /etc/os-release | tr -d '"' | head -1; }
is_debian_like() { [ -r /etc/os-release ] && grep -qiE '^(ID|ID_LIKE)=.*(debian|ubuntu)' /etc/os-release; }
# Plain Debian older than $SUITE: its own Docker packages are too old, $SUITE's install on it.
is_old_debian() {
  [ "$(os_field ID)" = debian ] || return 1
  local version
  version=$(os_field VERSION_ID)
  [ -n "$version" ] && [ "${version%%.*}" -lt "$SUITE_VERSION_ID" ]
}

engine_answers() { docker info >/dev/null 2>&1; }
engine_version() { docker version --format '{{.Server.Version}}' 2>/dev/null || true; }
compose_v2_version() { docker compose version --short 2>/dev/null || true; }
compose_v1_version() {
  command -v docker-compose >/dev/null 2>&1 || return 0
  local v
  v=$(docker-compose version --short 2>/dev/null || true)
  case "$v" in 1.*) echo "$v" ;; esac
}
major_of() { local v=${1#v}; echo "${v%%.*}"; }

on_github() { [ "${GITHUB_ACTIONS:-}" = true ]; }

# ---------------------------------------------------------------------------------------
# apt, with $SUITE pinned to the engine packages.

APT_OPTS=()
apt_run() { as_root env DEBIAN_FRONTEND=noninteractive apt-get "${APT_OPTS[@]}" "$@"; }

apt_install() {
  is_debian_like || die "cannot install $* here: this is not Debian or Ubuntu; install Docker and run again."
  need_root "installing $*" "install Docker and Compose v2 and run again."
  say "installing $* with apt"
  APT_OPTS=()
  apt_run update -qq >/dev/null
  apt_run install -y -qq --no-install-recommends "$@" >/dev/null
}

# The machine's Debian mirror (a local mirror or proxy is kept), else deb.debian.org.
debian_mirror() {
  local uri
  uri=$(cat /etc/apt/sources.list.d/*.sources 2>/dev/null | sed -n 's/^URIs:[[:space:]]*//p' |
    tr ' ' '\n' | grep -E '/debian/?$' | head -1 || true)
  [ -n "$uri" ] || uri=$(cat /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null |
    awk '$1 == "deb" { for (i = 2; i <= NF; i++) if ($i ~ /^(https?|file):/) { print $i; exit } }' |
    grep -E '/debian/?$' | head -1 || true)
  echo "${uri:-http://deb.debian.org/debian}"
}

# Writes the $SUITE source and the pin into SOURCES_DIR and PREFS_DIR. The pin: every package
# of $SUITE at -1 (never installed), except the engine packages at 990.
write_suite_apt_files() {
  local sources_dir=$1 prefs_dir=$2
  as_root mkdir -p "$sources_dir" "$prefs_dir"
  as_root tee "$sources_dir/$APT_SOURCE_NAME.sources" >/dev/null <<EOF
# Written by chaos-action's scripts/ensure-docker.sh: Docker's engine packages from Debian $SUITE
# (see $prefs_dir/$APT_SOURCE_NAME: nothing else is taken from it).
Types: deb
URIs: $(debian_mirror)
Suites: $SUITE
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
  as_root tee "$prefs_dir/$APT_SOURCE_NAME" >/dev/null <<EOF
# Written by chaos-action's scripts/ensure-docker.sh.
Explanation: only the Docker engine packages come from $SUITE
Package: ${ENGINE_PACKAGES[*]}
Pin: release n=$SUITE
Pin-Priority: 990

Explanation: nothing else comes from $SUITE, dependencies included
Package: *
Pin: release n=$SUITE
Pin-Priority: -1
EOF
}

# A private apt configuration in DIR: the machine's sources and pins (when $2 = with-machine),
# plus $SUITE pinned, its own lists and cache. The machine's dpkg state is read, never written
# (only `apt-get download` and `apt-get -s` are run with it).
use_overlay_apt() {
  local dir=$1 with_machine=$2
  mkdir -p "$dir/sources" "$dir/prefs" "$dir/lists/partial" "$dir/cache/archives/partial"
  if [ "$with_machine" = with-machine ]; then
    cp /etc/apt/sources.list.d/*.sources /etc/apt/sources.list.d/*.list "$dir/sources/" 2>/dev/null || true
    [ -f /etc/apt/sources.list ] && cp /etc/apt/sources.list "$dir/sources/machine.list"
    cp /etc/apt/preferences.d/* "$dir/prefs/" 2>/dev/null || true
    [ -f /etc/apt/preferences ] && cp /etc/apt/preferences "$dir/prefs/machine.pref"
    # The machine's lists as a start: apt then only revalidates them.
    cp -a /var/lib/apt/lists/. "$dir/lists/" 2>/dev/null || true
    rm -f "$dir/lists/lock"
  fi
  write_suite_apt_files "$dir/sources" "$dir/prefs"
  APT_OPTS=(
    -o "Dir::Etc::SourceList=/dev/null" -o "Dir::Etc::SourceParts=$dir/sources"
    -o "Dir::Etc::Preferences=/dev/null" -o "Dir::Etc::PreferencesParts=$dir/prefs"
    -o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/cache"
    -o "APT::Sandbox::User=root"
  )
}

# Reads `apt-get -s install` output: every upgrade must be an engine package, nothing may be
# removed. Prints the plan; fails naming anything else it would change.
check_engine_plan() {
  local plan=$1 bad
  bad=$(printf '%s\n' "$plan" | awk -v allowed=" ${ENGINE_PACKAGES[*]} " '
    $1 == "Remv" { print "would remove " $2 }
    $1 == "Inst" && $3 ~ /^\[/ && index(allowed, " " $2 " ") == 0 { print "would upgrade " $2 " " $3 }')
  printf '%s\n' "$plan" | grep -E '^(Inst|Remv) |upgraded, .* newly installed' | sed 's/^/  /' || true
  [ -z "$bad" ] || die "the pinned engine install would change more than the engine packages: $(echo "$bad" | paste -sd ';' -)"
}

ENGINE_INSTALL=(install --no-install-recommends -o Dpkg::Options::=--force-confold)

simulate_engine_upgrade() {
  is_old_debian || { say "simulation: this is not a Debian release older than $SUITE; nothing to simulate"; return 0; }
  need_root "the apt simulation (apt-get update in a private directory)" "run it as root."
  local dir
  dir=$(mktemp -d /tmp/chaos-apt-sim.XXXXXX)
  use_overlay_apt "$dir" with-machine
  say "simulation: apt-get update in a private copy of the apt configuration ($dir)"
  apt_run update -qq >/dev/null 2>"$dir/update.err" || { cat "$dir/update.err" >&2; die "apt-get update failed in the simulation."; }
  local plan
  plan=$(apt_run -s "${ENGINE_INSTALL[@]}" "${ENGINE_PACKAGES[@]}" 2>&1) || { echo "$plan" >&2; die "the pinned engine install does not resolve."; }
  say "simulation: apt-get -s install ${ENGINE_PACKAGES[*]} (pinned to $SUITE):"
  check_engine_plan "$plan"
  say "simulation: only ${ENGINE_PACKAGES[*]} change; nothing else is upgraded or removed"
  rm -rf "$dir"
}

stop_engine() {
  say "stopping the engine for the upgrade"
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    as_root systemctl stop docker.socket docker.service containerd.service 2>/dev/null || true
  fi
  local pid
  pid=$(cat /var/run/docker.pid 2>/dev/null || pgrep -x dockerd | head -1 || true)
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; then
    as_root kill -TERM "$pid"
    local waited=0
    while kill -0 "$pid" 2>/dev/null; do
      [ "$waited" -ge 60 ] && die "dockerd (pid $pid) did not stop within 60s; the upgrade was not started."
      sleep 1; waited=$((waited + 1))
    done
  fi
}

# Installs (or upgrades to) $SUITE's engine packages with the pin written into /etc/apt, so
# later `apt-get upgrade`s keep taking them from $SUITE and nothing else.
install_suite_engine() {
  need_root "installing Docker from Debian $SUITE" "install Docker and run again."
  write_suite_apt_files /etc/apt/sources.list.d /etc/apt/preferences.d
  APT_OPTS=()
  say "apt-get update (with Debian $SUITE pinned to ${ENGINE_PACKAGES[*]})"
  apt_run update -qq >/dev/null
  local plan
  plan=$(apt_run -s "${ENGINE_INSTALL[@]}" "${ENGINE_PACKAGES[@]}" 2>&1) || { echo "$plan" >&2; die "the pinned engine install does not resolve."; }
  check_engine_plan "$plan"
  if engine_answers || pgrep -x dockerd >/dev/null 2>&1; then stop_engine; fi
  say "installing ${ENGINE_PACKAGES[*]} from Debian $SUITE"
  apt_run install -y -qq --no-install-recommends -o Dpkg::Options::=--force-confold \
    "${ENGINE_PACKAGES[@]}" >/dev/null
}

# The engine installed by Debian's docker.io and its version, when older than the minimum.
old_debian_engine_version() {
  is_old_debian || return 0
  local version
  version=$(dpkg-query -W -f '${Version}' docker.io 2>/dev/null || true)
  [ -n "$version" ] || return 0
  # Only when the dockerd that runs (or would run) is that package's.
  dpkg-query -S /usr/sbin/dockerd 2>/dev/null | grep -q '^docker.io:' || return 0
  local epochless=${version#*:}
  [ "$(major_of "$epochless")" -lt "$MIN_ENGINE_MAJOR" ] && echo "$epochless"
  return 0
}

maybe_upgrade_engine() {
  local old=$1 running=$2
  case "$ENGINE_UPGRADE" in
    no)
      say "engine $old (Debian docker.io) is older than $MIN_ENGINE_MAJOR; left as it is (CHAOS_ENGINE_UPGRADE=no)"
      return 0 ;;
    simulate)
      say "engine $old (Debian docker.io) is older than $MIN_ENGINE_MAJOR; simulating the upgrade only"
      simulate_engine_upgrade
      return 0 ;;
  esac
  if [ "$running" = running ] && [ "$ENGINE_UPGRADE" != yes ]; then
    local containers
    containers=$(docker ps -q 2>/dev/null | wc -l)
    say "engine $old (Debian docker.io) is older than $MIN_ENGINE_MAJOR, but it is running ($containers container(s) up): upgrading restarts it and stops them, so it is left as it is; run with CHAOS_ENGINE_UPGRADE=yes when nothing uses it (CHAOS_ENGINE_UPGRADE=simulate shows what apt would do)"
    return 0
  fi
  say "engine $old (Debian docker.io) is older than $MIN_ENGINE_MAJOR: upgrading to Debian $SUITE's"
  install_suite_engine
}

# ---------------------------------------------------------------------------------------
# The engine.

# The Debian package's daemon lives in /usr/sbin; a docker client elsewhere on PATH
# (without a daemon) is common on CI images, so look for dockerd itself.
find_dockerd() { command -v dockerd 2>/dev/null || { [ -x /usr/sbin/dockerd ] && echo /usr/sbin/dockerd; } || true; }

start_dockerd() {
  local dockerd_bin=$1
  if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
    say "starting docker.service with systemctl"
    as_root systemctl start docker || true
    engine_answers && return 0
  fi
  # A pid file left by a daemon that died with its machine would make dockerd refuse to start.
  if [ -f /var/run/docker.pid ] && ! kill -0 "$(cat /var/run/docker.pid)" 2>/dev/null; then
    say "removing stale /var/run/docker.pid"
    as_root rm -f /var/run/docker.pid
  fi
  if ! pgrep -x dockerd >/dev/null 2>&1; then
    say "starting $dockerd_bin detached (log: $DOCKERD_LOG)"
    as_root sh -c "nohup setsid '$dockerd_bin' >>'$DOCKERD_LOG' 2>&1 </dev/null &"
  fi
  local waited=0
  until engine_answers; do
    [ "$waited" -ge "$SOCKET_WAIT_SECONDS" ] && die "dockerd did not answer within ${SOCKET_WAIT_SECONDS}s; see $DOCKERD_LOG."
    sleep 1; waited=$((waited + 1))
  done
  say "dockerd answers after ${waited}s"
}

ensure_engine() {
  local old
  if engine_answers; then
    old=$(old_debian_engine_version)
    if [ -n "$old" ]; then
      maybe_upgrade_engine "$old" running
      engine_answers || start_dockerd "$(find_dockerd)"
    fi
    say "Docker engine answers ($(engine_version))"
    return 0
  fi
  local dockerd_bin
  dockerd_bin=$(find_dockerd)
  if [ -z "$dockerd_bin" ]; then
    if is_old_debian; then
      install_suite_engine
      apt_install iptables iproute2 procps mmdebstrap
    else
      apt_install docker.io iptables iproute2 procps mmdebstrap
    fi
    dockerd_bin=$(find_dockerd)
    [ -n "$dockerd_bin" ] || die "docker.io was installed but no dockerd binary was found."
  else
    old=$(old_debian_engine_version)
    [ -z "$old" ] || maybe_upgrade_engine "$old" stopped
  fi
  start_dockerd "$dockerd_bin"
}

# ---------------------------------------------------------------------------------------
# Compose.

# Puts the current Debian release's Compose v2 plugin binary into the CLI plugin directory,
# without installing its package (which would replace the release's Compose v1).
install_compose_plugin_from_suite() {
  need_root "installing the Compose v2 plugin" "install Compose v2 (docker compose) and run again."
  local libc
  libc=$(getconf GNU_LIBC_VERSION 2>/dev/null | awk '{print $2}')
  [ -n "$libc" ] && [ "$(printf '%s\n2.34\n' "$libc" | sort -V | head -1)" = 2.34 ] ||
    die "Debian $SUITE's Compose v2 needs glibc >= 2.34 (this machine has ${libc:-none}); install Compose v2 and run again."
  local dir
  dir=$(mktemp -d /tmp/chaos-compose-v2.XXXXXX)
  use_overlay_apt "$dir" suite-only
  say "fetching docker-compose (v2) from Debian $SUITE"
  apt_run update -qq >/dev/null 2>"$dir/update.err" || { cat "$dir/update.err" >&2; die "apt-get update for Debian $SUITE failed."; }
  (cd "$dir" && apt_run download -qq "docker-compose/$SUITE" >/dev/null 2>"$dir/download.err") ||
    { cat "$dir/download.err" >&2; die "downloading docker-compose from Debian $SUITE failed."; }
  local deb
  deb=$(ls "$dir"/docker-compose_*.deb)
  dpkg-deb -x "$deb" "$dir/root"
  as_root install -D -m 0755 "$dir/root/usr/libexec/docker/cli-plugins/docker-compose" "$PLUGIN_DIR/docker-compose"
  as_root rm -rf "$dir"
  say "installed $(basename "$deb") as the Compose v2 plugin ($PLUGIN_DIR/docker-compose)"
}

apt_candidate() { apt-cache policy "$1" 2>/dev/null | sed -n 's/^ *Candidate: //p' | head -1; }

ensure_compose_v2() {
  local v2
  v2=$(compose_v2_version)
  if [ -n "$v2" ]; then
    say "Compose v2 present (docker compose $v2)"
    return 0
  fi
  on_github && die "this GitHub runner has no 'docker compose' (v2); use a runner image that has it."
  is_debian_like || die "'docker compose' (v2) is missing and this is not Debian or Ubuntu; install Compose v2 and run again."
  need_root "installing Compose v2" "install Compose v2 (docker compose) and run again."
  local candidate
  if [ "$(os_field ID)" = ubuntu ] && [ -n "$(apt_candidate docker-compose-v2)" ] &&
    [ "$(apt_candidate docker-compose-v2)" != "(none)" ]; then
    apt_install docker-compose-v2
  elif candidate=$(apt_candidate docker-compose) && [ "$(os_field ID)" = debian ] &&
    [ -n "$candidate" ] && [ "$candidate" != "(none)" ] && [ "$(major_of "$candidate")" -ge 2 ]; then
    apt_install docker-compose
  elif [ "$(os_field ID)" = debian ]; then
    install_compose_plugin_from_suite
  else
    die "no Compose v2 package found for this release; install Compose v2 (docker compose) and run again."
  fi
  v2=$(compose_v2_version)
  [ -n "$v2" ] || die "'docker compose version' still fails after installing Compose v2."
  say "Compose v2 ready (docker compose $v2)"
}

ensure_compose_v1() {
  local v1
  v1=$(compose_v1_version)
  if [ -n "$v1" ]; then
    say "Compose v1 present (docker-compose $v1)"
    return 0
  fi
  if on_github || ! is_debian_like || ! can_root; then
    say "no Compose v1 here (and none is installed on this machine): the v1 leg cannot run"
    return 0
  fi
  local candidate
  candidate=$(apt_candidate docker-compose)
  if [ -n "$candidate" ] && [ "$candidate" != "(none)" ] && [ "$(major_of "$candidate")" = 1 ]; then
    apt_install docker-compose
    say "Compose v1 ready (docker-compose $(compose_v1_version))"
  else
    say "this release has no Compose v1 package (docker-compose is ${candidate:-absent}): the v1 leg cannot run"
  fi
}

ensure_base_image() {
  if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
    say "base image $BASE_IMAGE present"
    return 0
  fi
  if timeout 60 docker pull -q "$BASE_IMAGE" >/dev/null 2>&1; then
    say "pulled $BASE_IMAGE"
    return 0
  fi
  on_github && die "could not pull $BASE_IMAGE on this GitHub runner."
  say "no registry answers; building $BASE_IMAGE with mmdebstrap"
  command -v mmdebstrap >/dev/null 2>&1 || apt_install mmdebstrap
  local suite=${BASE_IMAGE#*:}; suite=${suite%-slim}
  as_root mmdebstrap --quiet --variant=minbase "$suite" - | docker import - "$BASE_IMAGE" >/dev/null \
    || die "could not build $BASE_IMAGE with mmdebstrap."
  say "built $BASE_IMAGE"
}

if [ "$SIMULATE_ONLY" = 1 ]; then
  simulate_engine_upgrade
  exit 0
fi

if on_github; then
  # The runner's Docker as it is: nothing is installed, upgraded or started here.
  engine_answers || die "the GitHub runner's Docker engine does not answer."
  v2=$(compose_v2_version)
  [ -n "$v2" ] || die "this GitHub runner has no 'docker compose' (v2)."
  say "GitHub runner: engine $(engine_version), docker compose $v2, as the runner has them; nothing installed"
  if [ "$WITH_COMPOSE_V1" = 1 ]; then ensure_compose_v1; fi
  ensure_base_image
  exit 0
fi

ensure_engine
ensure_compose_v2
if [ "$WITH_COMPOSE_V1" = 1 ]; then ensure_compose_v1; fi
ensure_base_image
