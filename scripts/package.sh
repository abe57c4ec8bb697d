#!/usr/bin/env bash
# Builds the Linux packages (.deb and .rpm) with Tauri's own bundler into dist/packages/.
#   scripts/package.sh            release: `tauri build` (optimised, production assets)
#   scripts/package.sh --debug [CARGO ARGS]
#                                 packages the debug build scripts/test.sh already made (no
#                                 extra compile when given the same cargo args, e.g. its
#                                 `--features bench-hooks`; what CI installs and runs)
# Needs what scripts/install-deps.sh installs (the Tauri CLI is a UI dev dependency).
set -euo pipefail
cd "$(dirname "$0")/.."
OUT=dist/packages
tauri=(ui/node_modules/.bin/tauri)
[ -x "${tauri[0]}" ] || { echo "the Tauri CLI is missing: run scripts/install-deps.sh" >&2; exit 1; }

if [ "${1:-}" = "--debug" ]; then
  profile=debug
  scripts/build-app.sh "${@:2}"
  "${tauri[@]}" bundle --debug --bundles deb,rpm --ci
else
  profile=release
  (cd ui && npm run build)
  "${tauri[@]}" build --bundles deb,rpm --ci
fi

rm -rf "$OUT"
mkdir -p "$OUT"
cp target/"$profile"/bundle/deb/*.deb target/"$profile"/bundle/rpm/*.rpm "$OUT"/
ls -l "$OUT"
