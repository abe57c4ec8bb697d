#!/usr/bin/env bash
# One command for a newcomer: install everything, build, and open PSA Bridge against the built-in
# sandbox (simulated Coro, ConnectWise and Autotask with demo data; no accounts needed). Run again,
# it rebuilds only what changed (scripts/build-app.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
./scripts/build-app.sh --release
exec ./target/release/psa-bridge --sandbox "$@"
