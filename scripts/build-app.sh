#!/usr/bin/env bash
# Builds the app, skipping what is up to date: the UI bundle is rebuilt only when a UI source is
# newer than ui/dist (a fresh bundle would make cargo recompile the binary that embeds it), and
# cargo rebuilds the binary only when its inputs changed. Used by demo.sh, package.sh and test.sh.
#   scripts/build-app.sh [CARGO BUILD ARGS...]     e.g. --release
set -euo pipefail
cd "$(dirname "$0")/.."

stamp=ui/dist/index.html
ui_inputs=(ui/src ui/index.html ui/package.json ui/package-lock.json ui/vite.config.ts ui/tsconfig.json)
if [ ! -f "$stamp" ] || [ -n "$(find "${ui_inputs[@]}" -newer "$stamp" -print -quit)" ]; then
  echo "==> building the UI (ui/dist)"
  (cd ui && npm run build)
else
  echo "==> the UI bundle is up to date (ui/dist)"
fi
cargo build -p psa-bridge "$@"
