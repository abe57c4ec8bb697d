//! Issue 13 item 4, `psa-bridge diagnostics`, through the CLI against the sandbox with the real
//! keychain: the archive holds the versions, runs and one raw sample of each Coro read and each
//! PSA read the sync uses (ConnectWise and Autotask), and none of the secrets the test entered,
//! no credential and — unless `--names` — no customer name.

use std::collections::BTreeMap;
use std::io::Read;
use std::path::Path;

use base64::Engine;
use psa_bridge::sandbox::connectwise::{COMPANY_ID, DEMO_PRIVATE_KEY, DEMO_PUBLIC_KEY};
use psa_bridge_e2e::sandbox_cli::{add_autotask, json_ok, map_services, map_workspaces, Psa};
use psa_bridge_e2e::sync_setup::Setup;
use psa_bridge_e2e::{cli, require_desktop_session};

/// Every file of a tar.gz, by path, as text.
fn unpack(path: &Path) -> BTreeMap<String, String> {
    let file = std::fs::File::open(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let mut ar = tar::Archive::new(flate2::read::GzDecoder::new(file));
    let mut out = BTreeMap::new();
    for entry in ar.entries().expect("a tar archive") {
        let mut entry = entry.expect("an entry");
        let name = entry.path().expect("a path").to_string_lossy().into_owned();
        let mut text = String::new();
        entry.read_to_string(&mut text).expect("text");
        out.insert(name, text);
    }
    out
}

fn find<'a>(files: &'a BTreeMap<String, String>, vendor: &str, part: &str) -> Vec<&'a str> {
    files
        .iter()
        .filter(|(k, _)| k.contains(&format!("/samples/{vendor}/")) && k.contains(part))
        .map(|(k, _)| k.as_str())
        .collect()
}

#[test]
#[ignore = "needs a desktop session: scripts/test.sh"]
fn the_archive_has_every_sample_and_no_secret_or_customer_name() -> anyhow::Result<()> {
    require_desktop_session("the_archive_has_every_sample_and_no_secret_or_customer_name");
    let s = Setup::new(Psa::Connectwise)?;
    let (sb, d, id) = (&s.sb, s.d(), s.id.as_str());
    let at = add_autotask(d, sb);
    map_services(d, &at, sb, Psa::Autotask);
    map_workspaces(d, &at, sb, Psa::Autotask);
    let o = cli(d, &["sync", id, "--json"], None);
    assert!(o.status.code().is_some(), "{o:?}");

    let out = d.join("support").join("diag.tar.gz");
    let saved = json_ok(
        d,
        &["diagnostics", "--out", &out.to_string_lossy(), "--json"],
        None,
    );
    assert_eq!(saved["path"], out.to_string_lossy().as_ref(), "{saved}");
    assert_eq!(saved["problems"], serde_json::json!([]), "{saved}");
    let files = unpack(&out);
    let names: Vec<&String> = files.keys().collect();

    // What support needs.
    let about: serde_json::Value =
        serde_json::from_str(&files["psa-bridge-diagnostics/about.json"])?;
    assert_eq!(about["version"], env!("CARGO_PKG_VERSION"), "{about}");
    assert_eq!(about["os"], std::env::consts::OS, "{about}");
    let connectors: serde_json::Value =
        serde_json::from_str(&files["psa-bridge-diagnostics/connectors.json"])?;
    let mut kinds: Vec<&str> = connectors
        .as_array()
        .map(|a| a.iter().filter_map(|c| c["kind"].as_str()).collect())
        .unwrap_or_default();
    kinds.sort_unstable();
    assert_eq!(kinds, vec!["autotask", "connectwise"], "{connectors}");
    for c in connectors.as_array().into_iter().flatten() {
        assert!(c["version"].as_str().is_some_and(|v| !v.is_empty()), "{c}");
    }
    let runs: serde_json::Value = serde_json::from_str(&files["psa-bridge-diagnostics/runs.json"])?;
    assert!(runs.as_array().is_some_and(|r| !r.is_empty()), "{runs}");
    for (vendor, part) in [
        ("coro", "workspaces_search"),
        ("coro", "v1_subscriptions"),
        ("coro", "v1_usage"),
        ("connectwise", "finance_agreements"),
        ("connectwise", "additions"),
        ("connectwise", "procurement_catalog"),
        ("autotask", "Contracts_query"),
        ("autotask", "ContractServices"),
        ("autotask", "Services_query"),
    ] {
        assert!(
            !find(&files, vendor, part).is_empty(),
            "no {vendor} sample for {part}: {names:?}"
        );
    }
    let usage = &files[find(&files, "coro", "v1_usage")[0]];
    assert!(
        usage.contains("moduleStatistics"),
        "a raw usage body: {usage}"
    );

    // What must never leave the machine.
    let all: String = files.values().cloned().collect::<Vec<_>>().join("\n");
    let basic = base64::engine::general_purpose::STANDARD
        .encode(format!("{COMPANY_ID}+{DEMO_PUBLIC_KEY}:{DEMO_PRIVATE_KEY}"));
    let secrets = [
        sb.info.coro.client_secret.as_str(),
        DEMO_PRIVATE_KEY,
        sb.info.autotask.secret.as_str(),
        sb.info.autotask.integration_code.as_str(),
        basic.as_str(),
    ];
    for secret in secrets {
        assert!(
            !all.contains(secret),
            "the archive holds the secret {secret:?}"
        );
    }
    for line in all.lines() {
        for scheme in ["Bearer ", "Basic "] {
            if let Some(at) = line.find(scheme) {
                let rest = &line[at + scheme.len()..];
                assert!(rest.starts_with("[removed]"), "a credential: {line}");
            }
        }
        assert!(
            !line.contains("\"access_token\": \"") || line.contains("[removed]"),
            "{line}"
        );
    }
    let mut hidden = 0;
    for name in &sb.world.company_names {
        assert!(
            !all.contains(name.as_str()),
            "the customer name {name:?} is in the archive"
        );
        hidden += 1;
    }
    assert!(hidden >= sb.world.customers.len());
    assert!(all.contains("customer-"), "names are replaced by hashes");

    // With --names, the names are kept (and the secrets still removed).
    let named = d.join("named.tar.gz");
    json_ok(
        d,
        &[
            "diagnostics",
            "--out",
            &named.to_string_lossy(),
            "--names",
            "--json",
        ],
        None,
    );
    let all: String = unpack(&named).into_values().collect::<Vec<_>>().join("\n");
    let first = &sb.world.customers[0].name;
    assert!(all.contains(first.as_str()), "--names keeps {first:?}");
    for secret in secrets {
        assert!(!all.contains(secret), "--names still removes {secret:?}");
    }

    // A place it cannot write: a clear error, exit 2, nothing left.
    let blocked = d.join("support");
    let o = cli(
        d,
        &["diagnostics", "--out", &blocked.to_string_lossy()],
        None,
    );
    assert_eq!(o.status.code(), Some(2), "{o:?}");
    let err = psa_bridge_e2e::sandbox_cli::stderr(&o);
    assert!(err.contains("--out FILE"), "{err}");
    Ok(())
}
