#!/usr/bin/env bash
# The whole test suite: formatting and lints, UI type checks and unit tests, the headless core
# (no Tauri), the generated TypeScript bindings, and every Rust test including the end-to-end
# tests that drive the real app through tauri-driver + WebKitWebDriver under Xvfb, with the real
# Secret Service. Run scripts/install-deps.sh once first (scripts/demo.sh does).
set -euo pipefail
cd "$(dirname "$0")/.."
export CARGO_TERM_COLOR=never

step() { printf '\n==> %s\n' "$*"; }

step "rustfmt"
cargo fmt --all -- --check

step "UI: type check, unit tests, build"
(cd ui && npm run typecheck && npm test && npm run build)

step "clippy (desktop and headless core)"
cargo clippy --workspace --all-targets -- -D warnings
cargo clippy -p psa-bridge --no-default-features --all-targets -- -D warnings

step "the core build (no default features) has no sandbox and no web server, dev-dependencies included"
if cargo tree -p psa-bridge --no-default-features --prefix none | grep -E '^(axum|psa-bridge-sandbox) '; then
  echo "cargo tree -p psa-bridge --no-default-features pulls in the sandbox or axum: see src-tauri/ARCHITECTURE.md" >&2
  exit 1
fi

# Tests that need the desktop session (the real keychain, a display) are #[ignore]d so a plain
# `cargo test` reports them as not run; here they run, inside the session, with --include-ignored.
step "core without Tauri (cargo test -p psa-bridge --no-default-features)"
scripts/desktop-session.sh cargo test -p psa-bridge --no-default-features -- --include-ignored

step "generated TypeScript bindings are committed and current"
if [ -n "$(git status --porcelain -- ui/src/bindings)" ]; then
  git status --porcelain -- ui/src/bindings
  echo "ui/src/bindings drifted from the Rust types: run cargo test and commit the result" >&2
  exit 1
fi

step "build the app under test (debug, desktop)"
# Built after the headless tests (which build the same binary without the desktop feature) and
# copied aside, so no later cargo step can swap the binary the end-to-end tests launch.
scripts/build-app.sh --features bench-hooks

step "a second build with nothing changed rebuilds nothing (scripts/build-app.sh)"
before=$(stat -c %y ui/dist/index.html target/debug/psa-bridge)
scripts/build-app.sh --features bench-hooks
if [ "$(stat -c %y ui/dist/index.html target/debug/psa-bridge)" != "$before" ]; then
  echo "scripts/build-app.sh rebuilt the UI or the binary with nothing changed" >&2
  exit 1
fi

step "Linux packages: build the .deb and .rpm of this build, install, run and remove the .deb"
scripts/package-check.sh

mkdir -p target/e2e
# The tray process and, next to it, the window process it starts.
cp "target/debug/psa-bridge" "target/debug/psa-bridge-window" target/e2e/
export PSA_BRIDGE_BIN="$PWD/target/e2e/psa-bridge"

step "workspace tests, end-to-end tests against the sandbox and the real app"
scripts/desktop-session.sh cargo test --workspace -- --include-ignored
