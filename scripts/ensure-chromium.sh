#!/usr/bin/env bash
# Makes sure Chromium exists for the e2e test that renders the PR comment in a browser
# (__tests__/e2e/report-browser.test.ts): /usr/bin/chromium, or the browser named by
# CHAOS_CHROMIUM. The report's verdict marks are emoji, so a colour emoji font too (else
# they are empty boxes in the screenshot). On a machine that has both, changes nothing.
# On Debian/Ubuntu, as root or with passwordless sudo, installs what is missing (Debian's
# `chromium`, `fonts-noto-color-emoji`) with apt. Idempotent; prints what it did; fails
# with one clear sentence.
set -euo pipefail

CHROMIUM="${CHAOS_CHROMIUM:-/usr/bin/chromium}"
EMOJI_FONT_GLOB='/usr/share/fonts/truetype/noto/NotoColorEmoji*.ttf'

say() { printf 'ensure-chromium: %s\n' "$*"; }
die() { printf 'ensure-chromium: error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@";
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then sudo -n "$@";
  else return 126; fi
}

is_debian_like() { [ -r /etc/os-release ] && grep -qiE '^(ID|ID_LIKE)=.*(debian|ubuntu)' /etc/os-release; }
version() { "$CHROMIUM" --version 2>/dev/null || echo "$CHROMIUM"; }

missing=()
if [ -x "$CHROMIUM" ]; then
  say "$(version) present at $CHROMIUM"
elif [ -n "${CHAOS_CHROMIUM:-}" ]; then
  die "CHAOS_CHROMIUM=$CHAOS_CHROMIUM is not an executable; point it at a Chromium or Chrome binary, or unset it to use Debian's chromium."
else
  missing+=(chromium)
fi
if compgen -G "$EMOJI_FONT_GLOB" >/dev/null; then
  say "colour emoji font present"
else
  missing+=(fonts-noto-color-emoji)
fi
if [ ${#missing[@]} -eq 0 ]; then
  say "nothing to do"
  exit 0
fi

is_debian_like || die "${missing[*]} missing and this is not Debian or Ubuntu, so apt cannot install them; install Chromium (or set CHAOS_CHROMIUM) and run again."
if [ "$(id -u)" -ne 0 ] && ! { command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; }; then
  die "${missing[*]} missing and installing needs root or passwordless sudo; install Debian's chromium package (or set CHAOS_CHROMIUM) and run again."
fi

# Wait for another apt/dpkg (e.g. ensure-docker.sh in a parallel job) instead of failing on its lock.
apt_get() { as_root env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 "$@"; }

say "installing ${missing[*]} with apt"
apt_get update -qq >/dev/null
apt_get install -y -qq --no-install-recommends "${missing[@]}" fonts-liberation >/dev/null
[ -x "$CHROMIUM" ] || die "apt ran but $CHROMIUM is still missing."
say "installed ${missing[*]}; $(version)"
