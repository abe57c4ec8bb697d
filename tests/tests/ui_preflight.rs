//! Pre-flight checks in the real app against the ConnectWise sandbox, every workspace and
//! service mapped through the CLI. Opening the workspace mapping page checks the mapped
//! companies: each demo case shows its badge with the reason on its customer's row (an
//! agreement ending in 20 days, closed agreements still holding products, two candidate lines,
//! no line); a company made inactive through the sandbox's control appears on *Check again*;
//! fixed through the controls, those badges go. The Connectors page then shows the count next
//! to the mapping counts, linking to the page. Screenshots land in tests/results/.

use psa_bridge::sandbox::seed::Quirk;
use psa_bridge::sandbox::{self, SandboxOptions};
use psa_bridge_e2e::flows::{self, eval_on, tid, RunningApp, WAIT};
use psa_bridge_e2e::sandbox_cli::{
    company_id, customer_with, map_services, map_workspaces, writes, Psa,
};
use psa_bridge_e2e::{app_lock, require_desktop_session};
use serde_json::{json, Value};

async fn control(url: &str, control: &str, body: Value) -> anyhow::Result<()> {
    let r = reqwest::Client::new()
        .post(format!("{url}/_sandbox/{control}"))
        .json(&body)
        .send()
        .await?;
    anyhow::ensure!(r.status().is_success(), "{control} {body}: {}", r.status());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a desktop session: scripts/test.sh"]
async fn preflight_badges_appear_and_clear() -> anyhow::Result<()> {
    require_desktop_session("preflight_badges_appear_and_clear");
    let _lock = app_lock();
    let sb = sandbox::start(SandboxOptions::default()).await?;
    let data = tempfile::tempdir()?;
    let dir = data.path();
    flows::cli_connect_coro(dir, &sb.info.coro)?;
    let id = flows::cli_add_connectwise(dir, &sb.info.connectwise)?.to_string();
    map_services(dir, &id, &sb, Psa::Connectwise);
    map_workspaces(dir, &id, &sb, Psa::Connectwise);
    let w = &sb.world;
    let ws = |c: usize| w.customers[c].workspace_id.clone();
    let badge = |c: usize, kind: &str| tid(&format!("preflight-{}-{kind}", ws(c)));
    let url = sb.info.connectwise.url.clone();

    let ra = RunningApp::launch_with(data).await?;
    let app = &ra.app;
    flows::go(app, "connectors", "Connectors").await?;
    app.click_css(&format!("{} a", tid(&format!("workspace-mapping-{id}"))))
        .await?;
    app.wait_for(&tid("view-workspace-mapping"), WAIT).await?;
    flows::wait_eval(app, &tid("preflight-bar"), "el.dataset.state", "done", WAIT).await?;

    let cases = [
        (6, "ends_soon"),
        (4, "closed_holds_product"),
        (7, "closed_holds_product"),
        (customer_with(w, Quirk::TwoAgreements), "several_lines"),
        (customer_with(w, Quirk::DuplicatedLine), "several_lines"),
        (customer_with(w, Quirk::NoAgreement), "no_line"),
    ];
    for (c, kind) in cases {
        let found = app.find_all(&badge(c, kind)).await?;
        assert!(!found.is_empty(), "no {kind} badge for customer {c}");
    }
    // The reason is on the row, not only in a tooltip.
    let ends = app.text(&app.find(&badge(6, "ends_soon")).await?).await?;
    assert!(
        ends.contains("ends on") && ends.contains("in 20 days"),
        "{ends}"
    );
    assert!(app
        .find_all(&badge(8, "company_inactive"))
        .await?
        .is_empty());
    ra.shot("ui-preflight-01-badges").await;

    // A company made inactive in ConnectWise shows on "Check again".
    let company8 = company_id(&sb, Psa::Connectwise, &w.customers[8].name).expect("company");
    control(
        &url,
        "company-status",
        json!({"id": company8, "active": false}),
    )
    .await?;
    app.click_css(&tid("preflight-again")).await?;
    app.wait_for(&badge(8, "company_inactive"), WAIT).await?;

    // Fixed in the PSA: the company active again, customer 6's agreement renewed.
    control(
        &url,
        "company-status",
        json!({"id": company8, "active": true}),
    )
    .await?;
    let main6 = {
        let company6 = company_id(&sb, Psa::Connectwise, &w.customers[6].name).expect("company");
        let st = sb.connectwise.state.lock().expect("state");
        st.agreements
            .iter()
            .find(|a| a["company"]["id"] == company6)
            .and_then(|a| a["id"].as_i64())
            .expect("agreement")
    };
    let next_year = (chrono::Utc::now() + chrono::Duration::days(400))
        .format("%Y-%m-%d")
        .to_string();
    control(
        &url,
        "agreement",
        json!({"id": main6, "endDate": next_year}),
    )
    .await?;
    app.click_css(&tid("preflight-again")).await?;
    flows::wait_gone(app, &badge(8, "company_inactive"), WAIT).await?;
    flows::wait_gone(app, &badge(6, "ends_soon"), WAIT).await?;
    // The other cases are still there.
    assert!(!app
        .find_all(&badge(7, "closed_holds_product"))
        .await?
        .is_empty());
    let left = eval_on(app, &tid("preflight-bar"), "el.dataset.problems").await?;
    let left = left.as_str().unwrap_or_default().to_string();
    ra.shot("ui-preflight-02-fixed").await;

    // Connectors: the count next to the mapping counts, linking to the mapping page.
    flows::go(app, "connectors", "Connectors").await?;
    let link = tid(&format!("workspace-mapping-{id}-problems"));
    let text = app.wait_for_text(&link, "problems", WAIT).await?;
    assert_eq!(text.trim(), format!("{left} problems"));
    ra.shot("ui-preflight-03-connectors").await;
    app.click_css(&link).await?;
    app.wait_for(&tid("view-workspace-mapping"), WAIT).await?;

    assert!(
        writes(&sb, Psa::Connectwise).is_empty(),
        "the checks wrote to the PSA"
    );
    ra.close().await?;
    Ok(())
}
