#!/usr/bin/env bash
# Installs everything PSA Bridge needs to build, run and test on Debian/Ubuntu: system packages
# (WebKitGTK, tray, Secret Service, Xvfb, WebDriver), tauri-driver, and the UI's npm packages.
# Safe to run again; skips what is already there.
set -euo pipefail
cd "$(dirname "$0")/.."

SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi

PACKAGES=(
  build-essential pkg-config curl file
  libwebkit2gtk-4.1-dev libayatana-appindicator3-dev librsvg2-dev libdbus-1-dev libssl-dev
  rpm xvfb xauth dbus-daemon dbus-bin dbus-x11 libglib2.0-bin gnome-keyring libsecret-tools webkit2gtk-driver dunst imagemagick
)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "==> installing system packages: ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "${missing[@]}"
fi

if ! command -v cargo >/dev/null 2>&1; then
  echo "Rust is not installed: install it from rustup (https://rustup.rs), then run this again." >&2
  exit 1
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "Node.js 20+ and npm are not installed: install them, then run this again." >&2
  exit 1
fi

if ! command -v tauri-driver >/dev/null 2>&1; then
  echo "==> installing tauri-driver"
  cargo install tauri-driver --locked --version 2.1.0
fi

# The vendors' request validator (shared/reference/specs/validate_requests.py) that the client
# tests feed their recorded requests to.
if ! python3 -c 'import jsonschema' >/dev/null 2>&1; then
  echo "==> installing jsonschema for the request validator"
  python3 -m pip install --quiet "jsonschema==4.26.0"
fi

# npm ci empties node_modules first: only when the lock file changed since the last install.
if [ ui/node_modules/.package-lock.json -nt ui/package-lock.json ]; then
  echo "==> UI packages are up to date"
else
  echo "==> installing UI packages"
  (cd ui && npm ci --no-audit --no-fund)
fi
