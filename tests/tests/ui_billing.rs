//! The connector's billing settings on its screen, in the real app's UI against the sandbox
//! (issue 14, item 3): the row's *Billing settings* opens the stored cadence and threshold;
//! a day outside 1–28 and a threshold of 0 are refused inline with nothing stored; monthly on
//! the 15th with a 3-unit threshold and *create missing lines* saved there are what
//! `psa-bridge connector billing` (the database) shows.

use psa_bridge::sandbox::{self, SandboxOptions};
use psa_bridge_e2e::flows::{self, choose, fill, tid, RunningApp, SHORT, WAIT};
use psa_bridge_e2e::{app_lock, require_desktop_session};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a desktop session: scripts/test.sh"]
async fn set_monthly_and_a_threshold_on_the_connector_screen() -> anyhow::Result<()> {
    require_desktop_session("set_monthly_and_a_threshold_on_the_connector_screen");
    let _lock = app_lock();
    let sb = sandbox::start(SandboxOptions::default()).await?;
    let data = tempfile::tempdir()?;
    let dir_buf = data.path().to_path_buf();
    let dir = dir_buf.as_path();
    flows::cli_connect_coro(dir, &sb.info.coro)?;
    let id = flows::cli_add_connectwise(dir, &sb.info.connectwise)?;
    let id_text = id.to_string();
    let stored = || flows::cli_json(dir, &["connector", "billing", &id_text, "--json"], None);
    assert_eq!(stored()?["monthly_day"], serde_json::Value::Null);

    let ra = RunningApp::launch_with(data).await?;
    let app = &ra.app;
    app.wait_for(&tid(&format!("connector-billing-{id}")), WAIT)
        .await?;
    app.click_css(&tid(&format!("connector-billing-{id}")))
        .await?;
    app.wait_for(&tid("billing-dialog"), SHORT).await?;
    // The stored settings: daily, no threshold, no creates.
    flows::wait_eval(
        app,
        &tid("billing-daily"),
        "String(el.checked)",
        "true",
        SHORT,
    )
    .await?;
    flows::wait_eval(
        app,
        &tid("billing-threshold-kind"),
        "el.value",
        "off",
        SHORT,
    )
    .await?;
    let create = flows::eval_on(app, &tid("billing-create-missing"), "el.checked").await?;
    assert_eq!(create.as_bool(), Some(false));

    // Wrong values: shown inline at once, nothing stored.
    app.click_css(&tid("billing-monthly")).await?;
    fill(app, &tid("billing-day"), "31").await?;
    app.wait_for_text(&tid("billing-day-error"), "1 to 28", SHORT)
        .await?;
    choose(app, &tid("billing-threshold-kind"), "units").await?;
    fill(app, &tid("billing-threshold-value"), "0").await?;
    app.wait_for_text(&tid("billing-threshold-error"), "at least 1", SHORT)
        .await?;
    app.click_css(&tid("billing-save")).await?;
    ra.shot("ui-billing-01-invalid").await;
    assert!(
        flows::visible(app, &tid("billing-dialog")).await?,
        "not saved"
    );
    assert_eq!(
        stored()?["monthly_day"],
        serde_json::Value::Null,
        "nothing stored"
    );

    // Fixed: monthly on the 15th, 3 units, create missing lines.
    fill(app, &tid("billing-day"), "15").await?;
    fill(app, &tid("billing-threshold-value"), "3").await?;
    flows::wait_gone(app, &tid("billing-day-error"), SHORT).await?;
    flows::wait_gone(app, &tid("billing-threshold-error"), SHORT).await?;
    app.click_css(&tid("billing-create-missing")).await?;
    ra.shot("ui-billing-02-filled").await;
    app.click_css(&tid("billing-save")).await?;
    flows::wait_gone(app, &tid("billing-dialog"), WAIT).await?;

    let b = stored()?;
    assert_eq!(b["monthly_day"], 15, "{b}");
    assert_eq!(
        b["threshold"],
        serde_json::json!({"kind": "units", "value": 3}),
        "{b}"
    );
    assert_eq!(b["create_missing"], true, "{b}");

    // Opened again, the dialog shows what is stored.
    app.click_css(&tid(&format!("connector-billing-{id}")))
        .await?;
    flows::wait_eval(app, &tid("billing-day"), "el.value", "15", SHORT).await?;
    flows::wait_eval(app, &tid("billing-threshold-value"), "el.value", "3", SHORT).await?;
    ra.shot("ui-billing-03-reopened").await;
    ra.close().await
}
