//! Approving held changes where the operator looks: a run that held decreases (Settings hold
//! every decrease) offers *Review held changes* on its page; the dialog lists exactly the held
//! changes; approving one and rejecting the rest writes exactly that one to ConnectWise as a run
//! of its own (the sandbox's line says so), and the rejected ones stay as they were.

use psa_bridge::sandbox::seed::SERVICES;
use psa_bridge::sandbox::{self, SandboxOptions};
use psa_bridge_e2e::flows::{self, tid, RunningApp, SHORT, WAIT};
use psa_bridge_e2e::sandbox_cli::{
    json_ok, map_services, map_workspaces, single, truth_lines, Psa,
};
use psa_bridge_e2e::{app_lock, require_desktop_session};
use serde_json::Value;

/// (customer index, service index) of a plan item.
fn pair(sb: &sandbox::Sandbox, item: &Value) -> (usize, usize) {
    let c = sb
        .world
        .customers
        .iter()
        .position(|c| item["workspace_id"] == c.workspace_id.as_str())
        .unwrap_or_else(|| panic!("no customer for {item}"));
    let s = SERVICES
        .iter()
        .position(|s| item["service_key"] == s.key)
        .unwrap_or_else(|| panic!("no service for {item}"));
    (c, s)
}

fn quantity(sb: &sandbox::Sandbox, at: (usize, usize)) -> i64 {
    let lines = truth_lines(sb, Psa::Connectwise);
    single(lines.get(&at).map(Vec::as_slice).unwrap_or_default())
        .unwrap_or_else(|| panic!("no single line for {at:?}"))
        .quantity
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a desktop session: scripts/test.sh"]
async fn approve_held_changes_from_the_run_page() -> anyhow::Result<()> {
    require_desktop_session("approve_held_changes_from_the_run_page");
    let _lock = app_lock();
    let sb = sandbox::start(SandboxOptions::default()).await?;
    let data = tempfile::tempdir()?;
    let dir_buf = data.path().to_path_buf();
    let dir = dir_buf.as_path();
    flows::cli_connect_coro(dir, &sb.info.coro)?;
    let id = flows::cli_add_connectwise(dir, &sb.info.connectwise)?.to_string();
    map_services(dir, &id, &sb, Psa::Connectwise);
    map_workspaces(dir, &id, &sb, Psa::Connectwise);
    // Every decrease is held: the run applies the increases and holds the decreases.
    json_ok(
        dir,
        &["settings", "--max-decrease-percent", "0", "--json"],
        None,
    );
    let out = json_ok(dir, &["sync", &id, "--json"], None);
    let run_id = out[0]["summary"]["run_id"].as_i64().expect("run id");
    let held: Vec<Value> = out[0]["plan"]["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
        .into_iter()
        .filter(|i| i["action"] == "hold")
        .collect();
    assert!(
        held.len() >= 2,
        "the run holds decreases: {}",
        out[0]["summary"]
    );
    assert_eq!(out[0]["summary"]["status"], "held");
    let before: Vec<i64> = held.iter().map(|i| quantity(&sb, pair(&sb, i))).collect();

    let ra = RunningApp::launch_with(data).await?;
    let app = &ra.app;
    app.execute(
        "window.location.hash = arguments[0];",
        serde_json::json!([format!("#/history/{run_id}")]),
    )
    .await?;
    app.wait_for("[data-testid=view-run][data-status=held]", WAIT)
        .await?;
    app.click_css(&tid("run-review-held")).await?;
    app.wait_for(&tid("held-items"), WAIT).await?;
    let rows = app.find_all("[data-testid^=held-item-]").await?;
    assert_eq!(rows.len(), held.len(), "exactly the held changes");
    let first = app.text(&app.find(&tid("held-item-0")).await?).await?;
    assert!(
        first.contains(held[0]["workspace_name"].as_str().unwrap_or("?")),
        "{first}"
    );
    assert!(
        first.contains("held for approval"),
        "the reason is shown: {first}"
    );

    // Apply stays disabled until every change is decided; then approve the first, reject the rest.
    let disabled = flows::eval_on(app, &tid("held-apply"), "el.disabled").await?;
    assert_eq!(disabled, Value::Bool(true));
    app.click_css(&tid("held-reject-all")).await?;
    app.click_css(&tid("held-approve-0")).await?;
    let label = app
        .wait_for_text(
            &tid("held-apply"),
            &format!("write 1, reject {}", held.len() - 1),
            SHORT,
        )
        .await?;
    assert!(label.contains("Apply"), "{label}");
    ra.shot("ui-held-review-01-decided").await;
    app.click_css(&tid("held-apply")).await?;
    flows::wait_gone(app, &tid("held-review-dialog"), WAIT).await?;

    // A run of its own: the page now shows it, one applied and the rest skipped as rejected.
    let runs = json_ok(dir, &["runs", "--connector", &id, "--json"], None);
    let newest = runs
        .as_array()
        .and_then(|r| r.iter().map(|r| r["run_id"].as_i64().unwrap_or(0)).max())
        .expect("runs");
    assert!(newest > run_id, "a new run: {runs}");
    app.wait_for("[data-testid=view-run][data-status=succeeded]", WAIT)
        .await?;
    let title = app.text(&app.find(&tid("page-title")).await?).await?;
    assert_eq!(title, format!("Run #{newest}"));
    ra.shot("ui-held-review-02-applied-run").await;
    let detail = json_ok(dir, &["run", "show", &newest.to_string(), "--json"], None);
    let items = detail["items"].as_array().cloned().unwrap_or_default();
    assert_eq!(items.len(), held.len(), "only the held changes: {detail}");
    let applied: Vec<_> = items.iter().filter(|i| i["outcome"] == "applied").collect();
    assert_eq!(applied.len(), 1, "{detail}");
    assert!(items
        .iter()
        .filter(|i| i["outcome"] != "applied")
        .all(|i| i["reason"]
            .as_str()
            .unwrap_or("")
            .starts_with("Rejected on review")));

    // The sandbox: the approved line holds Coro's count, the rejected ones are untouched.
    let (c, s) = pair(&sb, &held[0]);
    assert_eq!(quantity(&sb, (c, s)), sb.world.usage(c, s) as i64);
    assert_ne!(quantity(&sb, (c, s)), before[0]);
    for (i, item) in held.iter().enumerate().skip(1) {
        assert_eq!(
            quantity(&sb, pair(&sb, item)),
            before[i],
            "rejected: {item}"
        );
    }
    ra.close().await?;
    Ok(())
}
