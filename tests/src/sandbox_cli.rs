//! Helpers for the CLI end-to-end tests and the sync benchmark: run a command and read its JSON,
//! set up Coro + a PSA connector + mappings through the CLI, and read the *truth* back from the
//! sandbox state (which lines bill each customer × service, and what they hold) so assertions do
//! not depend on what the app itself reports.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::process::Output;

use psa_bridge::sandbox::seed::{Quirk, World, SERVICES};
use psa_bridge::sandbox::{LoggedRequest, Sandbox};
use serde_json::Value;

use crate::cli;

/// Which PSA a test drives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Psa {
    Connectwise,
    Autotask,
}

impl Psa {
    pub fn name(self) -> &'static str {
        match self {
            Psa::Connectwise => "ConnectWise",
            Psa::Autotask => "Autotask",
        }
    }
}

/// A multi-threaded runtime for the sandbox servers. Tests keep it alive while they call the
/// (blocking) CLI from the test thread, so no worker is ever blocked by a child process.
pub fn runtime() -> tokio::runtime::Runtime {
    match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(4)
        .enable_all()
        .build()
    {
        Ok(rt) => rt,
        Err(e) => panic!("could not start a tokio runtime: {e}"),
    }
}

pub fn stdout(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).into_owned()
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// Runs the CLI, asserts exit 0 and parses stdout as JSON.
pub fn json_ok(data: &Path, args: &[&str], stdin: Option<&str>) -> Value {
    let o = cli(data, args, stdin);
    assert_eq!(
        o.status.code(),
        Some(0),
        "psa-bridge {} failed:\nstdout: {}\nstderr: {}",
        args.join(" "),
        stdout(&o),
        stderr(&o)
    );
    parse(&o, args)
}

/// Parses stdout as JSON (whatever the exit code).
pub fn parse(o: &Output, args: &[&str]) -> Value {
    match serde_json::from_str(&stdout(o)) {
        Ok(v) => v,
        Err(e) => panic!(
            "psa-bridge {} printed no JSON ({e}):\nstdout: {}\nstderr: {}",
            args.join(" "),
            stdout(o),
            stderr(o)
        ),
    }
}

/// `coro connect` with the sandbox's demo credential (secret on stdin).
pub fn connect_coro(data: &Path, sb: &Sandbox) -> Value {
    let c = &sb.info.coro;
    let v = json_ok(
        data,
        &[
            "coro",
            "connect",
            "--region",
            &c.region,
            "--client-id",
            &c.client_id,
            "--channel",
            &c.channel,
            "--json",
        ],
        Some(&format!("{}\n", c.client_secret)),
    );
    assert_eq!(v["connected"], true, "coro connect: {v}");
    v
}

/// `connector add connectwise` with the demo key pair; returns the connector id.
pub fn add_connectwise(data: &Path, sb: &Sandbox) -> String {
    let cw = &sb.info.connectwise;
    let v = json_ok(
        data,
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
    assert_eq!(v["status"]["state"], "connected", "{v}");
    id_of(&v)
}

/// `connector add autotask` with the demo API user and the zone URL; returns the connector id.
pub fn add_autotask(data: &Path, sb: &Sandbox) -> String {
    let at = &sb.info.autotask;
    let v = json_ok(
        data,
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
            "--time-zone",
            &at.time_zone,
            "--json",
        ],
        Some(&format!("{}\n", at.secret)),
    );
    assert_eq!(v["status"]["state"], "connected", "{v}");
    id_of(&v)
}

pub fn add_connector(data: &Path, sb: &Sandbox, psa: Psa) -> String {
    match psa {
        Psa::Connectwise => add_connectwise(data, sb),
        Psa::Autotask => add_autotask(data, sb),
    }
}

fn id_of(v: &Value) -> String {
    match v["id"].as_i64() {
        Some(id) => id.to_string(),
        None => panic!("no connector id in {v}"),
    }
}

/// The PSA company id of a customer (by its exact, shared name; deleted records excluded).
pub fn company_id(sb: &Sandbox, psa: Psa, name: &str) -> Option<i64> {
    match psa {
        Psa::Connectwise => sb.connectwise.state.lock().ok()?.company_id(name),
        Psa::Autotask => sb.autotask.state.lock().ok()?.company_id(name),
    }
}

/// The PSA product of each Coro service, in `SERVICES` order: the ConnectWise catalog item with
/// identifier `CORO-…`, the active Autotask service named `Coro <Name>`.
pub fn product_ids(sb: &Sandbox, psa: Psa) -> Vec<i64> {
    SERVICES
        .iter()
        .enumerate()
        .map(|(s, svc)| {
            let found = match psa {
                Psa::Connectwise => {
                    let ident = psa_bridge::sandbox::connectwise::product_identifier(s);
                    let st = sb.connectwise.state.lock().expect("connectwise state");
                    st.catalog
                        .iter()
                        .find(|p| p["identifier"] == ident.as_str() && p["inactiveFlag"] == false)
                        .and_then(|p| p["id"].as_i64())
                }
                Psa::Autotask => {
                    let name = format!("Coro {}", svc.name);
                    let st = sb.autotask.state.lock().expect("autotask state");
                    st.services
                        .values()
                        .find(|p| p["name"] == name.as_str() && p["isActive"] == true)
                        .and_then(|p| p["id"].as_i64())
                }
            };
            found.unwrap_or_else(|| panic!("{}: no product for {}", psa.name(), svc.key))
        })
        .collect()
}

