#!/bin/sh
# Start redis-server in the foreground (PID 1, so `docker stop` reaches it) and
# seed the feature keys from a background job at every start: the data is in
# memory only, so a stopped and started container comes back re-seeded.
# The key seed:done is set to 1 last; the healthcheck waits for it.
set -eu
SEED_USERS="${SEED_USERS:-20000}"

seed() {
  i=0
  until redis-cli ping >/dev/null 2>&1; do
    i=$((i + 1))
    [ "$i" -gt 200 ] && { echo "seed: redis did not answer PING" >&2; return 1; }
    sleep 0.05
  done
  awk -v users="$SEED_USERS" -f /usr/local/bin/seed-features.awk | redis-cli --pipe >/dev/null
  redis-cli set seed:done 1 >/dev/null
  echo "seed: loaded features for users 1..$SEED_USERS ($(redis-cli dbsize) keys)"
}

seed &
exec redis-server --bind 0.0.0.0 --protected-mode no --save '' --appendonly no --loglevel notice
