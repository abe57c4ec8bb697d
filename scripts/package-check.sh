#!/usr/bin/env bash
# CI's package check: builds the .deb and .rpm (scripts/package.sh --debug: the debug build the
# tests use, so nothing is compiled again), installs the .deb with apt, runs the installed
# program — `psa-bridge --version`, the sandbox's first line, and the desktop app started hidden
# in the tray under Xvfb with its autostart entry pointing at the installed path and a log file in
# its data folder — then removes the package and checks nothing of ours is left outside the data
# folder. Fails on the first thing that is not so. Needs root or sudo (it installs a package).
set -euo pipefail
cd "$(dirname "$0")/.."
SUDO=""
if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
fail() { echo "package check FAILED: $*" >&2; exit 1; }
start=$(date +%s)

# The same binary the end-to-end tests run: with the test-only hooks (the ready file the desktop
# check waits on); a release package from scripts/package.sh has none.
scripts/package.sh --debug --features bench-hooks
deb=$(ls dist/packages/*.deb)
rpm=$(ls dist/packages/*.rpm)
echo "==> package sizes: $(du -h "$deb" | cut -f1) .deb, $(du -h "$rpm" | cut -f1) .rpm"

# The .rpm holds the same files (read with rpm if it is installed; the bundler needs no rpmbuild).
if command -v rpm >/dev/null 2>&1; then
  rpm_files=$(rpm -qpl "$rpm")
  grep -qx /usr/bin/psa-bridge <<<"$rpm_files" || fail "the .rpm has no /usr/bin/psa-bridge"
  grep -qx /usr/bin/psa-bridge-window <<<"$rpm_files" || fail "the .rpm has no /usr/bin/psa-bridge-window"
  grep -q '^/usr/share/applications/.*\.desktop$' <<<"$rpm_files" || fail "the .rpm has no desktop entry"
fi

pkg=$(dpkg-deb -f "$deb" Package)
if dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
  fail "$pkg is installed already: remove it first (this check must install it itself)"
fi
echo "==> installing $deb"
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q "./$deb" >/dev/null
installed=$(dpkg -L "$pkg")
trap 'DEBIAN_FRONTEND=noninteractive $SUDO apt-get remove -y -q "$pkg" >/dev/null 2>&1 || true' EXIT
echo "installed size: $(dpkg-query -W -f='${Installed-Size}' "$pkg") KiB"

# On the PATH for headless use, with the desktop entry and icons.
[ "$(command -v psa-bridge)" = /usr/bin/psa-bridge ] || fail "psa-bridge is not /usr/bin/psa-bridge on the PATH"
# The window process the tray process starts, next to it.
[ -x /usr/bin/psa-bridge-window ] || fail "no /usr/bin/psa-bridge-window"
desktop=$(grep '^/usr/share/applications/.*\.desktop$' <<<"$installed" | head -1)
[ -n "$desktop" ] || fail "no desktop entry installed"
grep -qx 'Exec=psa-bridge' "$desktop" || fail "the desktop entry does not start psa-bridge: $(grep Exec "$desktop")"
grep -q '^/usr/share/icons/hicolor/.*/apps/psa-bridge.png$' <<<"$installed" || fail "no icons installed"

version=$(psa-bridge --version)
commit=$(git rev-parse --short=12 HEAD)
[ "$version" = "psa-bridge 0.1.0 (commit $commit)" ] || fail "--version says '$version', expected commit $commit"
echo "$version"

# `psa-bridge sandbox --json`: its first line is the JSON with the three services' URLs.
fifo=$(mktemp -u); mkfifo "$fifo"
psa-bridge sandbox --json --port-base 47950 >"$fifo" 2>/dev/null &
sandbox_pid=$!
first=$(timeout 30 head -n 1 "$fifo" || true)
kill "$sandbox_pid" 2>/dev/null || true; wait "$sandbox_pid" 2>/dev/null || true; rm -f "$fifo"
python3 -c 'import json,sys; d=json.loads(sys.argv[1]); assert {"coro","connectwise","autotask"} <= d.keys(), d' "$first" \
  || fail "the sandbox's first line is not its JSON: $first"
echo "sandbox first line: ${first:0:80}…"

# The desktop app, hidden in the tray, in a desktop session (scripts/desktop-session.sh).
PSA_BRIDGE_INSTALLED_DESKTOP_CHECK=1 scripts/desktop-session.sh scripts/package-check-desktop.sh

echo "==> removing $pkg"
trap - EXIT
DEBIAN_FRONTEND=noninteractive $SUDO apt-get remove -y -q "$pkg" >/dev/null
dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" && fail "$pkg is still installed"
left=()
while IFS= read -r f; do
  if [ -f "$f" ] || [ -L "$f" ]; then left+=("$f"); fi
done <<<"$installed"
while IFS= read -r f; do left+=("$f"); done < <(find /usr /etc /opt -iname '*psa-bridge*' -o -iname '*psa bridge*' -o -iname '*psabridge*' 2>/dev/null)
[ "${#left[@]}" -eq 0 ] || fail "left behind after removal: ${left[*]}"
echo "==> package check passed in $(( $(date +%s) - start )) s"
