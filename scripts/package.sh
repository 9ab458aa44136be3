#!/usr/bin/env bash
# Bundles the three entry points with ncc into dist/ (committed; CI fails when stale):
#   dist/index.js       the action's main step
#   dist/post/index.js  the action's post step (always runs: reverts faults, removes the stack)
#   dist/cli/index.js   the `chaos-action` command
#   dist/load-worker/index.js  a load generator thread (workers > 1), started by any of them
set -euo pipefail
cd "$(dirname "$0")/.."
rm -rf dist
# ssh2 (reached through dockerode, used only for ssh:// Docker hosts) has an optional native
# crypto binding compiled on each machine at install time. Bundled, it would make dist/ differ
# from machine to machine; hidden during the build, ssh2 falls back to Node's own crypto.
native=node_modules/ssh2/lib/protocol/crypto/build
if [ -d "$native" ]; then
  mv "$native" "$native.package-hidden"
  trap 'mv "$native.package-hidden" "$native"' EXIT
fi
# cpu-features is an optional native addon of ssh2 (reached through dockerode): whether npm
# builds it depends on the machine, so it stays out of the bundle (ssh2 works without it).
build() {
  npx ncc build "$1" -o "$2" --target es2022 --license licenses.txt --transpile-only --quiet -e cpu-features
}
build src/action/main.ts dist
build src/action/post.ts dist/post
build src/cli/main.ts dist/cli
build src/load/worker.ts dist/load-worker
# The CLI is started as an executable through package.json's bin.
{ printf '#!/usr/bin/env node\n'; cat dist/cli/index.js; } > dist/cli/index.js.tmp && mv dist/cli/index.js.tmp dist/cli/index.js
chmod +x dist/cli/index.js
echo "package: dist/index.js dist/post/index.js dist/cli/index.js dist/load-worker/index.js"
