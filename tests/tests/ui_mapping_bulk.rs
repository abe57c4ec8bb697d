//! Mapping at scale in the real app's UI against the sandbox: *Accept N suggestions* on the
//! workspace screen maps every suggested workspace after one confirmation; a CSV chosen with
//! *Import CSV* is previewed (a conflicting file is refused line by line, nothing written) and
//! then applied.

use psa_bridge::sandbox::{self, SandboxOptions};
use psa_bridge_e2e::flows::{self, tid, RunningApp, SHORT, WAIT};
use psa_bridge_e2e::{app_lock, require_desktop_session};
use serde_json::{json, Value};

fn workspaces(dir: &std::path::Path, id: &str) -> anyhow::Result<Vec<Value>> {
    let v = flows::cli_json(dir, &["workspaces", "--connector", id, "--json"], None)?;
    Ok(v.as_array().cloned().unwrap_or_default())
}

/// Chooses a file for the hidden `<input type=file>` the way a file dialog would.
async fn choose_file(app: &psa_bridge_e2e::webdriver::Session, text: &str) -> anyhow::Result<()> {
    app.execute(
        "const input = document.querySelector(arguments[0]);
         const dt = new DataTransfer();
         dt.items.add(new File([arguments[1]], 'mappings.csv', { type: 'text/csv' }));
         input.files = dt.files;
         input.dispatchEvent(new Event('change', { bubbles: true }));",
        json!([tid("mappings-import-file"), text]),
    )
    .await?;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a desktop session: scripts/test.sh"]
async fn accept_all_suggestions_and_import_a_csv_in_the_ui() -> anyhow::Result<()> {
    require_desktop_session("accept_all_suggestions_and_import_a_csv_in_the_ui");
    let _lock = app_lock();
    let sb = sandbox::start(SandboxOptions::default()).await?;
    let data = tempfile::tempdir()?;
    let dir_buf = data.path().to_path_buf();
    let dir = dir_buf.as_path();
    flows::cli_connect_coro(dir, &sb.info.coro)?;
    let id = flows::cli_add_connectwise(dir, &sb.info.connectwise)?.to_string();
    let before = workspaces(dir, &id)?;
    let suggested: Vec<&Value> = before
        .iter()
        .filter(|r| r["archived"] == false && r["suggestion"].is_object())
        .collect();
    assert!(suggested.len() >= 5, "{before:?}");

    let ra = RunningApp::launch_with(data).await?;
    let app = &ra.app;
    app.execute(
        "window.location.hash = arguments[0];",
        json!([format!("#/connectors/{id}/workspaces")]),
    )
    .await?;
    let label = app
        .wait_for_text(
            &tid("accept-all-suggestions"),
            &format!("Accept {} suggestion(s)", suggested.len()),
            WAIT,
        )
        .await?;
    assert!(label.starts_with("Accept"), "{label}");
    app.click_css(&tid("accept-all-suggestions")).await?;
    let confirm = app
        .wait_for_text(
            &tid("confirm-dialog"),
            &format!("Accept {} suggestion(s)?", suggested.len()),
            SHORT,
        )
        .await?;
    assert!(confirm.contains("suggested company"), "{confirm}");
    ra.shot("ui-mapping-bulk-01-accept-all").await;
    app.click_css(&tid("confirm-accept")).await?;
    app.wait_for_text(
        &tid("accept-all-suggestions"),
        "Accept 0 suggestion(s)",
        WAIT,
    )
    .await?;
    let after = workspaces(dir, &id)?;
    for s in &suggested {
        let row = after
            .iter()
            .find(|r| r["workspace_id"] == s["workspace_id"])
            .expect("row");
        assert_eq!(row["company"]["id"], s["suggestion"]["id"], "{row}");
    }

    // A CSV giving the first two mapped workspaces the same company: refused line by line.
    let (a, b) = (&suggested[0], &suggested[1]);
    let header = "kind,coro_id,coro_name,psa_id,psa_name,unit";
    let bad = format!(
        "{header}\nworkspace,{},,{},,\nworkspace,{},,{},,\n",
        a["workspace_id"].as_str().unwrap_or(""),
        b["suggestion"]["id"],
        b["workspace_id"].as_str().unwrap_or(""),
        b["suggestion"]["id"]
    );
    choose_file(app, &bad).await?;
    let errors = app
        .wait_for_text(&tid("import-errors"), "Line 2", WAIT)
        .await?;
    assert!(
        errors.contains("Line 3") && errors.contains("would also be mapped"),
        "{errors}"
    );
    ra.shot("ui-mapping-bulk-02-import-refused").await;
    assert!(
        app.find_all(&tid("import-apply")).await?.is_empty(),
        "no apply for a refused file"
    );
    app.click_css(&tid("import-cancel")).await?;
    assert_eq!(workspaces(dir, &id)?, after, "nothing written");

    // A valid CSV: the first workspace unmapped. Previewed, then applied.
    let good = format!(
        "{header}\nworkspace,{},,,,\n",
        a["workspace_id"].as_str().unwrap_or("")
    );
    choose_file(app, &good).await?;
    app.wait_for_text(&tid("import-summary"), "1 change(s)", WAIT)
        .await?;
    let changes = app.text(&app.find(&tid("import-changes")).await?).await?;
    assert!(
        changes.contains("Line 2") && changes.contains("unmapped"),
        "{changes}"
    );
    ra.shot("ui-mapping-bulk-03-import-preview").await;
    app.click_css(&tid("import-apply")).await?;
    flows::wait_gone(app, &tid("import-dialog"), WAIT).await?;
    let now = workspaces(dir, &id)?;
    let row = now
        .iter()
        .find(|r| r["workspace_id"] == a["workspace_id"])
        .expect("row");
    assert!(row["company"].is_null(), "{row}");
    ra.close().await?;
    Ok(())
}
