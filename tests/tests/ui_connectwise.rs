//! Adding a ConnectWise connector in the real app's UI against the sandbox: the clientId is set
//! in Settings, a wrong private key shows the 401 message in the dialog and stores nothing, the
//! right one adds the connector and its row says Connected.

use psa_bridge::sandbox::{self, SandboxOptions};
use psa_bridge_e2e::app_lock;
use psa_bridge_e2e::flows::{
    self, database_contains, fill, open_add_dialog, tid, RunningApp, SHORT, WAIT,
};
use psa_bridge_e2e::require_desktop_session;

const WRONG_KEY: &str = "not-the-private-key-4711";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a desktop session: scripts/test.sh"]
async fn add_connectwise_in_the_ui() -> anyhow::Result<()> {
    require_desktop_session("add_connectwise_in_the_ui");
    let _lock = app_lock();
    let sb = sandbox::start(SandboxOptions::default()).await?;
    let cw = sb.info.connectwise.clone();
    let ra = RunningApp::launch().await?;
    let app = &ra.app;

    // Settings: the integration's clientId, saved through the UI and read back by the CLI.
    flows::save_client_id(app, &cw.client_id).await?;
    ra.shot("ui-connectwise-01-settings-client-id").await;
    assert!(
        database_contains(ra.dir(), &cw.client_id)?,
        "the saved clientId is stored"
    );

    // Connectors: the empty state, then the ConnectWise dialog.
    flows::go(app, "connectors", "Connectors").await?;
    app.wait_for(&tid("connectors-empty"), WAIT).await?;
    open_add_dialog(app, "connectwise").await?;
    // Nothing typed: the first missing field says so right under it, on screen; no general error.
    app.click_css(&tid("cw-submit")).await?;
    app.wait_for(".field__error[data-testid$='-error']", SHORT)
        .await?;
    assert!(
        flows::wait_visible(app, ".field__error[data-testid$='-error']", SHORT).await?,
        "the field's error is visible in the default window"
    );
    assert!(app.find_all(&tid("dialog-error")).await?.is_empty());
    ra.shot("ui-connectwise-01b-field-error").await;
    fill(app, &tid("cw-company"), &cw.company).await?;
    fill(app, &tid("cw-site"), &cw.site).await?;
    fill(app, &tid("cw-public-key"), &cw.public_key).await?;
    fill(app, &tid("cw-private-key"), WRONG_KEY).await?;
    ra.shot("ui-connectwise-02-dialog-filled").await;

    // Wrong private key: the 401 message inline, the dialog stays open with what was typed.
    app.click_css(&tid("cw-submit")).await?;
    let error = app
        .wait_for_text(
            &tid("dialog-error"),
            "401 from ConnectWise: check the public/private key pair",
            WAIT,
        )
        .await?;
    assert!(
        !error.contains(WRONG_KEY),
        "the message does not echo the key: {error}"
    );
    // The message is on screen, not hidden under the dialog's sticky footer.
    assert!(
        flows::wait_visible(app, &tid("dialog-error"), SHORT).await?,
        "the 401 message is visible"
    );
    ra.shot("ui-connectwise-03-wrong-key-401").await;
    let kept = flows::eval_on(app, &tid("cw-company"), "el.value").await?;
    assert_eq!(
        kept.as_str(),
        Some(cw.company.as_str()),
        "typed values are kept after a failure"
    );
    // The sandbox really was asked (a 401 from it, not a local check).
    assert!(
        !sb.connectwise.gate.requests().is_empty(),
        "the dialog checked the key against the sandbox"
    );

    // Nothing stored: no connector, and the wrong key is nowhere in the database.
    assert_eq!(
        flows::connectors(ra.dir())?,
        Vec::<serde_json::Value>::new(),
        "nothing stored after the 401"
    );
    assert!(
        !database_contains(ra.dir(), WRONG_KEY)?,
        "the private key never reaches the database"
    );

    // The right key: the dialog closes and the row says Connected.
    fill(app, &tid("cw-private-key"), &cw.private_key).await?;
    app.click_css(&tid("cw-submit")).await?;
    flows::wait_gone(app, &tid("add-connector-dialog"), WAIT).await?;
    let list = flows::connectors(ra.dir())?;
    assert_eq!(list.len(), 1, "one connector stored: {list:?}");
    assert_eq!(list[0]["kind"], "connectwise");
    assert_eq!(list[0]["status"]["state"], "connected");
    let id = list[0]["id"].as_i64().expect("connector id");
    app.wait_for(&tid(&format!("connector-row-{id}")), SHORT)
        .await?;
    let status = app
        .wait_for_text(&tid(&format!("connector-status-{id}")), "Connected", WAIT)
        .await?;
    assert!(!status.contains("failed"), "{status}");
    let state = flows::eval_on(
        app,
        &tid(&format!("connector-status-{id}")),
        "el.dataset.state",
    )
    .await?;
    assert_eq!(state.as_str(), Some("connected"));
    let name = app
        .text(&app.find(&tid(&format!("connector-name-{id}"))).await?)
        .await?;
    assert!(
        name.contains(&cw.company),
        "default name names the company: {name}"
    );
    assert!(
        !database_contains(ra.dir(), &cw.private_key)?,
        "the private key is kept in the keychain only"
    );
    ra.shot("ui-connectwise-04-connected").await;

    ra.close().await?;
    Ok(())
}
