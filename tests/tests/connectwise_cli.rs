//! ConnectWise through the CLI against the sandbox over real sockets, with the real keychain:
//! add (Connected), wrong private key (the 401 message, nothing stored), browse, and paging over
//! 2,500 companies (every page read once, nothing lost).

use psa_bridge::sandbox::{self, SandboxOptions};
use psa_bridge_e2e::{cli, require_desktop_session};

fn stdout(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}
fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a desktop session: scripts/test.sh"]
async fn add_test_browse_and_refuse_a_wrong_key() -> anyhow::Result<()> {
    require_desktop_session("add_test_browse_and_refuse_a_wrong_key");
    let sb = sandbox::start(SandboxOptions {
        companies: 2_500,
        ..Default::default()
    })
    .await?;
    let cw = sb.info.connectwise.clone();
    let data = tempfile::tempdir()?;

    // Wrong private key: the 401 message, exit 1, and nothing stored.
    let bad = cli(
        data.path(),
        &[
            "connector",
            "add",
            "connectwise",
            "--company",
            &cw.company,
            "--site",
            &cw.site,
            "--public-key",
            &cw.public_key,
            "--client-id",
            &cw.client_id,
        ],
        Some("not-the-key\n"),
    );
    assert_eq!(bad.status.code(), Some(1), "{}", stderr(&bad));
    assert!(
        stderr(&bad).contains("401 from ConnectWise: check the public/private key pair"),
        "{}",
        stderr(&bad)
    );
    let list = cli(data.path(), &["connector", "list", "--json"], None);
    assert_eq!(
        serde_json::from_str::<serde_json::Value>(&stdout(&list))?,
        serde_json::json!([])
    );
    // The private key went nowhere near argv or the database.
    let db = std::fs::read(data.path().join("psa-bridge.sqlite3"))?;
    assert!(!String::from_utf8_lossy(&db).contains("not-the-key"));

    // Right key: Connected. The failed add above saved nothing, not even its --client-id, so
    // this one names it again.
    let ok = cli(
        data.path(),
        &[
            "connector",
            "add",
            "connectwise",
            "--company",
            &cw.company,
            "--site",
            &cw.site,
            "--public-key",
            &cw.public_key,
            "--client-id",
            &cw.client_id,
            "--json",
        ],
        Some(&format!("{}\n", cw.private_key)),
    );
    assert!(ok.status.success(), "{}", stderr(&ok));
    let added: serde_json::Value = serde_json::from_str(&stdout(&ok))?;
    assert_eq!(added["status"]["state"], "connected");
    let id = added["id"].as_i64().expect("id").to_string();

    // `connector test` re-runs the check.
    let test = cli(data.path(), &["connector", "test", &id, "--json"], None);
    assert!(test.status.success(), "{}", stderr(&test));

    // Browse: all 2,500 companies, each page of 1,000 read exactly once.
    sb.connectwise.gate.clear_requests();
    let companies = cli(
        data.path(),
        &["companies", &id, "--refresh", "--json"],
        None,
    );
    assert!(companies.status.success(), "{}", stderr(&companies));
    let items: Vec<serde_json::Value> = serde_json::from_str(&stdout(&companies))?;
    let ids: std::collections::HashSet<i64> =
        items.iter().filter_map(|c| c["id"].as_i64()).collect();
    let want: std::collections::HashSet<i64> = {
        let state = sb.connectwise.state.lock().expect("sandbox state");
        state
            .companies
            .iter()
            .filter(|c| c["deletedFlag"] != serde_json::json!(true))
            .filter_map(|c| c["id"].as_i64())
            .collect()
    };
    assert!(
        want.len() >= 2_500,
        "the tenant has the 2,500 generated companies"
    );
    assert_eq!(
        ids, want,
        "every non-deleted company, nothing lost, nothing deleted"
    );
    assert_eq!(items.len(), want.len(), "no duplicates");
    let pages: Vec<String> = sb
        .connectwise
        .gate
        .requests()
        .iter()
        .filter(|r| r.path == "/company/companies")
        .map(|r| {
            format!(
                "{}@{}",
                r.query.get("page").and_then(|v| v.as_str()).unwrap_or("1"),
                r.query
                    .get("pageSize")
                    .and_then(|v| v.as_str())
                    .unwrap_or("?")
            )
        })
        .collect();
    assert_eq!(pages, vec!["1@1000", "2@1000", "3@1000"], "each page once");

    // The cache answers without another request.
    sb.connectwise.gate.clear_requests();
    let cached = cli(data.path(), &["companies", &id, "--json"], None);
    assert!(cached.status.success());
    assert_eq!(
        serde_json::from_str::<Vec<serde_json::Value>>(&stdout(&cached))?.len(),
        want.len()
    );
    assert!(
        sb.connectwise.gate.requests().is_empty(),
        "served from the local cache"
    );

    // Server-side search.
    let first = items[0]["name"].as_str().unwrap_or_default().to_string();
    let word = first
        .split_whitespace()
        .next()
        .unwrap_or_default()
        .to_string();
    let found = cli(
        data.path(),
        &["companies", &id, "--search", &word, "--json"],
        None,
    );
    assert!(found.status.success(), "{}", stderr(&found));
    let found: Vec<serde_json::Value> = serde_json::from_str(&stdout(&found))?;
    assert!(!found.is_empty() && found.len() < want.len());
    assert!(found.iter().all(|c| c["name"]
        .as_str()
        .unwrap_or_default()
        .to_lowercase()
        .contains(&word.to_lowercase())));

    // Products: the catalog's active, non-bundle items include one per Coro service.
    let products = cli(data.path(), &["products", &id, "--json"], None);
    assert!(products.status.success(), "{}", stderr(&products));
    let products: Vec<serde_json::Value> = serde_json::from_str(&stdout(&products))?;
    assert!(products.len() >= psa_bridge::sandbox::seed::SERVICES.len());
    Ok(())
}
