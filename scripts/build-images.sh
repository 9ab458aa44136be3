#!/usr/bin/env bash
# Builds the example stack's images once (they carry fixed `image:` names, so every
# compose project of the tests and the demo reuses them instead of building its own).
set -euo pipefail
cd "$(dirname "$0")/.."
compose=(docker compose)
docker compose version >/dev/null 2>&1 || compose=(docker-compose)
started=$(date +%s)
# Where a proxy intercepts TLS to the npm registry, the host trusts an extra CA; hand the
# same certificates to the image builds (`npm ci` inside them). Unset on GitHub runners.
if [ -z "${EXTRA_CA_CERTS_PEM:-}" ]; then
  if [ -n "${NODE_EXTRA_CA_CERTS:-}" ] && [ -r "$NODE_EXTRA_CA_CERTS" ]; then
    EXTRA_CA_CERTS_PEM=$(cat "$NODE_EXTRA_CA_CERTS")
  elif compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
    EXTRA_CA_CERTS_PEM=$(cat /usr/local/share/ca-certificates/*.crt)
  fi
  export EXTRA_CA_CERTS_PEM
fi
"${compose[@]}" -p chaos-action-build -f examples/fraud-api/docker-compose.yml build --quiet 2>&1 \
  | grep -v -E '^(#|Step| ---> )' || true
# `build` exits non-zero on failure, but the pipe above hides it: check the images instead.
for image in fraud-api redis otel-collector monitoring; do
  docker image inspect "chaos-action-example/$image:local" >/dev/null 2>&1 \
    || { echo "build-images: chaos-action-example/$image:local was not built" >&2; exit 1; }
done
echo "build-images: example images ready in $(( $(date +%s) - started ))s"
