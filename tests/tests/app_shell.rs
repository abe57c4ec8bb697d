//! The real app in demo mode (`--sandbox`), driven through tauri-driver + WebKitWebDriver under
//! Xvfb: the Connectors page renders, every screen can be reached, and a screenshot of each is
//! saved under tests/results/.

use std::time::Duration;

use psa_bridge_e2e::webdriver::{Driver, Session};
use psa_bridge_e2e::{app_lock, require_desktop_session, results_dir, window_binary};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a desktop session: scripts/test.sh"]
async fn every_screen_renders_in_demo_mode() -> anyhow::Result<()> {
    require_desktop_session("every_screen_renders_in_demo_mode");
    let _lock = app_lock();
    let data = tempfile::tempdir()?;
    let home = tempfile::tempdir()?;
    let driver = Driver::start(&[("PSA_BRIDGE_DATA_DIR", data.path()), ("HOME", home.path())])?;
    let app = Session::start(&driver, &window_binary(), &["--sandbox"]).await?;
    let results = results_dir();

    let title = app
        .wait_for_text(
            "[data-testid=page-title]",
            "Connectors",
            Duration::from_secs(60),
        )
        .await?;
    assert_eq!(title.trim(), "Connectors");
    // The PSA tab of the Connectors page is there (table or its empty state).
    let psa = app
        .wait_for(
            "[data-testid=connectors-table], [data-testid=connectors-empty]",
            Duration::from_secs(10),
        )
        .await?;
    assert!(!app.text(&psa).await?.is_empty());
    // Demo mode is visible to the operator.
    app.wait_for_text("body", "Sandbox", Duration::from_secs(10))
        .await?;
    app.screenshot(&results, "connectors").await?;

    for (nav, heading, shot) in [
        ("nav-sync", "Sync", "sync"),
        ("nav-history", "History", "history"),
        ("nav-settings", "Settings", "settings"),
        ("nav-connectors", "Connectors", "connectors-again"),
    ] {
        app.click_css(&format!("[data-testid={nav}]")).await?;
        app.wait_for_text("[data-testid=page-title]", heading, Duration::from_secs(10))
            .await?;
        app.screenshot(&results, shot).await?;
    }
    // Settings shows where the data lives.
    app.click_css("[data-testid=nav-settings]").await?;
    let data_dir = data.path().to_string_lossy().to_string();
    app.wait_for_text("body", &data_dir, Duration::from_secs(10))
        .await?;

    app.quit().await?;
    Ok(())
}