/// Maps every Coro service to its product through the CLI, picking the product from `products
/// CONNECTOR --json` by identifier (ConnectWise) or name (Autotask), and checks that it is the
/// sandbox's product.
pub fn map_services(data: &Path, connector: &str, sb: &Sandbox, psa: Psa) {
    let products = json_ok(data, &["products", connector, "--json"], None);
    let products = products.as_array().cloned().unwrap_or_default();
    let truth = product_ids(sb, psa);
    for (s, svc) in SERVICES.iter().enumerate() {
        let pick = products.iter().find(|p| match psa {
            Psa::Connectwise => {
                p["identifier"] == psa_bridge::sandbox::connectwise::product_identifier(s).as_str()
            }
            Psa::Autotask => p["name"] == format!("Coro {}", svc.name).as_str(),
        });
        let Some(id) = pick.and_then(|p| p["id"].as_i64()) else {
            panic!(
                "{}: `products` lists no product for {}: {products:?}",
                psa.name(),
                svc.key
            )
        };
        assert_eq!(
            id,
            truth[s],
            "{}: product picked for {}",
            psa.name(),
            svc.key
        );
        let v = json_ok(
            data,
            &[
                "map",
                "service",
                connector,
                svc.key,
                &id.to_string(),
                "--json",
            ],
            None,
        );
        assert_eq!(v["product"]["id"], id, "map service {}: {v}", svc.key);
    }
}

/// Maps every customer workspace through the CLI. Unarchived workspaces take the suggestion of
/// `workspaces --connector ID --json` (asserted to be the company of the same name); the archived
/// one has no suggestion and is mapped to its company by name, so the plan must skip it.
/// Returns the company id per customer index.
pub fn map_workspaces(data: &Path, connector: &str, sb: &Sandbox, psa: Psa) -> Vec<i64> {
    let rows = json_ok(
        data,
        &["workspaces", "--connector", connector, "--json"],
        None,
    );
    let rows = rows.as_array().cloned().unwrap_or_default();
    let mut out = Vec::new();
    for c in &sb.world.customers {
        let Some(row) = rows
            .iter()
            .find(|r| r["workspace_id"] == c.workspace_id.as_str())
        else {
            panic!("`workspaces` does not list {} ({})", c.workspace_id, c.name)
        };
        let truth = company_id(sb, psa, &c.name)
            .unwrap_or_else(|| panic!("{}: no company named {}", psa.name(), c.name));
        let id = if c.quirk == Quirk::Archived {
            assert_eq!(row["archived"], true, "{row}");
            truth
        } else {
            let suggested = row["suggestion"]["id"].as_i64();
            assert_eq!(
                suggested,
                Some(truth),
                "suggestion for {} ({}): {row}",
                c.workspace_id,
                c.name
            );
            truth
        };
        let v = json_ok(
            data,
            &[
                "map",
                "workspace",
                connector,
                &c.workspace_id,
                &id.to_string(),
                "--json",
            ],
            None,
        );
        assert_eq!(v["company"]["id"], id, "{v}");
        out.push(id);
    }
    out
}

/// One line billing a customer × service right now, as the sandbox holds it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TruthLine {
    /// ConnectWise addition id / Autotask contract service id.
    pub id: i64,
    pub quantity: i64,
    /// The agreement / contract is active (an inactive Autotask contract can still bill).
    pub container_active: bool,
}

