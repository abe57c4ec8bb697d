#!/usr/bin/env bash
# One command for a newcomer: install everything, build, and open PSA Bridge against the built-in
# sandbox (simulated Coro, ConnectWise and Autotask with demo data; no accounts needed).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
(cd ui && npm run build)
cargo build -p psa-bridge --release
exec ./target/release/psa-bridge --sandbox "$@"
