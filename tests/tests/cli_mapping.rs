//! Mapping through the CLI against the sandbox (ConnectWise connector): the workspace list with
//! suggestions and the archived workspace flagged; map, the one-company-per-workspace conflict
//! (exit 2 naming the workspace that holds the company, nothing changed), unmap; a service mapped
//! with a unit override and its own conflict; and the connector list's mapping counts.

use psa_bridge::sandbox::seed::{Quirk, SERVICES};
use psa_bridge::sandbox::{self, SandboxOptions};
use psa_bridge_e2e::sandbox_cli::{
    add_connectwise, company_id, connect_coro, json_ok, parse, product_ids, runtime, stderr,
    stdout, Psa,
};
use psa_bridge_e2e::{cli, require_desktop_session};
use serde_json::Value;

fn row<'a>(rows: &'a Value, ws: &str) -> &'a Value {
    rows.as_array()
        .and_then(|a| a.iter().find(|r| r["workspace_id"] == ws))
        .unwrap_or_else(|| panic!("no row for {ws} in {rows}"))
}

#[test]
#[ignore = "needs a desktop session: scripts/test.sh"]
fn map_conflict_unmap_and_counts() -> anyhow::Result<()> {
    require_desktop_session("map_conflict_unmap_and_counts");
    let rt = runtime();
    let sb = rt.block_on(sandbox::start(SandboxOptions::default()))?;
    let data = tempfile::tempdir()?;
    let d = data.path();
    let world = sb.world.clone();

    let status = connect_coro(d, &sb);
    assert_eq!(status["channel"], world.channel_id.as_str(), "{status}");
    let id = add_connectwise(d, &sb);
    assert_eq!(id, "1");

    // Every customer workspace, the archived one flagged; no channel, nothing outside the tree.
    let rows = json_ok(d, &["workspaces", "--connector", &id, "--json"], None);
    let list = rows.as_array().cloned().unwrap_or_default();
    assert_eq!(list.len(), world.customers.len(), "{rows}");
    for (c, cust) in world.customers.iter().enumerate() {
        let r = row(&rows, &cust.workspace_id);
        assert_eq!(r["name"], cust.name.as_str());
        assert_eq!(r["archived"], cust.quirk == Quirk::Archived, "{r}");
        assert!(r["company"].is_null(), "nothing mapped yet: {r}");
        if cust.quirk != Quirk::Archived {
            // The suggestion is the live company of the same name (ConnectWise also holds deleted
            // records with some of these names).
            let truth = company_id(&sb, Psa::Connectwise, &cust.name);
            assert_eq!(r["suggestion"]["id"].as_i64(), truth, "customer {c}: {r}");
            assert_eq!(r["suggestion"]["name"], cust.name.as_str());
        }
    }
    assert!(!list
        .iter()
        .any(|r| r["workspace_id"] == psa_bridge::sandbox::coro::FOREIGN_CHILD_ID));
    assert!(!list
        .iter()
        .any(|r| r["workspace_id"] == psa_bridge::sandbox::coro::SUB_CHANNEL_ID));

    let (ws0, ws1) = (&world.customers[0], &world.customers[1]);
    let c0 = company_id(&sb, Psa::Connectwise, &ws0.name).expect("company 0");
    let c0s = c0.to_string();

    // Map one workspace.
    let mapped = json_ok(
        d,
        &["map", "workspace", &id, &ws0.workspace_id, &c0s, "--json"],
        None,
    );
    assert_eq!(mapped["company"]["id"], c0);
    assert_eq!(mapped["company"]["name"], ws0.name.as_str());

    // A second workspace to the same company: refused (usage error, exit 2), naming the holder.
    let clash = cli(d, &["map", "workspace", &id, &ws1.workspace_id, &c0s], None);
    assert_eq!(
        clash.status.code(),
        Some(2),
        "stdout: {}\nstderr: {}",
        stdout(&clash),
        stderr(&clash)
    );
    let msg = stderr(&clash);
    assert!(
        msg.contains(&format!("already mapped to workspace '{}'", ws0.name)),
        "{msg}"
    );
    assert!(msg.contains(&ws0.workspace_id), "{msg}");
    // The same with --json: the error document on stdout.
    let clash = cli(
        d,
        &["map", "workspace", &id, &ws1.workspace_id, &c0s, "--json"],
        None,
    );
    assert_eq!(clash.status.code(), Some(2));
    let err = parse(&clash, &["map", "workspace", "--json"]);
    assert_eq!(err["error"]["code"], "invalid_input", "{err}");
    assert!(err["error"]["message"]
        .as_str()
        .unwrap_or_default()
        .contains(&ws0.workspace_id));
    // Nothing changed.
    let rows = json_ok(d, &["workspaces", "--connector", &id, "--json"], None);
    assert_eq!(row(&rows, &ws0.workspace_id)["company"]["id"], c0);
    assert!(row(&rows, &ws1.workspace_id)["company"].is_null());

    // Unknown workspace / company: not found (exit 1), with the reason.
    let nows = cli(
        d,
        &["map", "workspace", &id, "nosuchworkspace_XX0X_x", &c0s],
        None,
    );
    assert_eq!(nows.status.code(), Some(1), "{}", stderr(&nows));
    assert!(
        stderr(&nows).contains("Coro has no child workspace"),
        "{}",
        stderr(&nows)
    );
    let nocompany = cli(
        d,
        &["map", "workspace", &id, &ws1.workspace_id, "999999"],
        None,
    );
    assert_eq!(nocompany.status.code(), Some(1), "{}", stderr(&nocompany));
    assert!(
        stderr(&nocompany).contains("no active company 999999"),
        "{}",
        stderr(&nocompany)
    );

    // Unmap frees the company; the second workspace can then take it.
    let un = json_ok(
        d,
        &["unmap", "workspace", &id, &ws0.workspace_id, "--json"],
        None,
    );
    assert_eq!(un["unmapped"], "workspace");
    let rows = json_ok(d, &["workspaces", "--connector", &id, "--json"], None);
    assert!(
        row(&rows, &ws0.workspace_id)["company"].is_null(),
        "unmapped"
    );
    assert_eq!(
        row(&rows, &ws0.workspace_id)["suggestion"]["id"],
        c0,
        "suggested again once free"
    );
    let again = cli(d, &["unmap", "workspace", &id, &ws0.workspace_id], None);
    assert_eq!(again.status.code(), Some(1), "unmapping twice is not found");
    assert!(
        stderr(&again).contains("is not mapped"),
        "{}",
        stderr(&again)
    );
    let moved = json_ok(
        d,
        &["map", "workspace", &id, &ws1.workspace_id, &c0s, "--json"],
        None,
    );
    assert_eq!(moved["company"]["id"], c0);

    // A service with a unit override: EDR (per device) billed per user.
    let products = product_ids(&sb, Psa::Connectwise);
    let edr = SERVICES.iter().position(|s| s.key == "edr").expect("edr");
    let svc = json_ok(
        d,
        &[
            "map",
            "service",
            &id,
            "edr",
            &products[edr].to_string(),
            "--unit",
            "user",
            "--json",
        ],
        None,
    );
    assert_eq!(svc["product"]["id"], products[edr], "{svc}");
    assert_eq!(svc["unit"], "user");
    assert_eq!(svc["default_unit"], "device");
    let services = json_ok(d, &["services", "--connector", &id, "--json"], None);
    let edr_row = services
        .as_array()
        .and_then(|a| a.iter().find(|r| r["service_key"] == "edr"))
        .cloned()
        .expect("edr row");
    assert_eq!(edr_row["unit"], "user");
    assert_eq!(edr_row["product"]["id"], products[edr]);
    // A bad unit is a usage error from the argument parser.
    let bad_unit = cli(
        d,
        &[
            "map",
            "service",
            &id,
            "edr",
            &products[edr].to_string(),
            "--unit",
            "seat",
        ],
        None,
    );
    assert_eq!(bad_unit.status.code(), Some(2));
    // Another service to the same product: refused, naming the service that holds it.
    let clash = cli(
        d,
        &["map", "service", &id, "mdm", &products[edr].to_string()],
        None,
    );
    assert_eq!(clash.status.code(), Some(2), "{}", stderr(&clash));
    assert!(
        stderr(&clash).contains("already mapped to service 'edr'"),
        "{}",
        stderr(&clash)
    );

    // The connector list counts one workspace and one service.
    let connectors = json_ok(d, &["connector", "list", "--json"], None);
    let mine = &connectors[0];
    assert_eq!(mine["workspace_mapping"]["mapped"], 1, "{mine}");
    assert_eq!(mine["service_mapping"]["mapped"], 1, "{mine}");
    let total = mine["workspace_mapping"]["total"]
        .as_u64()
        .unwrap_or_default();
    assert!(
        total as usize == world.customers.len() || total as usize == world.customers.len() - 1,
        "total counts the Coro workspaces: {mine}"
    );
    drop(sb);
    drop(rt);
    Ok(())
}
