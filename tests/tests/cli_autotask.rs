//! Autotask through the CLI against the sandbox over real sockets, with the real keychain: a wrong
//! Secret (exit 1, its message, nothing stored), add (Connected), `connector test`, and browsing:
//! every active company of a 1,200-company tenant read across `nextPageUrl` pages (each page once,
//! nothing lost), server-side search, and the services.

use std::collections::HashSet;

use psa_bridge::sandbox::seed::SERVICES;
use psa_bridge::sandbox::{self, SandboxOptions};
use psa_bridge_e2e::sandbox_cli::{json_ok, runtime, stderr, stdout};
use psa_bridge_e2e::{cli, require_desktop_session};

#[test]
#[ignore = "needs a desktop session: scripts/test.sh"]
fn add_test_browse_and_refuse_a_wrong_secret() -> anyhow::Result<()> {
    require_desktop_session("add_test_browse_and_refuse_a_wrong_secret");
    let rt = runtime();
    let sb = rt.block_on(sandbox::start(SandboxOptions {
        companies: 1_200,
        ..Default::default()
    }))?;
    let at = sb.info.autotask.clone();
    let data = tempfile::tempdir()?;
    let add_args = [
        "connector",
        "add",
        "autotask",
        "--username",
        &at.username,
        "--integration-code",
        &at.integration_code,
        "--zone-url",
        &at.zone_url,
    ];

    // Wrong Secret: exit 1 with the 401 message, and nothing stored.
    let bad = cli(data.path(), &add_args, Some("Not-The-Secret-123\n"));
    assert_eq!(
        bad.status.code(),
        Some(1),
        "stdout: {}\nstderr: {}",
        stdout(&bad),
        stderr(&bad)
    );
    assert!(
        stderr(&bad).contains("Autotask refused the API user's Secret (HTTP 401)"),
        "{}",
        stderr(&bad)
    );
    assert_eq!(
        json_ok(data.path(), &["connector", "list", "--json"], None),
        serde_json::json!([])
    );
    let db = std::fs::read(data.path().join("psa-bridge.sqlite3"))?;
    assert!(
        !String::from_utf8_lossy(&db).contains("Not-The-Secret-123"),
        "the secret is not in the database"
    );
    // The refused check reached the sandbox with the wrong Secret (redacted in its log).
    assert!(sb
        .autotask
        .gate
        .requests()
        .iter()
        .any(|r| r.headers.get("Secret").is_some()));

    // Right Secret: Connected, and the secret stays out of the database.
    let mut args = add_args.to_vec();
    args.push("--json");
    let added = json_ok(data.path(), &args, Some(&format!("{}\n", at.secret)));
    assert_eq!(added["status"]["state"], "connected", "{added}");
    assert_eq!(added["kind"], "autotask");
    let id = added["id"].as_i64().expect("connector id").to_string();
    let db = std::fs::read(data.path().join("psa-bridge.sqlite3"))?;
    assert!(
        !String::from_utf8_lossy(&db).contains(&at.secret),
        "the secret is only in the keychain"
    );
    let list = json_ok(data.path(), &["connector", "list", "--json"], None);
    assert_eq!(list.as_array().map(Vec::len), Some(1));
    assert_eq!(list[0]["status"]["state"], "connected");

    // `connector test` re-runs the check against the sandbox.
    sb.autotask.gate.clear_requests();
    let tested = json_ok(data.path(), &["connector", "test", &id, "--json"], None);
    assert_eq!(tested["status"]["state"], "connected", "{tested}");
    assert!(
        !sb.autotask.gate.requests().is_empty(),
        "the test called Autotask"
    );

    // Every active company, across nextPageUrl pages, each page read once.
    let want: HashSet<i64> = {
        let st = sb.autotask.state.lock().expect("autotask state");
        st.companies
            .values()
            .filter(|c| c["isActive"] == true)
            .filter_map(|c| c["id"].as_i64())
            .collect()
    };
    assert!(
        want.len() > 1_000,
        "the tenant has the generated companies ({})",
        want.len()
    );
    sb.autotask.gate.clear_requests();
    let companies = json_ok(
        data.path(),
        &["companies", &id, "--refresh", "--json"],
        None,
    );
    let items = companies.as_array().cloned().unwrap_or_default();
    let ids: HashSet<i64> = items.iter().filter_map(|c| c["id"].as_i64()).collect();
    assert_eq!(
        ids, want,
        "every active company, no inactive one, nothing lost"
    );
    assert_eq!(items.len(), want.len(), "no duplicates");
    let company_reads: Vec<_> = sb
        .autotask
        .gate
        .requests()
        .into_iter()
        .filter(|r| {
            r.path
                .to_ascii_lowercase()
                .starts_with("/v1.0/companies/query")
        })
        .collect();
    let pages = want.len().div_ceil(500);
    assert_eq!(
        company_reads.len(),
        pages,
        "one request per page of 500: {company_reads:?}"
    );
    assert!(
        company_reads[0]
            .path
            .eq_ignore_ascii_case("/V1.0/Companies/query"),
        "{:?}",
        company_reads[0]
    );
    let cursors: HashSet<String> = company_reads[1..]
        .iter()
        .map(|r| {
            assert!(
                r.path.to_ascii_lowercase().ends_with("/query/next"),
                "{r:?}"
            );
            r.query
                .get("paging")
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_string()
        })
        .collect();
    assert_eq!(cursors.len(), pages - 1, "each next page asked for once");
    assert!(!cursors.contains(""));

    // The cache answers without another request.
    sb.autotask.gate.clear_requests();
    let cached = json_ok(data.path(), &["companies", &id, "--json"], None);
    assert_eq!(cached.as_array().map(Vec::len), Some(want.len()));
    assert!(
        sb.autotask.gate.requests().is_empty(),
        "served from the local cache"
    );

    // Server-side search (a `contains` on the name).
    let word = "Dental";
    let found = json_ok(
        data.path(),
        &["companies", &id, "--search", word, "--json"],
        None,
    );
    let found = found.as_array().cloned().unwrap_or_default();
    let want_found = {
        let st = sb.autotask.state.lock().expect("autotask state");
        st.companies
            .values()
            .filter(|c| c["isActive"] == true)
            .filter(|c| {
                c["companyName"]
                    .as_str()
                    .unwrap_or_default()
                    .to_lowercase()
                    .contains("dental")
            })
            .count()
    };
    assert_eq!(
        found.len(),
        want_found,
        "the search finds every active match"
    );
    assert!(!found.is_empty() && found.len() < want.len());
    assert!(found
        .iter()
        .all(|c| c["name"].as_str().unwrap_or_default().contains(word)));
    assert!(sb
        .autotask
        .gate
        .requests()
        .iter()
        .any(|r| r.body.to_string().contains("contains")));

    // Services: one active "Coro <Name>" per Coro service; the inactive legacy one is not offered.
    let products = json_ok(data.path(), &["products", &id, "--json"], None);
    let products = products.as_array().cloned().unwrap_or_default();
    for svc in SERVICES {
        let name = format!("Coro {}", svc.name);
        assert_eq!(
            products
                .iter()
                .filter(|p| p["name"] == name.as_str())
                .count(),
            1,
            "{name} in {products:?}"
        );
    }
    assert!(
        !products
            .iter()
            .any(|p| p["name"] == "Coro Endpoint Security (legacy)"),
        "inactive service offered"
    );
    drop(sb);
    drop(rt);
    Ok(())
}
