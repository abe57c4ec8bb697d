//! Settings → Save diagnostics… in the real app: the archive is written to the data folder and
//! its path shown; without Coro connected, the reads it could not make are listed, not hidden.

use psa_bridge_e2e::app_lock;
use psa_bridge_e2e::flows::{self, tid, RunningApp, WAIT};
use psa_bridge_e2e::require_desktop_session;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a desktop session: scripts/test.sh"]
async fn save_diagnostics_from_settings() -> anyhow::Result<()> {
    require_desktop_session("save_diagnostics_from_settings");
    let _lock = app_lock();
    let ra = RunningApp::launch().await?;
    let app = &ra.app;
    flows::go(app, "settings", "Settings").await?;
    app.click_css(&tid("diagnostics-save")).await?;
    let text = app
        .wait_for_text(&tid("diagnostics-saved"), "Saved to", WAIT)
        .await?;
    flows::eval_on(app, &tid("diagnostics-saved"), "el.scrollIntoView()").await?;
    ra.shot("ui-diagnostics-01-saved").await;
    assert!(text.contains("customer names replaced by hashes"), "{text}");
    assert!(text.contains("Coro is not connected"), "{text}");
    let folder = ra.dir().join("diagnostics");
    let archives: Vec<_> = std::fs::read_dir(&folder)?
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.to_string_lossy().ends_with(".tar.gz"))
        .collect();
    assert_eq!(archives.len(), 1, "{archives:?}");
    let shown = archives[0].to_string_lossy().into_owned();
    assert!(
        text.contains(&shown),
        "the path on screen: {text} / {shown}"
    );
    ra.close().await
}
