//! Adding an Autotask connector in the real app's UI against the sandbox (zone URL in Advanced,
//! so nothing goes to the real zone discovery): a wrong secret shows Autotask's 401 message in
//! the dialog and stores nothing, the right one adds the connector and its row says Connected.

use psa_bridge::sandbox::{self, SandboxOptions};
use psa_bridge_e2e::flows::{
    self, database_contains, fill, open_add_dialog, tid, RunningApp, SHORT, WAIT,
};
use psa_bridge_e2e::{app_lock, require_desktop_session};

const WRONG_SECRET: &str = "Not-The-Secret-9931";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a desktop session: scripts/test.sh"]
async fn add_autotask_in_the_ui() -> anyhow::Result<()> {
    require_desktop_session("add_autotask_in_the_ui");
    let _lock = app_lock();
    let sb = sandbox::start(SandboxOptions::default()).await?;
    let at = sb.info.autotask.clone();
    let ra = RunningApp::launch().await?;
    let app = &ra.app;

    open_add_dialog(app, "autotask").await?;
    fill(app, &tid("at-username"), &at.username).await?;
    fill(app, &tid("at-secret"), WRONG_SECRET).await?;
    fill(app, &tid("at-integration-code"), &at.integration_code).await?;
    // The zone URL lives under the collapsed Advanced section.
    app.click_css(&tid("at-advanced")).await?;
    app.wait_for(&tid("at-zone-url"), SHORT).await?;
    // Opening it scrolls the field into view (an effect after the click): wait for it.
    assert!(
        flows::wait_visible(app, &tid("at-zone-url"), SHORT).await?,
        "Advanced opens to show the zone URL"
    );
    fill(app, &tid("at-zone-url"), &at.zone_url).await?;
    ra.shot("ui-autotask-01-dialog-filled").await;

    // Wrong secret: Autotask's 401 message inline; the dialog keeps what was typed.
    sb.autotask.gate.clear_requests();
    app.click_css(&tid("at-submit")).await?;
    let error = app
        .wait_for_text(
            &tid("dialog-error"),
            "Autotask refused the API user's Secret",
            WAIT,
        )
        .await?;
    assert!(error.contains("401"), "{error}");
    assert!(
        !error.contains(WRONG_SECRET),
        "the message does not echo the secret: {error}"
    );
    // The message is scrolled into view above the dialog's sticky footer (it once hid under it).
    assert!(
        flows::wait_visible(app, &tid("dialog-error"), SHORT).await?,
        "the error is visible without scrolling by hand"
    );
    ra.shot("ui-autotask-02-wrong-secret-401").await;
    assert!(
        !sb.autotask.gate.requests().is_empty(),
        "the secret was checked against the sandbox"
    );
    let kept = flows::eval_on(app, &tid("at-zone-url"), "el.value").await?;
    assert_eq!(
        kept.as_str(),
        Some(at.zone_url.as_str()),
        "typed values are kept after a failure"
    );

    // Nothing stored.
    assert_eq!(
        flows::connectors(ra.dir())?,
        Vec::<serde_json::Value>::new(),
        "nothing stored after the 401"
    );
    assert!(
        !database_contains(ra.dir(), WRONG_SECRET)?,
        "the secret never reaches the database"
    );

    // The right secret: Connected.
    fill(app, &tid("at-secret"), &at.secret).await?;
    app.click_css(&tid("at-submit")).await?;
    flows::wait_gone(app, &tid("add-connector-dialog"), WAIT).await?;
    let list = flows::connectors(ra.dir())?;
    assert_eq!(list.len(), 1, "one connector stored: {list:?}");
    assert_eq!(list[0]["kind"], "autotask");
    assert_eq!(list[0]["status"]["state"], "connected");
    let id = list[0]["id"].as_i64().expect("connector id");
    app.wait_for(&tid(&format!("connector-row-{id}")), SHORT)
        .await?;
    app.wait_for_text(&tid(&format!("connector-status-{id}")), "Connected", WAIT)
        .await?;
    let state = flows::eval_on(
        app,
        &tid(&format!("connector-status-{id}")),
        "el.dataset.state",
    )
    .await?;
    assert_eq!(state.as_str(), Some("connected"));
    let kind = flows::eval_on(app, &tid(&format!("connector-row-{id}")), "el.dataset.kind").await?;
    assert_eq!(kind.as_str(), Some("autotask"));
    let name = app
        .text(&app.find(&tid(&format!("connector-name-{id}"))).await?)
        .await?;
    assert!(
        name.contains(&at.username),
        "default name names the API user: {name}"
    );
    assert!(
        !database_contains(ra.dir(), &at.secret)?,
        "the secret is kept in the keychain only"
    );
    ra.shot("ui-autotask-03-connected").await;

    ra.close().await?;
    Ok(())
}
