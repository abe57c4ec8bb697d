//! `psa-bridge mappings export|import` against the sandbox over real sockets: the export lists
//! every workspace and service with its mapping; importing it back changes nothing; a file with a
//! conflict (two workspaces on one company) or a bad row is refused with the line numbers and
//! writes nothing; `--dry-run` previews; the real import applies every change at once.

use psa_bridge::sandbox::seed::SERVICES;
use psa_bridge::sandbox::{self, SandboxOptions};
use psa_bridge_e2e::sandbox_cli::{
    add_connectwise, connect_coro, json_ok, map_services, map_workspaces, runtime, stderr, stdout,
    Psa,
};
use psa_bridge_e2e::{cli, require_desktop_session};
use serde_json::Value;

fn mapped_company(d: &std::path::Path, id: &str, ws: &str) -> Option<i64> {
    let rows = json_ok(d, &["workspaces", "--connector", id, "--json"], None);
    rows.as_array()
        .and_then(|a| a.iter().find(|r| r["workspace_id"] == ws).cloned())
        .and_then(|r: Value| r["company"]["id"].as_i64())
}

#[test]
#[ignore = "needs a desktop session: scripts/test.sh"]
fn export_import_round_trip_conflicts_and_dry_run() -> anyhow::Result<()> {
    require_desktop_session("export_import_round_trip_conflicts_and_dry_run");
    let rt = runtime();
    let sb = rt.block_on(sandbox::start(SandboxOptions::default()))?;
    let data = tempfile::tempdir()?;
    let d = data.path();
    connect_coro(d, &sb);
    let id = add_connectwise(d, &sb);
    map_services(d, &id, &sb, Psa::Connectwise);
    let companies = map_workspaces(d, &id, &sb, Psa::Connectwise);
    let customers = &sb.world.customers;

    // Export: a header, every workspace and every service, mapped.
    let file = d.join("mappings.csv");
    let path = file.to_string_lossy().to_string();
    let o = cli(d, &["mappings", "export", &id, &path], None);
    assert!(o.status.success(), "{}", stderr(&o));
    let text = std::fs::read_to_string(&file)?;
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(
        lines[0].trim_start_matches('\u{feff}'),
        "kind,coro_id,coro_name,psa_id,psa_name,unit"
    );
    let services_seen = lines.iter().filter(|l| l.starts_with("service,")).count();
    assert!(services_seen >= SERVICES.len(), "{text}");
    let ws_line = |c: usize| {
        lines
            .iter()
            .position(|l| l.starts_with(&format!("workspace,{},", customers[c].workspace_id)))
            .unwrap_or_else(|| panic!("no row for customer {c} in {text}"))
    };
    assert!(lines[ws_line(0)].contains(&format!(",{},", companies[0])));

    // Back in unchanged: nothing to do.
    let o = cli(d, &["mappings", "import", &id, &path], None);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(stdout(&o).contains("0 change(s)"), "{}", stdout(&o));

    // Customer 0 takes customer 1's company while customer 1 keeps it, and a row is garbage:
    // refused with both line numbers (1-based, header = line 1), nothing written.
    let (l0, l1) = (ws_line(0), ws_line(1));
    let mut edited: Vec<String> = lines.iter().map(|l| l.to_string()).collect();
    edited[l0] = format!(
        "workspace,{},x,{},,",
        customers[0].workspace_id, companies[1]
    );
    edited.push("workspace,no-such-workspace,,1,,".into());
    std::fs::write(&file, edited.join("\r\n"))?;
    let o = cli(d, &["mappings", "import", &id, &path], None);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("Nothing was imported: 3 line(s)"), "{err}");
    assert!(
        err.contains(&format!(
            "line {}: company {} would also be mapped to workspace {} (line {})",
            l0 + 1,
            companies[1],
            customers[1].workspace_id,
            l1 + 1
        )),
        "{err}"
    );
    assert!(
        err.contains(&format!(
            "line {}: workspace no-such-workspace",
            edited.len()
        )),
        "{err}"
    );
    assert_eq!(
        mapped_company(d, &id, &customers[0].workspace_id),
        Some(companies[0])
    );

    // A swap of the two customers' companies plus an unmap: valid. Dry run first.
    edited.pop();
    edited[l1] = format!(
        "workspace,{},x,{},,",
        customers[1].workspace_id, companies[0]
    );
    let l2 = ws_line(2);
    edited[l2] = format!("workspace,{},x,,,", customers[2].workspace_id);
    std::fs::write(&file, edited.join("\r\n"))?;
    let o = cli(d, &["mappings", "import", &id, &path, "--dry-run"], None);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        stdout(&o).contains("Would import (dry run, nothing written): 3 change(s)"),
        "{}",
        stdout(&o)
    );
    assert!(
        stdout(&o).contains(&format!("line {}: workspace", l2 + 1)),
        "{}",
        stdout(&o)
    );
    assert_eq!(
        mapped_company(d, &id, &customers[0].workspace_id),
        Some(companies[0])
    );

    let report = json_ok(d, &["mappings", "import", &id, &path, "--json"], None);
    assert_eq!(report["applied"], true, "{report}");
    assert_eq!(
        report["changes"].as_array().map(Vec::len),
        Some(3),
        "{report}"
    );
    assert_eq!(
        mapped_company(d, &id, &customers[0].workspace_id),
        Some(companies[1])
    );
    assert_eq!(
        mapped_company(d, &id, &customers[1].workspace_id),
        Some(companies[0])
    );
    assert_eq!(mapped_company(d, &id, &customers[2].workspace_id), None);
    Ok(())
}
