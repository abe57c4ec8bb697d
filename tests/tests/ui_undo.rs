//! *Undo this run…* in the real app against the sandbox: a ConnectWise sync made through the CLI,
//! one of its lines edited in the PSA since; the run page's button opens a preview listing every
//! change (the edited one skipped with its reason), *Undo* applies it and opens the undo run
//! (linked to the run it undoes), and the sandbox holds the old quantities again on every line
//! but the edited one. The button is gone on the undo run.

use std::time::Duration;

use psa_bridge::sandbox::{self, SandboxOptions};
use psa_bridge_e2e::flows::{self, tid, RunningApp, SHORT, WAIT};
use psa_bridge_e2e::sandbox_cli::{
    add_connector, connect_coro, json_ok, map_services, map_workspaces, Psa,
};
use psa_bridge_e2e::sync_setup::all_quantities;
use psa_bridge_e2e::{app_lock, require_desktop_session};
use serde_json::json;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a desktop session: scripts/test.sh"]
async fn undo_this_run_previews_then_restores_from_the_run_page() -> anyhow::Result<()> {
    require_desktop_session("undo_this_run_previews_then_restores_from_the_run_page");
    let _lock = app_lock();
    let sb = sandbox::start(SandboxOptions::default()).await?;
    let data = tempfile::tempdir()?;
    let d = data.path().to_path_buf();
    connect_coro(&d, &sb);
    let id = add_connector(&d, &sb, Psa::Connectwise);
    map_services(&d, &id, &sb, Psa::Connectwise);
    map_workspaces(&d, &id, &sb, Psa::Connectwise);
    let before_all = all_quantities(&sb, Psa::Connectwise);
    let synced = json_ok(&d, &["sync", &id, "--approve-held", "--json"], None);
    let run_id = synced[0]["summary"]["run_id"].as_i64().expect("run id");
    let after_sync = all_quantities(&sb, Psa::Connectwise);
    let changed: Vec<i64> = after_sync
        .iter()
        .filter(|(l, q)| before_all.get(l) != Some(q))
        .map(|(l, _)| *l)
        .collect();
    assert!(changed.len() >= 2, "{changed:?}");
    let touched = changed[0];
    {
        let mut st = sb.connectwise.state.lock().expect("state");
        if let Some(a) = st
            .additions
            .iter_mut()
            .find(|a| a["id"].as_i64() == Some(touched))
        {
            a["quantity"] = json!(after_sync[&touched] as f64 + 1.0);
        }
    }

    let ra = RunningApp::launch_with(data).await?;
    let app = &ra.app;
    flows::go(app, "history", "History").await?;
    app.execute(
        "location.hash = arguments[0]; return null;",
        json!([format!("#/history/{run_id}")]),
    )
    .await?;
    app.wait_for_text(&tid("page-title"), &format!("Run #{run_id}"), SHORT)
        .await?;
    app.wait_for(&tid("run-undo"), WAIT).await?;
    app.click_css(&tid("run-undo")).await?;
    app.wait_for(&tid("undo-items"), Duration::from_secs(60))
        .await?;
    let rows = app.find_all(&tid("undo-item")).await?;
    assert_eq!(rows.len(), changed.len());
    let skips = app
        .find_all("[data-testid=undo-item][data-action=skip]")
        .await?;
    assert_eq!(skips.len(), 1, "the edited line is skipped");
    let skip_text = app.text(&skips[0]).await?;
    assert!(
        skip_text.contains(&format!("Changed since: now {}", after_sync[&touched] + 1)),
        "{skip_text}"
    );
    let label = app.text(&app.find(&tid("undo-apply")).await?).await?;
    assert_eq!(label, format!("Undo {} change(s)", changed.len() - 1));
    ra.shot("ui-undo-01-preview").await;

    app.click_css(&tid("undo-apply")).await?;
    app.wait_for(&tid("run-undo-of"), Duration::from_secs(60))
        .await?;
    let of = app.text(&app.find(&tid("run-undo-of")).await?).await?;
    assert_eq!(of, format!("Run #{run_id}"));
    assert!(
        app.find_all(&tid("run-undo")).await?.is_empty(),
        "an undo run offers no undo"
    );
    ra.shot("ui-undo-02-undo-run").await;
    let now = all_quantities(&sb, Psa::Connectwise);
    for (line, q) in &now {
        if *line == touched {
            assert_eq!(*q, after_sync[&touched] + 1);
        } else {
            assert_eq!(Some(q), before_all.get(line), "line {line}");
        }
    }
    ra.close().await
}
