//! Mapping in the real app's UI against the sandbox: Coro connected in Settings, a ConnectWise
//! connector (added through the CLI), a workspace mapped with the search picker, "1 of N mapped"
//! on the Connectors page, a service mapped, and a second workspace refused the company the first
//! one already uses (the banner names that workspace). The CLI confirms what was stored.

use std::time::Duration;

use psa_bridge::sandbox::connectwise::FIRST_PRODUCT_ID;
use psa_bridge::sandbox::seed::{Quirk, SERVICES};
use psa_bridge::sandbox::{self, SandboxOptions};
use psa_bridge_e2e::flows::{self, tid, RunningApp, SHORT, WAIT};
use psa_bridge_e2e::webdriver::Session;
use psa_bridge_e2e::{app_lock, require_desktop_session};
use serde_json::Value;

/// Opens the picker of row `prefix`-`key`, searches `query` and clicks option `id` (typing the
/// `fallback` search when the first one does not bring the option into view); returns the
/// option's text.
async fn pick(
    app: &Session,
    prefix: &str,
    key: &str,
    query: &str,
    fallback: &str,
    id: i64,
) -> anyhow::Result<String> {
    app.click_css(&tid(&format!("{prefix}-map-{key}"))).await?;
    let input = app.wait_for(&tid("picker-input"), SHORT).await?;
    // The list loads from the PSA (or its cache) the first time.
    app.wait_for_text(&tid("picker-count"), " of ", WAIT)
        .await?;
    app.type_text(&input, query).await?;
    let option = tid(&format!("picker-option-{id}"));
    let found = match app.wait_for(&option, Duration::from_secs(5)).await {
        Ok(e) => e,
        Err(_) => {
            app.clear(&input).await?;
            app.type_text(&input, fallback).await?;
            app.wait_for(&option, SHORT).await?
        }
    };
    // innerText: WebKitWebDriver's element text leaves out the ellipsised name span.
    let text = flows::eval_on(app, &option, "el.innerText").await?;
    let text = text.as_str().unwrap_or_default().to_string();
    app.click(&found).await?;
    Ok(text)
}