/// Every line billing each (customer index, service index) today, straight from the sandbox
/// state: ConnectWise additions that are active (effective, not cancelled, on an Active
/// agreement); Autotask contract services on the company's Recurring Service contracts with a
/// ContractServiceUnits period covering the tenant's today.
pub fn truth_lines(sb: &Sandbox, psa: Psa) -> BTreeMap<(usize, usize), Vec<TruthLine>> {
    let products = product_ids(sb, psa);
    let mut out = BTreeMap::new();
    match psa {
        Psa::Connectwise => {
            let st = sb.connectwise.state.lock().expect("connectwise state");
            for (c, cust) in sb.world.customers.iter().enumerate() {
                let Some(company) = st.company_id(&cust.name) else {
                    continue;
                };
                let views = st.snapshot(Some(&company.to_string()));
                for (s, product) in products.iter().enumerate() {
                    let lines: Vec<TruthLine> = views
                        .iter()
                        .flat_map(|a| a.additions.iter())
                        .filter(|x| x.active && x.product_id == *product)
                        .map(|x| TruthLine {
                            id: x.id,
                            quantity: x.quantity.round() as i64,
                            container_active: true,
                        })
                        .collect();
                    out.insert((c, s), lines);
                }
            }
        }
        Psa::Autotask => {
            let st = sb.autotask.state.lock().expect("autotask state");
            let today = st.time_zone.today();
            let units = st.current_units(today);
            for (c, cust) in sb.world.customers.iter().enumerate() {
                let Some(company) = st.company_id(&cust.name) else {
                    continue;
                };
                let contracts: Vec<(i64, bool)> = st
                    .contracts_of(company)
                    .into_iter()
                    .filter(|k| k["contractType"].as_i64() == Some(7))
                    .filter_map(|k| Some((k["id"].as_i64()?, k["status"].as_i64() == Some(1))))
                    .collect();
                for (s, product) in products.iter().enumerate() {
                    let mut lines = Vec::new();
                    for (contract, active) in &contracts {
                        for l in st.lines_of(*contract) {
                            let Some(id) = l["id"].as_i64() else { continue };
                            if l["serviceID"].as_i64() != Some(*product) {
                                continue;
                            }
                            if let Some(q) = units.get(&id) {
                                lines.push(TruthLine {
                                    id,
                                    quantity: *q,
                                    container_active: *active,
                                });
                            }
                        }
                    }
                    out.insert((c, s), lines);
                }
            }
        }
    }
    out
}

/// The one line a sync may write for a pair, if there is exactly one (on an active container).
pub fn single(lines: &[TruthLine]) -> Option<&TruthLine> {
    match lines {
        [only] if only.container_active => Some(only),
        _ => None,
    }
}

/// What Coro reports for a customer × service in the service's own unit: the usage when the
/// subscription has the service on, else 0.
pub fn expected(world: &World, c: usize, s: usize) -> i64 {
    if world.subscribes(c, s) {
        i64::from(world.usage(c, s))
    } else {
        0
    }
}

/// Whether a logged request changes billing data.
pub fn is_write(psa: Psa, r: &LoggedRequest) -> bool {
    let path = r.path.to_ascii_lowercase();
    match psa {
        Psa::Connectwise => r.method != "GET" && path.contains("/finance/agreements"),
        Psa::Autotask => {
            r.method != "GET" && !path.contains("/query") && !path.contains("zoneinformation")
        }
    }
}

pub fn requests(sb: &Sandbox, psa: Psa) -> Vec<LoggedRequest> {
    match psa {
        Psa::Connectwise => sb.connectwise.gate.requests(),
        Psa::Autotask => sb.autotask.gate.requests(),
    }
}

pub fn clear_requests(sb: &Sandbox) {
    sb.coro.gate.clear_requests();
    sb.connectwise.gate.clear_requests();
    sb.autotask.gate.clear_requests();
}

/// Writes the PSA has logged since the last clear.
pub fn writes(sb: &Sandbox, psa: Psa) -> Vec<LoggedRequest> {
    requests(sb, psa)
        .into_iter()
        .filter(|r| is_write(psa, r))
        .collect()
}

/// Quantities of every line id in `lines`, re-read from the sandbox now.
pub fn quantities(lines: &BTreeMap<(usize, usize), Vec<TruthLine>>) -> HashMap<i64, i64> {
    lines
        .values()
        .flatten()
        .map(|l| (l.id, l.quantity))
        .collect()
}

/// Index of the first customer carrying `quirk`.
pub fn customer_with(world: &World, quirk: Quirk) -> usize {
    match world.customers.iter().position(|c| c.quirk == quirk) {
        Some(i) => i,
        None => panic!("the world has no {quirk:?} customer"),
    }
}

/// Validates `requests` against the vendor's reduced spec with
/// `shared/reference/specs/validate_requests.py`. Where python3 with jsonschema (or the spec) is
/// missing it says so and skips, outside CI only: CI must validate.
pub fn validate_against_spec<'a>(
    psa: Psa,
    requests: impl IntoIterator<Item = &'a LoggedRequest>,
) -> anyhow::Result<()> {
    use std::io::Write;
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../shared/reference/specs");
    let spec = dir.join(match psa {
        Psa::Connectwise => "connectwise.reduced.json",
        Psa::Autotask => "autotask.reduced.json",
    });
    let ready = std::process::Command::new("python3")
        .args(["-c", "import jsonschema"])
        .output()
        .is_ok_and(|o| o.status.success());
    if !ready || !spec.exists() {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI must validate requests"
        );
        println!("SKIPPED: the spec validator is not available");
        return Ok(());
    }
    let mut log = tempfile::NamedTempFile::new()?;
    for r in requests {
        writeln!(log, "{}", serde_json::to_string(r)?)?;
    }
    let out = std::process::Command::new("python3")
        .arg(dir.join("validate_requests.py"))
        .arg(&spec)
        .arg(log.path())
        .output()?;
    anyhow::ensure!(
        out.status.success(),
        "requests do not validate:\n{}",
        String::from_utf8_lossy(&out.stdout)
    );
    Ok(())
}
