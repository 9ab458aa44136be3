#!/usr/bin/env bash
# Makes sure a working Docker engine, a compose command and the base image
# `debian:bookworm-slim` exist. On a machine that already has them (a GitHub
# runner, a laptop) it changes nothing. On a fresh Debian/Ubuntu machine where it
# runs as root it installs Debian's docker.io, docker-compose and mmdebstrap,
# starts dockerd detached and builds the base image locally when no registry
# answers. Idempotent; prints each thing it did; fails with one clear sentence.
set -euo pipefail

BASE_IMAGE="${CHAOS_BASE_IMAGE:-debian:bookworm-slim}"
DOCKERD_LOG="${CHAOS_DOCKERD_LOG:-/var/log/chaos-action-dockerd.log}"
SOCKET_WAIT_SECONDS="${CHAOS_DOCKERD_WAIT:-60}"

say() { printf 'ensure-docker: %s\n' "$*"; }
die() { printf 'ensure-docker: error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@";
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo -n "$@";
  else return 126; fi
}

engine_answers() { docker info >/dev/null 2>&1; }

compose_available() {
  docker compose version >/dev/null 2>&1 || command -v docker-compose >/dev/null 2>&1
}

is_debian_like() { [ -r /etc/os-release ] && grep -qiE '^(ID|ID_LIKE)=.*(debian|ubuntu)' /etc/os-release; }

apt_install() {
  is_debian_like || die "no Docker engine answers and this is not Debian or Ubuntu, so it cannot be installed here; install Docker and run again."
  if [ "$(id -u)" -ne 0 ] && ! sudo -n true 2>/dev/null; then
    die "no Docker engine answers and installing one needs root or passwordless sudo; install Docker and run again."
  fi
  say "installing $* with apt"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null
}

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
  if engine_answers; then
    say "Docker engine answers ($(docker version --format '{{.Server.Version}}' 2>/dev/null))"
    return 0
  fi
  local dockerd_bin
  dockerd_bin=$(find_dockerd)
  if [ -z "$dockerd_bin" ]; then
    apt_install docker.io docker-compose mmdebstrap iptables iproute2 procps
    dockerd_bin=$(find_dockerd)
    [ -n "$dockerd_bin" ] || die "docker.io was installed but no dockerd binary was found."
  fi
  start_dockerd "$dockerd_bin"
}

ensure_compose() {
  if compose_available; then return 0; fi
  apt_install docker-compose
  compose_available || die "neither 'docker compose' nor 'docker-compose' works after installing docker-compose."
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
  say "no registry answers; building $BASE_IMAGE with mmdebstrap"
  command -v mmdebstrap >/dev/null 2>&1 || apt_install mmdebstrap
  local suite=${BASE_IMAGE#*:}; suite=${suite%-slim}
  as_root mmdebstrap --quiet --variant=minbase "$suite" - | docker import - "$BASE_IMAGE" >/dev/null \
    || die "could not build $BASE_IMAGE with mmdebstrap."
  say "built $BASE_IMAGE"
}

ensure_engine
ensure_compose
ensure_base_image
