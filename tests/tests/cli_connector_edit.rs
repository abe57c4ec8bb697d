//! One PSA account, one connector; and `connector edit` — through the CLI against the sandbox
//! over real sockets, with the real keychain: a second connector for the same ConnectWise company
//! and site (spelled differently) or the same Autotask API user is refused naming the first,
//! before any call to the PSA; a key rotation is checked live (a wrong key changes nothing) and
//! keeps the connector's id and mappings; a time zone and name change need no call.

use psa_bridge::sandbox::{self, SandboxOptions};
use psa_bridge_e2e::sandbox_cli::{
    add_autotask, add_connectwise, clear_requests, connect_coro, json_ok, map_workspaces, requests,
    runtime, stderr, stdout, Psa,
};
use psa_bridge_e2e::{cli, require_desktop_session};
use serde_json::Value;

fn connector(d: &std::path::Path, id: &str) -> Value {
    let list = json_ok(d, &["connector", "list", "--json"], None);
    list.as_array()
        .and_then(|a| {
            a.iter()
                .find(|c| c["id"].as_i64().map(|n| n.to_string()).as_deref() == Some(id))
                .cloned()
        })
        .unwrap_or_else(|| panic!("no connector {id} in {list}"))
}

#[test]
#[ignore = "needs a desktop session: scripts/test.sh"]
fn duplicates_are_refused_and_edits_keep_the_mappings() -> anyhow::Result<()> {
    require_desktop_session("duplicates_are_refused_and_edits_keep_the_mappings");
    let rt = runtime();
    let sb = rt.block_on(sandbox::start(SandboxOptions::default()))?;
    let data = tempfile::tempdir()?;
    let d = data.path();
    let (cw, at) = (sb.info.connectwise.clone(), sb.info.autotask.clone());

    connect_coro(d, &sb);
    let id = add_connectwise(d, &sb);
    let mapped = map_workspaces(d, &id, &sb, Psa::Connectwise).len();
    assert!(mapped > 0);
    let atid = add_autotask(d, &sb);
    let before = json_ok(d, &["connector", "list", "--json"], None);

    // 1. The same ConnectWise company on the same site, typed as a full API URL and in capitals:
    //    refused (exit 2) naming the first connector, and the PSA was never called.
    clear_requests(&sb);
    let site_as_url = format!("{}/v4_6_release/apis/3.0/", cw.site.trim_end_matches('/'));
    let o = cli(
        d,
        &[
            "connector",
            "add",
            "connectwise",
            "--company",
            &cw.company.to_uppercase(),
            "--site",
            &site_as_url,
            "--public-key",
            &cw.public_key,
            "--name",
            "Second",
        ],
        Some(&format!("{}\n", cw.private_key)),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let first_name = connector(d, &id)["name"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(
        stderr(&o).contains(&format!(
            "Connector '{first_name}' (id {id}) already connects to"
        )),
        "{}",
        stderr(&o)
    );
    assert!(
        requests(&sb, Psa::Connectwise).is_empty(),
        "refused before any call"
    );

    // 2. The same Autotask API user: refused naming the Autotask connector.
    let o = cli(
        d,
        &[
            "connector",
            "add",
            "autotask",
            "--username",
            &at.username,
            "--integration-code",
            &at.integration_code,
            "--zone-url",
            &at.zone_url,
            "--name",
            "AT 2",
        ],
        Some(&format!("{}\n", at.secret)),
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(
        stderr(&o).contains(&format!("(id {atid}) already connects to Autotask")),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        json_ok(d, &["connector", "list", "--json"], None),
        before,
        "nothing added"
    );

    // 3. Rotating the private key: a wrong new key is refused by the live check (exit 1, the 401
    //    message) and changes nothing.
    let o = cli(
        d,
        &[
            "connector",
            "edit",
            &id,
            "--name",
            "Renamed",
            "--private-key",
        ],
        Some("not-the-new-key\n"),
    );
    assert_eq!(o.status.code(), Some(1), "{}", stderr(&o));
    assert!(
        stderr(&o).contains("401 from ConnectWise"),
        "{}",
        stderr(&o)
    );
    assert_eq!(json_ok(d, &["connector", "list", "--json"], None), before);
    let db = std::fs::read(d.join("psa-bridge.sqlite3"))?;
    assert!(!String::from_utf8_lossy(&db).contains("not-the-new-key"));

    // The right key (and a rename): saved, Connected, same id, every mapping kept, and syncing
    // with the key now in the keychain works.
    let s = json_ok(
        d,
        &[
            "connector",
            "edit",
            &id,
            "--name",
            "Renamed",
            "--private-key",
            "--json",
        ],
        Some(&format!("{}\n", cw.private_key)),
    );
    assert_eq!(
        s["id"].as_i64().map(|n| n.to_string()).as_deref(),
        Some(id.as_str())
    );
    assert_eq!(s["name"], "Renamed");
    assert_eq!(s["status"]["state"], "connected", "{s}");
    assert_eq!(s["workspace_mapping"]["mapped"], mapped, "{s}");
    let o = cli(d, &["sync", &id, "--dry-run", "--json"], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));

    // 4. Fields of the other PSA are refused by name; a time zone and a name need no PSA call.
    let o = cli(
        d,
        &["connector", "edit", &atid, "--site", "x.example"],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    assert!(stderr(&o).contains("has no site"), "{}", stderr(&o));
    clear_requests(&sb);
    let s = json_ok(
        d,
        &[
            "connector",
            "edit",
            &atid,
            "--time-zone",
            "Pacific/Auckland",
            "--name",
            "Autotask NZ",
            "--json",
        ],
        None,
    );
    assert_eq!(
        (s["name"].as_str(), s["time_zone"].as_str()),
        (Some("Autotask NZ"), Some("Pacific/Auckland"))
    );
    assert!(
        requests(&sb, Psa::Autotask).is_empty(),
        "no call for a rename"
    );
    let text = cli(
        d,
        &["connector", "edit", &atid, "--name", "Autotask NZ"],
        None,
    );
    assert!(text.status.success(), "{}", stderr(&text));
    assert!(
        stdout(&text).contains("Saved connector"),
        "{}",
        stdout(&text)
    );
    Ok(())
}
