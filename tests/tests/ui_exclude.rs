//! *Exclude from billing* in the real app's UI against the sandbox: a line of the preview that
//! would change is excluded; the preview then shows it skipped with who excluded it and when, the
//! exclusion persists (the CLI's plan skips it too), and applying writes every other change but
//! leaves that line in ConnectWise as it was.

use psa_bridge::sandbox::seed::SERVICES;
use psa_bridge::sandbox::{self, SandboxOptions};
use psa_bridge_e2e::flows::{self, tid, RunningApp, SHORT, WAIT};
use psa_bridge_e2e::sandbox_cli::{
    json_ok, map_services, map_workspaces, single, truth_lines, Psa,
};
use psa_bridge_e2e::{app_lock, require_desktop_session};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a desktop session: scripts/test.sh"]
async fn an_excluded_line_is_never_written() -> anyhow::Result<()> {
    require_desktop_session("an_excluded_line_is_never_written");
    let _lock = app_lock();
    let sb = sandbox::start(SandboxOptions::default()).await?;
    let data = tempfile::tempdir()?;
    let dir_buf = data.path().to_path_buf();
    let dir = dir_buf.as_path();
    flows::cli_connect_coro(dir, &sb.info.coro)?;
    let id = flows::cli_add_connectwise(dir, &sb.info.connectwise)?.to_string();
    map_services(dir, &id, &sb, Psa::Connectwise);
    map_workspaces(dir, &id, &sb, Psa::Connectwise);
    // An increase the plan would write: (customer, service) on exactly one line below usage.
    let lines = truth_lines(&sb, Psa::Connectwise);
    let (c, s, before) = lines
        .iter()
        .find_map(|(&(c, s), l)| {
            let q = single(l)?.quantity;
            (sb.world.subscribes(c, s)
                && (sb.world.usage(c, s) as i64) > q
                && (sb.world.usage(c, s) as i64) < 2 * q)
                .then_some((c, s, q))
        })
        .expect("a plain increase to exclude");
    let key = format!("{}-{}", sb.world.customers[c].workspace_id, SERVICES[s].key);

    let ra = RunningApp::launch_with(data).await?;
    let app = &ra.app;
    flows::go(app, "sync", "Sync").await?;
    flows::wait_eval(app, &tid("sync-connector"), "el.value", &id, WAIT).await?;
    app.click_css(&tid("sync-preview")).await?;
    let row = tid(&format!("plan-row-{key}"));
    app.wait_for(&row, Duration::from_secs(90)).await?;
    flows::wait_eval(app, &row, "el.dataset.action", "increase", SHORT).await?;
    app.click_css(&tid(&format!("exclude-{key}"))).await?;

    // Previewed again: skipped, with who and when; Include again offered.
    app.wait_for(&tid(&format!("include-{key}")), Duration::from_secs(90))
        .await?;
    flows::wait_eval(app, &row, "el.dataset.action", "skip", SHORT).await?;
    let text = app.text(&app.find(&row).await?).await?;
    assert!(text.contains("Excluded from billing by"), "{text}");
    flows::eval_on(app, &row, "el.scrollIntoView({ block: 'center' })").await?;
    ra.shot("ui-exclude-01-excluded-line").await;

    // Persisted: the CLI's plan skips it too.
    let out = json_ok(dir, &["sync", &id, "--dry-run", "--json"], None);
    let item = out[0]["plan"]["items"]
        .as_array()
        .and_then(|a| {
            a.iter()
                .find(|i| {
                    format!(
                        "{}-{}",
                        i["workspace_id"].as_str().unwrap_or(""),
                        i["service_key"].as_str().unwrap_or("")
                    ) == key
                })
                .cloned()
        })
        .expect("the item");
    assert_eq!(item["action"], "skip", "{item}");

    // Apply: the excluded line is not written.
    app.click_css(&tid("sync-preview")).await?;
    app.wait_for(&tid(&format!("include-{key}")), Duration::from_secs(90))
        .await?;
    app.click_css(&tid("sync-apply")).await?;
    app.wait_for_text(&tid("sync-result"), "applied", Duration::from_secs(90))
        .await?;
    let after = truth_lines(&sb, Psa::Connectwise);
    let q = single(after.get(&(c, s)).map(Vec::as_slice).unwrap_or_default()).map(|l| l.quantity);
    assert_eq!(q, Some(before), "the excluded line was not written");
    ra.close().await?;
    Ok(())
}
