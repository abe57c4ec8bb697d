//! The real tray menu over D-Bus (com.canonical.dbusmenu, as a desktop shell would read and click
//! it), for the tray end-to-end tests.

use std::process::Command;
use std::time::{Duration, Instant};

pub const MENU_PATH: &str = "/org/ayatana/NotificationItem/tray_icon_tray_app_main/Menu";

pub fn gdbus(args: &[&str]) -> Option<String> {
    // A short timeout: some peers on the bus never answer unknown calls.
    gdbus_answer(args).ok()
}

/// `gdbus` with a short timeout: its stdout, or its stderr when the call failed.
fn gdbus_answer(args: &[&str]) -> Result<String, String> {
    let mut full = vec![args[0], "--timeout", "3"];
    full.extend_from_slice(&args[1..]);
    let out = Command::new("gdbus")
        .args(&full)
        .output()
        .map_err(|e| format!("gdbus could not be started: {e}"))?;
    if out.status.success() {
        Ok(String::from_utf8_lossy(&out.stdout).into_owned())
    } else {
        Err(String::from_utf8_lossy(&out.stderr).trim().to_string())
    }
}

/// The unique bus name that exports the tray menu, and the menu's (id, label) items.
pub fn find_menu() -> Option<(String, Vec<(i32, String)>)> {
    let names = gdbus(&[
        "call",
        "--session",
        "--dest",
        "org.freedesktop.DBus",
        "--object-path",
        "/org/freedesktop/DBus",
        "--method",
        "org.freedesktop.DBus.ListNames",
    ])?;
    for name in names.split('\'').filter(|n| n.starts_with(":1.")) {
        if let Some(layout) = gdbus(&[
            "call",
            "--session",
            "--dest",
            name,
            "--object-path",
            MENU_PATH,
            "--method",
            "com.canonical.dbusmenu.GetLayout",
            "--",
            "0",
            "-1",
            "[]",
        ]) {
            return Some((name.to_string(), parse_items(&layout)));
        }
    }
    None
}

/// `(3, {'label': <'Sync now'>, …}, [])` → (3, "Sync now").
pub fn parse_items(layout: &str) -> Vec<(i32, String)> {
    let mut items = Vec::new();
    for part in layout.split("<(").skip(1) {
        let id = part
            .split(',')
            .next()
            .and_then(|s| s.trim().parse::<i32>().ok());
        let label = part
            .split("'label': <'")
            .nth(1)
            .and_then(|rest| rest.split('\'').next())
            .map(|l| l.replace('_', ""));
        if let (Some(id), Some(label)) = (id, label) {
            items.push((id, label));
        }
    }
    items
}

/// Clicks the tray item `label` as a desktop shell would; fails unless the tray answers.
pub fn click(bus: &str, items: &[(i32, String)], label: &str) {
    if let Err(e) = event(bus, items, label) {
        panic!("clicking {label:?} over D-Bus failed: {e}");
    }
}

/// Clicks *Quit*. The tray may end before libdbusmenu sends the click's reply, so the one
/// failure accepted is the bus saying the tray left without replying; whether both processes
/// really end is for the caller to check.
pub fn click_quit(bus: &str, items: &[(i32, String)]) {
    match event(bus, items, "Quit") {
        Ok(()) => {}
        Err(e) if e.contains("disconnected from message bus without replying") => {}
        Err(e) => panic!("clicking \"Quit\" over D-Bus failed: {e}"),
    }
}

fn event(bus: &str, items: &[(i32, String)], label: &str) -> Result<(), String> {
    let id = items
        .iter()
        .find(|(_, l)| l == label)
        .map(|(i, _)| *i)
        .unwrap_or_else(|| panic!("no tray item {label:?} in {items:?}"));
    gdbus_answer(&[
        "call",
        "--session",
        "--dest",
        bus,
        "--object-path",
        MENU_PATH,
        "--method",
        "com.canonical.dbusmenu.Event",
        "--",
        &id.to_string(),
        "clicked",
        "<int32 0>",
        "0",
    ])
    .map(|_| ())
}

pub fn wait_until(what: &str, timeout: Duration, mut check: impl FnMut() -> bool) {
    let deadline = Instant::now() + timeout;
    while !check() {
        assert!(Instant::now() < deadline, "timed out waiting for {what}");
        std::thread::sleep(Duration::from_millis(200));
    }
}
