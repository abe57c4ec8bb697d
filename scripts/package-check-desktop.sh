#!/usr/bin/env bash
# Part of scripts/package-check.sh, run inside scripts/desktop-session.sh: starts the installed
# desktop app hidden (as its autostart entry does) with a home and data folder of its own, and
# checks it reaches the tray, rewrites the autostart entry to the installed path, logs to a file
# in its data folder, has no window open, and maps no WebKit.
set -euo pipefail
fail() { echo "package check FAILED (desktop): $*" >&2; exit 1; }
[ -n "${PSA_BRIDGE_INSTALLED_DESKTOP_CHECK:-}" ] || fail "run through scripts/package-check.sh"

home=$(mktemp -d); data="$home/data"
export HOME="$home" XDG_CONFIG_HOME="$home/.config"
ready="$home/ready"
# An enabled launch-at-login entry as an older install left it (another path): the installed
# app must point it at itself when it starts.
mkdir -p "$XDG_CONFIG_HOME/autostart"
entry="$XDG_CONFIG_HOME/autostart/PSA Bridge.desktop"
printf '[Desktop Entry]\nType=Application\nName=PSA Bridge\nExec=/opt/old/psa-bridge --hidden\n' >"$entry"

PSA_BRIDGE_READY_FILE="$ready" /usr/bin/psa-bridge --hidden --data-dir "$data" >"$home/app.out" 2>&1 &
app=$!
trap 'kill $app 2>/dev/null || true; wait $app 2>/dev/null || true' EXIT
for _ in $(seq 1 300); do
  [ -s "$ready" ] && break
  kill -0 "$app" 2>/dev/null || { cat "$home/app.out" >&2; fail "the installed app exited"; }
  sleep 0.1
done
[ -s "$ready" ] || { cat "$home/app.out" >&2; fail "the installed app did not reach the tray in 30 s"; }

# The tray icon is exported on the session bus (StatusNotifierItem with its dbusmenu).
menu=/org/ayatana/NotificationItem/tray_icon_tray_app_main/Menu
found=""
for _ in $(seq 1 50); do
  for name in $(gdbus call --session --dest org.freedesktop.DBus --object-path /org/freedesktop/DBus \
      --method org.freedesktop.DBus.ListNames | grep -o "':1\.[0-9]*'" | tr -d "'"); do
    if gdbus call --session --timeout 3 --dest "$name" --object-path "$menu" \
        --method com.canonical.dbusmenu.GetLayout -- 0 -1 '[]' 2>/dev/null | grep -q "Launch at login"; then
      found=$name; break 2
    fi
  done
  sleep 0.2
done
[ -n "$found" ] || fail "no tray menu on the session bus"

grep -qx 'Exec=/usr/bin/psa-bridge --hidden' "$entry" || fail "autostart entry: $(grep Exec "$entry")"
ls "$data"/logs/psa-bridge.*.log >/dev/null 2>&1 || fail "no log file in $data/logs"
grep -q "PSA Bridge started" "$data"/logs/psa-bridge.*.log || fail "the log file has no start-up line"
if command -v xwininfo >/dev/null 2>&1; then
  ! xwininfo -root -tree | grep -q '"PSA Bridge"' || fail "a window is open: it should start hidden"
fi
kill -0 "$app" 2>/dev/null || fail "the installed app exited"
# The tray process carries no webview: WebKit is not even mapped into it.
! grep -qi -e webkit -e javascriptcore "/proc/$app/maps" || fail "the tray process maps WebKit"
echo "installed app: in the tray (bus $found), autostart → /usr/bin/psa-bridge, log in $data/logs"
