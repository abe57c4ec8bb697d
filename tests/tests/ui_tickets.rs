//! The PSA ticket settings in the connector's Billing settings dialog, in the real app's UI
//! against the sandbox (issue 14, item 4): when ConnectWise cannot be read, the board picker says
//! so in place; once it can, the boards come from the PSA (inactive and project boards left
//! out); turning tickets on without a board is refused inline with nothing stored; choosing
//! *Alerts* and saving is what `psa-bridge connector tickets` (the database) shows; a failed run
//! whose ticket could not be opened says so on its run page.

use psa_bridge::sandbox::faults::{FaultKind, RouteFault};
use psa_bridge::sandbox::{self, SandboxOptions};
use psa_bridge_e2e::flows::{self, choose, tid, RunningApp, SHORT, WAIT};
use psa_bridge_e2e::{app_lock, require_desktop_session};

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a desktop session: scripts/test.sh"]
async fn pick_a_board_for_tickets_in_the_billing_dialog() -> anyhow::Result<()> {
    require_desktop_session("pick_a_board_for_tickets_in_the_billing_dialog");
    let _lock = app_lock();
    let sb = sandbox::start(SandboxOptions::default()).await?;
    let data = tempfile::tempdir()?;
    let dir_buf = data.path().to_path_buf();
    let dir = dir_buf.as_path();
    flows::cli_connect_coro(dir, &sb.info.coro)?;
    let id = flows::cli_add_connectwise(dir, &sb.info.connectwise)?;
    let id_text = id.to_string();
    let stored = || flows::cli_json(dir, &["connector", "tickets", &id_text, "--json"], None);
    assert_eq!(stored()?["enabled"], false);

    // ConnectWise cannot list its boards: the picker says so in place.
    sb.connectwise.gate.route_faults.arm(RouteFault {
        path: "/service/boards".into(),
        method: None,
        header: None,
        contains_id: None,
        kind: FaultKind::Unavailable,
        remaining: None,
    });
    let ra = RunningApp::launch_with(data).await?;
    let app = &ra.app;
    let open = tid(&format!("connector-billing-{id}"));
    app.wait_for(&open, WAIT).await?;
    app.click_css(&open).await?;
    app.wait_for(&tid("billing-dialog"), SHORT).await?;
    app.wait_for_text(
        &tid("tickets-queues-error"),
        "Could not read the service boards",
        WAIT,
    )
    .await?;
    ra.shot("ui-tickets-01-psa-unreadable").await;
    app.click_css(&tid("billing-cancel")).await?;
    flows::wait_gone(app, &tid("billing-dialog"), SHORT).await?;

    // Readable again: the active, non-project boards.
    sb.connectwise.gate.route_faults.clear();
    app.click_css(&open).await?;
    app.wait_for(&tid("billing-dialog"), SHORT).await?;
    let options = "Array.from(el.options).map(o => o.textContent).join('|')";
    flows::wait_eval(
        app,
        &tid("tickets-queue"),
        options,
        "Choose a service board|Alerts (12)|Help Desk (14)",
        WAIT,
    )
    .await?;

    // On without a board: refused inline, nothing stored.
    app.click_css(&tid("tickets-enabled")).await?;
    app.wait_for_text(&tid("tickets-error"), "Choose the service board", SHORT)
        .await?;
    app.click_css(&tid("billing-save")).await?;
    ra.shot("ui-tickets-02-no-board").await;
    assert!(
        flows::visible(app, &tid("billing-dialog")).await?,
        "not saved"
    );
    assert_eq!(stored()?["enabled"], false, "nothing stored");

    // Alerts: saved, and the CLI shows it.
    choose(app, &tid("tickets-queue"), "12").await?;
    flows::wait_gone(app, &tid("tickets-error"), SHORT).await?;
    ra.shot("ui-tickets-03-alerts").await;
    app.click_css(&tid("billing-save")).await?;
    flows::wait_gone(app, &tid("billing-dialog"), WAIT).await?;
    let t = stored()?;
    assert_eq!(t["enabled"], true, "{t}");
    assert_eq!(
        t["queue"],
        serde_json::json!({"id": 12, "name": "Alerts"}),
        "{t}"
    );

    // Opened again, the dialog shows what is stored.
    app.click_css(&open).await?;
    flows::wait_eval(app, &tid("tickets-queue"), "el.value", "12", WAIT).await?;
    let on = flows::eval_on(app, &tid("tickets-enabled"), "el.checked").await?;
    assert_eq!(on.as_bool(), Some(true));
    app.click_css(&tid("billing-cancel")).await?;

    // A run fails (Coro is down) and its ticket cannot be opened (ConnectWise refuses the POST):
    // the run page says so.
    let down = |path: &str, method: Option<&str>| RouteFault {
        path: path.into(),
        method: method.map(str::to_string),
        header: None,
        contains_id: None,
        kind: FaultKind::Unavailable,
        remaining: None,
    };
    sb.coro.gate.route_faults.arm(down("/", None));
    sb.connectwise
        .gate
        .route_faults
        .arm(down("/service/tickets", Some("POST")));
    let o = psa_bridge_e2e::cli(dir, &["sync", &id_text, "--json"], None);
    assert_ne!(o.status.code(), Some(0), "the sync fails");
    let runs = flows::cli_json(dir, &["runs", "--connector", &id_text, "--json"], None)?;
    let run_id = runs[0]["run_id"].as_i64().expect("the failed run");
    app.execute(
        "location.hash = arguments[0]; return null;",
        serde_json::json!([format!("#/history/{run_id}")]),
    )
    .await?;
    app.wait_for_text(
        &tid("run-attention"),
        "Could not update the PSA ticket",
        WAIT,
    )
    .await?;
    ra.shot("ui-tickets-04-run-notice").await;
    ra.close().await
}