fn row<'a>(rows: &'a [Value], key: &str, field: &str) -> &'a Value {
    rows.iter()
        .find(|r| r[key] == field)
        .unwrap_or_else(|| panic!("no row with {key} = {field} in {rows:?}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a desktop session: scripts/test.sh"]
async fn map_workspaces_and_services_in_the_ui() -> anyhow::Result<()> {
    require_desktop_session("map_workspaces_and_services_in_the_ui");
    let _lock = app_lock();
    let sb = sandbox::start(SandboxOptions::default()).await?;
    let ra = RunningApp::launch().await?;
    let app = &ra.app;

    // Coro, through Settings.
    flows::connect_coro(app, &sb.info.coro).await?;
    let status = app.text(&app.find(&tid("coro-status")).await?).await?;
    assert!(
        status.contains(&sb.info.coro.channel),
        "the status names the channel: {status}"
    );
    ra.shot("ui-mapping-01-coro-connected").await;
    let coro = flows::cli_json(ra.dir(), &["coro", "status", "--json"], None)?;
    assert_eq!(
        coro["connected"], true,
        "the CLI sees the connection made in the UI: {coro}"
    );

    // A ConnectWise connector (precondition, through the CLI).
    let id = flows::cli_add_connectwise(ra.dir(), &sb.info.connectwise)?;
    let rows: Vec<Value> = flows::cli_json(
        ra.dir(),
        &["workspaces", "--connector", &id.to_string(), "--json"],
        None,
    )?
    .as_array()
    .cloned()
    .unwrap_or_default();
    let billable = rows.iter().filter(|r| r["archived"] != true).count();
    assert!(billable >= 2, "the sandbox has workspaces to map: {rows:?}");

    // Two plain customers: A gets mapped, B is later refused A's company.
    let plain: Vec<usize> = (0..sb.world.customers.len())
        .filter(|&i| sb.world.customers[i].quirk == Quirk::None && i != 1 && i != 2 && i != 4)
        .collect();
    let (a, b) = (&sb.world.customers[plain[0]], &sb.world.customers[plain[1]]);
    let (company_a, company_b) = {
        let st = sb.connectwise.state.lock().expect("sandbox state");
        (
            st.company_id(&a.name).expect("A's company"),
            st.company_id(&b.name).expect("B's company"),
        )
    };
    let ws_a_name = row(&rows, "workspace_id", &a.workspace_id)["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();

    // Connectors: the new row, nothing mapped yet.
    flows::go(app, "connectors", "Connectors").await?;
    app.wait_for_text(&tid(&format!("connector-status-{id}")), "Connected", WAIT)
        .await?;
    app.wait_for_text(
        &tid(&format!("workspace-mapping-{id}")),
        "Setup required",
        WAIT,
    )
    .await?;

    // Workspace mapping: A → A's company, found by typing part of its name.
    app.click_css(&format!("{} a", tid(&format!("workspace-mapping-{id}"))))
        .await?;
    app.wait_for(&tid("view-workspace-mapping"), WAIT).await?;
    app.wait_for(&tid(&format!("workspace-row-{}", a.workspace_id)), WAIT)
        .await?;
    let connector = app
        .text(&app.wait_for(&tid("mapping-connector"), WAIT).await?)
        .await?;
    assert!(connector.contains("ConnectWise"), "{connector}");
    let words: Vec<&str> = a.name.split_whitespace().collect();
    let partial = words[..2.min(words.len())].join(" ");
    let option = pick(
        app,
        "workspace",
        &a.workspace_id,
        &partial,
        &a.name,
        company_a,
    )
    .await?;
    assert!(
        option.contains(&a.name),
        "the option clicked is A's company: {option}"
    );
    app.wait_for_text(
        &tid(&format!("workspace-company-{}", a.workspace_id)),
        &a.name,
        WAIT,
    )
    .await?;
    let mapped_id = flows::eval_on(
        app,
        &tid(&format!("workspace-company-{}", a.workspace_id)),
        "el.dataset.id",
    )
    .await?;
    assert_eq!(mapped_id.as_str(), Some(company_a.to_string().as_str()));
    app.wait_for_text(&tid("mapping-summary"), "1 of ", WAIT)
        .await?;
    ra.shot("ui-mapping-02-workspace-mapped").await;

    // Connectors: "1 of N mapped", N the billable workspaces.
    flows::go(app, "connectors", "Connectors").await?;
    let cell = tid(&format!("workspace-mapping-{id}"));
    let text = app.wait_for_text(&cell, "1 of ", WAIT).await?;
    assert_eq!(text.trim(), format!("1 of {billable} mapped"));
    let total = flows::eval_on(app, &cell, "el.dataset.total").await?;
    assert_eq!(total.as_str(), Some(billable.to_string().as_str()));
    ra.shot("ui-mapping-03-connectors-1-of-n").await;

    // Service mapping: EDR → the catalog's Coro EDR product.
    let edr = SERVICES
        .iter()
        .position(|s| s.key == "edr")
        .expect("edr service");
    let product = FIRST_PRODUCT_ID + edr as i64;
    app.click_css(&format!("{} a", tid(&format!("service-mapping-{id}"))))
        .await?;
    app.wait_for(&tid("view-service-mapping"), WAIT).await?;
    app.wait_for(&tid("service-row-edr"), WAIT).await?;
    let option = pick(app, "service", "edr", "EDR", "Coro EDR", product).await?;
    assert!(option.contains("EDR"), "{option}");
    app.wait_for_text(&tid("service-product-edr"), "Coro EDR", WAIT)
        .await?;
    let unit_enabled = flows::eval_on(app, &tid("service-unit-edr"), "!el.disabled").await?;
    assert_eq!(
        unit_enabled,
        Value::Bool(true),
        "the unit can be chosen once a product is mapped"
    );
    ra.shot("ui-mapping-04-service-mapped").await;
    flows::go(app, "connectors", "Connectors").await?;
    app.wait_for_text(&tid(&format!("service-mapping-{id}")), "1 of ", WAIT)
        .await?;

    // B → A's company: refused, the banner names the workspace already using it.
    app.click_css(&format!("{} a", tid(&format!("workspace-mapping-{id}"))))
        .await?;
    app.wait_for(&tid(&format!("workspace-row-{}", b.workspace_id)), WAIT)
        .await?;
    let option = pick(
        app,
        "workspace",
        &b.workspace_id,
        &a.name,
        &a.name,
        company_a,
    )
    .await?;
    assert!(
        option.contains("Mapped to"),
        "the picker says the company is taken: {option}"
    );
    // Nothing is changed yet: the row offers to move the mapping (issue 12), no error banner.
    let prompt = app
        .wait_for_text(
            &tid(&format!("workspace-move-{}", b.workspace_id)),
            &ws_a_name,
            WAIT,
        )
        .await?;
    assert!(prompt.contains("Move the mapping here?"), "{prompt}");
    ra.shot("ui-mapping-05-move-offered").await;
    let b_cell = app
        .text(
            &app.find(&tid(&format!("workspace-company-{}", b.workspace_id)))
                .await?,
        )
        .await?;
    assert!(
        b_cell.contains("Not mapped"),
        "B stays unmapped until confirmed: {b_cell}"
    );
    app.click_css(&format!(
        "{} button.button--quiet",
        tid(&format!("workspace-move-{}", b.workspace_id))
    ))
    .await?;
    flows::wait_gone(
        app,
        &tid(&format!("workspace-move-{}", b.workspace_id)),
        SHORT,
    )
    .await?;

    // B → its own company works.
    pick(
        app,
        "workspace",
        &b.workspace_id,
        &b.name,
        &b.name,
        company_b,
    )
    .await?;
    app.wait_for_text(
        &tid(&format!("workspace-company-{}", b.workspace_id)),
        &b.name,
        WAIT,
    )
    .await?;
    app.wait_for_text(&tid("mapping-summary"), "2 of ", WAIT)
        .await?;

    // The CLI sees exactly what the UI did.
    let rows: Vec<Value> = flows::cli_json(
        ra.dir(),
        &["workspaces", "--connector", &id.to_string(), "--json"],
        None,
    )?
    .as_array()
    .cloned()
    .unwrap_or_default();
    assert_eq!(
        row(&rows, "workspace_id", &a.workspace_id)["company"]["id"],
        company_a
    );
    assert_eq!(
        row(&rows, "workspace_id", &b.workspace_id)["company"]["id"],
        company_b
    );
    let mapped: Vec<&str> = rows
        .iter()
        .filter(|r| !r["company"].is_null())
        .filter_map(|r| r["workspace_id"].as_str())
        .collect();
    assert_eq!(mapped.len(), 2, "only A and B are mapped: {mapped:?}");
    let services: Vec<Value> = flows::cli_json(
        ra.dir(),
        &["services", "--connector", &id.to_string(), "--json"],
        None,
    )?
    .as_array()
    .cloned()
    .unwrap_or_default();
    assert_eq!(
        row(&services, "service_key", "edr")["product"]["id"],
        product
    );
    assert_eq!(
        services.iter().filter(|s| !s["product"].is_null()).count(),
        1,
        "only EDR is mapped"
    );

    ra.close().await?;
    Ok(())
}
