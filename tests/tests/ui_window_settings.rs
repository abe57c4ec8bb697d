//! Window settings an operator expects of a desktop app:
//! - *Open PSA Bridge* returns to the page the window showed last: the window process starts anew
//!   on every open (the tray process carries no webview), so the page is kept with the data
//!   folder. A first launch on a fresh folder opens Connectors; after moving to Settings and
//!   closing, the next launch on the same folder opens Settings.
//! - *Launch at login* in Settings (as in the tray menu) writes the login entry that starts the
//!   tray process (`psa-bridge --hidden`, not the window process) and removes it again.

use std::time::Duration;

use psa_bridge_e2e::flows::{self, RunningApp};
use psa_bridge_e2e::{app_lock, require_desktop_session};
use rusqlite::Connection;

fn remembered(dir: &std::path::Path) -> Option<String> {
    let conn = Connection::open(dir.join("psa-bridge.sqlite3")).ok()?;
    conn.query_row(
        "SELECT value FROM settings WHERE key = 'ui.last_page'",
        [],
        |r| r.get(0),
    )
    .ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a desktop session: scripts/test.sh"]
async fn reopening_returns_to_the_last_page() -> anyhow::Result<()> {
    require_desktop_session("reopening_returns_to_the_last_page");
    let _lock = app_lock();
    let ra = RunningApp::launch().await?;
    flows::go(&ra.app, "settings", "Settings").await?;
    // The page is remembered as soon as it shows.
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    while remembered(ra.dir()).as_deref() != Some("settings") {
        anyhow::ensure!(
            std::time::Instant::now() < deadline,
            "the page was not remembered: {:?}",
            remembered(ra.dir())
        );
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    let data = ra.close_keeping_data().await?;

    let again = RunningApp::launch_on_page(data, "Settings").await?;
    let title = again
        .app
        .text(&again.app.find("[data-testid=page-title]").await?)
        .await?;
    assert_eq!(title.trim(), "Settings");
    again.shot("ui-last-page-reopened-on-settings").await;
    again.close().await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a desktop session: scripts/test.sh"]
async fn launch_at_login_from_settings_writes_the_tray_entry() -> anyhow::Result<()> {
    require_desktop_session("launch_at_login_from_settings_writes_the_tray_entry");
    let _lock = app_lock();
    let ra = RunningApp::launch().await?;
    let app = &ra.app;
    let entry = ra.home().join(".config/autostart/PSA Bridge.desktop");
    flows::go(app, "settings", "Settings").await?;
    let toggle = flows::tid("settings-launch-at-login");
    flows::wait_eval(app, &toggle, "String(el.disabled)", "false", flows::SHORT).await?;
    flows::wait_eval(app, &toggle, "String(el.checked)", "false", flows::SHORT).await?;
    assert!(!entry.exists(), "no entry before: {}", entry.display());

    app.click_css(&toggle).await?;
    flows::wait_eval(app, &toggle, "String(el.checked)", "true", flows::SHORT).await?;
    let text = std::fs::read_to_string(&entry)?;
    let exec = text
        .lines()
        .find(|l| l.starts_with("Exec="))
        .unwrap_or_default()
        .to_string();
    assert!(
        exec.ends_with("/psa-bridge --hidden") && !exec.contains("psa-bridge-window"),
        "the entry starts the tray process: {exec}"
    );
    ra.shot("ui-settings-launch-at-login").await;

    app.click_css(&toggle).await?;
    flows::wait_eval(app, &toggle, "String(el.checked)", "false", flows::SHORT).await?;
    assert!(!entry.exists(), "the entry is removed again");
    ra.close().await
}
