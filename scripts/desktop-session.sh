#!/usr/bin/env bash
# Runs a command inside what a desktop session gives the app: a private D-Bus session bus, an
# unlocked gnome-keyring (Secret Service) with its data in a temp dir, an Xvfb display and a
# notification daemon (dunst). Used by the test suite and the benchmarks.
#   scripts/desktop-session.sh CMD [ARGS...]
set -euo pipefail
if [ "$#" -eq 0 ]; then echo "usage: $0 CMD [ARGS...]" >&2; exit 2; fi

if [ -z "${PSA_BRIDGE_IN_SESSION:-}" ]; then
  export PSA_BRIDGE_IN_SESSION=1
  exec xvfb-run -a -s "-screen 0 1366x900x24" dbus-run-session -- "$0" "$@"
fi

export XDG_DATA_HOME
XDG_DATA_HOME="$(mktemp -d)"
export GNOME_KEYRING_CONTROL
eval "$(printf 'psa-bridge-test' | gnome-keyring-daemon --unlock --components=secrets 2>/dev/null)" || true
# dunst shows notifications on the virtual display; tests watch the D-Bus calls.
if command -v dunst >/dev/null 2>&1; then
  dunst >/dev/null 2>&1 &
  DUNST_PID=$!
  trap 'kill $DUNST_PID 2>/dev/null || true' EXIT
fi
export PSA_BRIDGE_KEYRING_TESTS=1
export PSA_BRIDGE_E2E=1
"$@"
