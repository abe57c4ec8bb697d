//! Editing a connector in the real app's UI against the sandbox, and the one-account-one-connector
//! refusal in the add dialog. With Coro, a ConnectWise connector and its workspace mappings set up
//! through the CLI: the row's Edit opens the stored settings; a wrong new private key shows the
//! 401 inline with what was typed kept and nothing saved; the right one saves the new name with
//! every mapping kept; adding the same ConnectWise account again is refused naming the connector.

use psa_bridge::sandbox::{self, SandboxOptions};
use psa_bridge_e2e::flows::{self, fill, open_add_dialog, tid, RunningApp, SHORT, WAIT};
use psa_bridge_e2e::sandbox_cli::{map_workspaces, Psa};
use psa_bridge_e2e::{app_lock, require_desktop_session};

const WRONG_KEY: &str = "rotated-but-wrong-4711";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a desktop session: scripts/test.sh"]
async fn edit_a_connector_and_refuse_a_duplicate_in_the_ui() -> anyhow::Result<()> {
    require_desktop_session("edit_a_connector_and_refuse_a_duplicate_in_the_ui");
    let _lock = app_lock();
    let sb = sandbox::start(SandboxOptions::default()).await?;
    let cw = sb.info.connectwise.clone();
    let data = tempfile::tempdir()?;
    let dir_buf = data.path().to_path_buf();
    let dir = dir_buf.as_path();
    flows::cli_connect_coro(dir, &sb.info.coro)?;
    let id = flows::cli_add_connectwise(dir, &cw)?;
    let mapped = map_workspaces(dir, &id.to_string(), &sb, Psa::Connectwise).len();
    assert!(mapped > 0);

    let ra = RunningApp::launch_with(data).await?;
    let app = &ra.app;
    let mapping_cell = tid(&format!("workspace-mapping-{id}"));
    flows::wait_eval(
        app,
        &mapping_cell,
        "el.dataset.mapped",
        &mapped.to_string(),
        WAIT,
    )
    .await?;

    // Test connection says what it found, on the row (the status may already read Connected).
    app.click_css(&tid(&format!("connector-test-{id}"))).await?;
    let result = app
        .wait_for_text(
            &tid(&format!("connector-test-result-{id}")),
            "the connection works",
            WAIT,
        )
        .await?;
    assert!(result.starts_with("Checked at"), "{result}");
    let ok = flows::eval_on(
        app,
        &tid(&format!("connector-test-result-{id}")),
        "el.dataset.ok",
    )
    .await?;
    assert_eq!(ok.as_str(), Some("true"));

    // Edit: the stored settings are filled in; secrets start empty.
    app.click_css(&tid(&format!("connector-edit-{id}"))).await?;
    app.wait_for(&tid("edit-connector-dialog"), SHORT).await?;
    flows::wait_eval(app, &tid("edit-site"), "el.value", &cw.site, SHORT).await?;
    let key = flows::eval_on(app, &tid("edit-private-key"), "el.value").await?;
    assert_eq!(key.as_str(), Some(""), "the stored key is never shown");
    let client_id = flows::eval_on(app, &tid("edit-client-id"), "el.value").await?;
    assert_eq!(client_id.as_str(), Some(cw.client_id.as_str()));

    // A wrong new key: the 401 inline, what was typed kept, nothing saved.
    fill(app, &tid("edit-name"), "Billing CW").await?;
    fill(app, &tid("edit-private-key"), WRONG_KEY).await?;
    app.click_css(&tid("edit-connector-save")).await?;
    let error = app
        .wait_for_text(&tid("edit-connector-error"), "401 from ConnectWise", WAIT)
        .await?;
    assert!(!error.contains(WRONG_KEY), "{error}");
    assert!(flows::wait_visible(app, &tid("edit-connector-error"), SHORT).await?);
    ra.shot("ui-connector-edit-01-wrong-key").await;
    let kept = flows::eval_on(app, &tid("edit-name"), "el.value").await?;
    assert_eq!(kept.as_str(), Some("Billing CW"), "typed values kept");
    let list = flows::connectors(ra.dir())?;
    assert_ne!(list[0]["name"], "Billing CW", "nothing saved: {list:?}");
    assert!(!flows::database_contains(ra.dir(), WRONG_KEY)?);

    // The right key: saved, the row renamed and Connected, every mapping kept.
    fill(app, &tid("edit-private-key"), &cw.private_key).await?;
    app.click_css(&tid("edit-connector-save")).await?;
    flows::wait_gone(app, &tid("edit-connector-dialog"), WAIT).await?;
    app.wait_for_text(&tid(&format!("connector-name-{id}")), "Billing CW", WAIT)
        .await?;
    flows::wait_eval(
        app,
        &mapping_cell,
        "el.dataset.mapped",
        &mapped.to_string(),
        SHORT,
    )
    .await?;
    let list = flows::connectors(ra.dir())?;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["id"], id);
    assert_eq!(list[0]["status"]["state"], "connected");
    assert_eq!(list[0]["workspace_mapping"]["mapped"], mapped);
    ra.shot("ui-connector-edit-02-saved").await;

    // The same ConnectWise account added again: refused, naming the connector that holds it.
    open_add_dialog(app, "connectwise").await?;
    // The clientId is asked in the dialog, prefilled from Settings.
    flows::wait_eval(app, &tid("cw-client-id"), "el.value", &cw.client_id, SHORT).await?;
    fill(app, &tid("cw-company"), &cw.company).await?;
    fill(app, &tid("cw-site"), &cw.site).await?;
    fill(app, &tid("cw-public-key"), &cw.public_key).await?;
    fill(app, &tid("cw-private-key"), &cw.private_key).await?;
    app.click_css(&tid("cw-submit")).await?;
    app.wait_for_text(
        &tid("dialog-error"),
        &format!("Connector 'Billing CW' (id {id}) already connects to"),
        WAIT,
    )
    .await?;
    ra.shot("ui-connector-edit-03-duplicate-refused").await;
    assert_eq!(flows::connectors(ra.dir())?.len(), 1, "nothing added");

    ra.close().await?;
    Ok(())
}
