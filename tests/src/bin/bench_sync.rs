//! Sync benchmark: how many requests a full sync uses against the minimum each API allows, and
//! how long it takes against the floor that latency and the allowed concurrency set. Also the
//! billing read of 300 mapped companies on its own, and the mapping picker's filter per keystroke
//! over 10,000 companies.
//!
//! ```sh
//! cargo build -p psa-bridge --release
//! scripts/desktop-session.sh cargo run -p psa-bridge-e2e --release --bin bench_sync -- \
//!     [--workspaces 500] [--latency-ms 100] [--companies N] [--psa both|connectwise|autotask] \
//!     [--read-companies 300] [--bin target/release/psa-bridge] [--skip-sync] [--skip-read] \
//!     [--report]
//! ```
//!
//! `--report`: before the sync, `psa-bridge report ID --json` (a fresh read of the same world;
//! it writes nothing), timed, its Coro and PSA requests set against the sync's gather.
//!
//! Setup per PSA: a sandbox with N workspaces × 15 services (every API answering after
//! `--latency-ms`), `coro connect` and `connector add` through the CLI (the real keychain), then
//! every workspace and service mapped through the store (`psa_bridge::store::mappings`; the CLI
//! maps one at a time and re-reads Coro each time, which at 100 ms is minutes for 500). Timed:
//! `psa-bridge sync 1 --approve-held --json`, i.e. gather + plan + apply + record.
//!
//! Minimum requests (documented formulas; `M` mapped companies, `L` latency):
//! - Coro: 1 token + listing (per channel ⌈children / 100⌉ pages) + 2 per billable mapped
//!   workspace (subscriptions + usage, the client's documented cost).
//! - ConnectWise reads: ⌈M / ids per URL⌉ agreement requests (an `in` list in a URL of at most
//!   2,000 characters: ~190 four-digit ids, ~150 longer ones) +
//!   one additions request per active agreement of those companies (no cross-agreement additions
//!   endpoint) + 1 catalog page (the product list gather reads). Writes: 1 PATCH per change.
//! - Autotask reads: Contracts max(⌈M / 400⌉, ⌈contracts / 500⌉) + ContractServices
//!   max(⌈contracts / 400⌉, ⌈lines / 500⌉) + ContractServiceUnits ⌈lines / 400⌉ + 1 Services
//!   page (the `in` list holds at most 400 ids, a page 500 rows). Writes: 1 adjustment per change
//!   (the API allows no fewer; the client also re-reads each batch of lines' units before and
//!   after its adjustments, one query each, counted as write checks).
//!
//! Floor = the gather, whose two sides are read at once (the slower of Coro's and the PSA's
//! minimum reads × L ÷ allowed concurrency), then the writes (minimum × L ÷ allowed concurrency);
//! allowed concurrency: Coro 4, ConnectWise 4, Autotask 3.

use std::collections::{BTreeMap, HashSet};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use psa_bridge::clock::{Clock, SystemClock};
use psa_bridge::context::AppContext;
use psa_bridge::mapping::OptionIndex;
use psa_bridge::model::{CompanyRef, ConnectorId, ProductRef, WorkspaceId};
use psa_bridge::psa::{LineLookup, Psa as PsaApi};
use psa_bridge::sandbox::seed::{Quirk, World, SERVICES};
use psa_bridge::sandbox::{self, Behaviour, Sandbox, SandboxOptions};
use psa_bridge::store::mappings::{ServiceLink, WorkspaceLink};
use psa_bridge::views::PickOption;
use psa_bridge_e2e::sandbox_cli::{
    add_connector, clear_requests, company_id, connect_coro, expected, parse, product_ids, runtime,
    single, stderr, stdout, truth_lines, writes, Psa,
};
use psa_bridge_e2e::{cli, desktop_session};

struct Args {
    workspaces: usize,
    latency_ms: u64,
    companies: Option<usize>,
    psas: Vec<Psa>,
    read_companies: usize,
    bin: Option<PathBuf>,
    skip_sync: bool,
    skip_read: bool,
    report: bool,
}

fn parse_args() -> anyhow::Result<Args> {
    let mut a = Args {
        workspaces: 500,
        latency_ms: 100,
        companies: None,
        psas: vec![Psa::Connectwise, Psa::Autotask],
        read_companies: 300,
        bin: None,
        skip_sync: false,
        skip_read: false,
        report: false,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || {
            it.next()
                .ok_or_else(|| anyhow::anyhow!("{flag} needs a value"))
        };
        match flag.as_str() {
            "--workspaces" => a.workspaces = value()?.parse()?,
            "--latency-ms" => a.latency_ms = value()?.parse()?,
            "--companies" => a.companies = Some(value()?.parse()?),
            "--read-companies" => a.read_companies = value()?.parse()?,
            "--bin" => a.bin = Some(PathBuf::from(value()?)),
            "--psa" => {
                a.psas = match value()?.as_str() {
                    "both" => vec![Psa::Connectwise, Psa::Autotask],
                    "connectwise" => vec![Psa::Connectwise],
                    "autotask" => vec![Psa::Autotask],
                    other => anyhow::bail!("--psa both|connectwise|autotask, not {other}"),
                }
            }
            "--skip-sync" => a.skip_sync = true,
            "--skip-read" => a.skip_read = true,
            "--report" => a.report = true,
            "-h" | "--help" => {
                println!("bench_sync [--workspaces N] [--latency-ms MS] [--companies N] [--psa both|connectwise|autotask] [--read-companies N] [--bin PATH] [--skip-sync] [--skip-read]");
                std::process::exit(0);
            }
            other => anyhow::bail!("unknown argument {other} (see --help)"),
        }
    }
    anyhow::ensure!(
        a.workspaces >= 14,
        "--workspaces must be at least 14 (every awkward case gets a customer)"
    );
    Ok(a)
}

fn behaviour(latency_ms: u64) -> Behaviour {
    Behaviour {
        latency: Duration::from_millis(latency_ms),
        fault_rate: 0.0,
        // Out of the way: this measures the client's request count and pacing, not throttling.
        rate_limit: 1_000_000,
        rate_window: Duration::from_secs(3600),
        seed: 42,
    }
}

fn secs(d: Duration) -> String {
    format!("{:.1} s", d.as_secs_f64())
}

fn ceil_div(a: usize, b: usize) -> usize {
    a.div_ceil(b.max(1))
}

/// Maps every customer workspace and every service through the store.
fn map_all(dir: &Path, connector: &str, sb: &Sandbox, psa: Psa) -> anyhow::Result<Vec<i64>> {
    let ctx = AppContext::open_at(dir).map_err(|e| anyhow::anyhow!("{}", e.message))?;
    let conn = ctx.store.conn()?;
    let id = ConnectorId(connector.parse()?);
    let now = SystemClock.now();
    let mut companies = Vec::new();
    for c in &sb.world.customers {
        let company =
            company_id(sb, psa, &c.name).ok_or_else(|| anyhow::anyhow!("no company {}", c.name))?;
        let link = WorkspaceLink {
            workspace_id: WorkspaceId(c.workspace_id.clone()),
            workspace_name: c.name.clone(),
            company_id: CompanyRef(company),
            company_name: c.name.clone(),
        };
        psa_bridge::store::mappings::map_workspace(&conn, id, &link, now)?;
        companies.push(company);
    }
    for (svc, product) in SERVICES.iter().zip(product_ids(sb, psa)) {
        let link = ServiceLink {
            service_key: svc.key.to_string(),
            product_id: ProductRef(product),
            product_name: format!("Coro {}", svc.name),
            unit: None,
        };
        psa_bridge::store::mappings::map_service(&conn, id, &link, now)?;
    }
    Ok(companies)
}

/// Percent-encoded length, as in a query string (RFC 3986 unreserved characters kept).
fn encoded_len(s: &str) -> usize {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                1
            } else {
                3
            }
        })
        .sum()
}

/// The fewest agreement requests that can carry `company/id in (…)` for every mapped company
/// with each URL within ConnectWise's ~2,000 characters (reference: keep URLs under 2,000), the
/// other parameters being what the billing read needs (the status filter, `fields`, paging).
/// About 190 four-digit ids fit in one URL (~150 with longer ids).
fn cw_agreement_urls(origin: &str, companies: &[i64]) -> usize {
    const MAX_URL: usize = 2_000;
    let suffix = " and agreementStatus=\"Active\" and cancelledFlag=false";
    let fields = "id,name,company/id,parentAgreement/id,agreementStatus,cancelledFlag";
    let fixed = origin.trim_end_matches('/').len()
        + "/v2026_11/apis/3.0/finance/agreements?conditions=".len()
        + encoded_len("company/id in (")
        + encoded_len(")")
        + encoded_len(suffix)
        + "&fields=".len()
        + encoded_len(fields)
        + "&pageSize=1000&page=1".len();
    let budget = MAX_URL.saturating_sub(fixed).max(1);
    let mut ids: Vec<i64> = companies.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let (mut urls, mut used) = (0usize, 0usize);
    for id in ids {
        let cost = id.to_string().len();
        let sep = encoded_len(", ");
        if urls == 0 || used + sep + cost > budget {
            urls += 1;
            used = cost;
        } else {
            used += sep + cost;
        }
    }
    urls
}

/// The minimum PSA reads for the mapped companies, from the sandbox data (see the module doc).
fn psa_min_reads(sb: &Sandbox, psa: Psa, companies: &[i64]) -> (usize, String) {
    let mapped: HashSet<i64> = companies.iter().copied().collect();
    let m = mapped.len();
    match psa {
        Psa::Connectwise => {
            let st = sb.connectwise.state.lock().expect("state");
            let active = st
                .agreements
                .iter()
                .filter(|a| {
                    a["company"]["id"]
                        .as_i64()
                        .is_some_and(|c| mapped.contains(&c))
                })
                .filter(|a| a["agreementStatus"] == "Active" && a["cancelledFlag"] != true)
                .count();
            let catalog_pages = ceil_div(st.catalog.len(), 1000);
            let chunks = cw_agreement_urls(&sb.info.connectwise.url, companies);
            let n = chunks + active + catalog_pages;
            (
                n,
                format!(
                    "{chunks} URL(s) for {m} ids + {active} agreements + {catalog_pages} catalog"
                ),
            )
        }
        Psa::Autotask => {
            // Before taking the lock: product_ids locks the state too.
            let products: HashSet<i64> = product_ids(sb, psa).into_iter().collect();
            let st = sb.autotask.state.lock().expect("state");
            let contracts: HashSet<i64> = st
                .contracts
                .values()
                .filter(|k| k["contractType"].as_i64() == Some(7))
                .filter(|k| k["companyID"].as_i64().is_some_and(|c| mapped.contains(&c)))
                .filter_map(|k| k["id"].as_i64())
                .collect();
            let lines = st
                .contract_services
                .values()
                .filter(|l| {
                    l["contractID"]
                        .as_i64()
                        .is_some_and(|c| contracts.contains(&c))
                })
                .filter(|l| {
                    l["serviceID"]
                        .as_i64()
                        .is_some_and(|s| products.contains(&s))
                })
                .count();
            let c = contracts.len();
            let services_pages = ceil_div(st.services.len(), 500);
            let n = ceil_div(m, 400).max(ceil_div(c, 500))
                + ceil_div(c, 400).max(ceil_div(lines, 500))
                + ceil_div(lines, 400)
                + services_pages;
            (
                n,
                format!("{m} companies, {c} contracts, {lines} lines + {services_pages} services"),
            )
        }
    }
}

/// The minimum Coro requests for a sync of every mapped workspace.
fn coro_min(sb: &Sandbox) -> (usize, String) {
    let st = sb.coro.state.lock().expect("state");
    let mut channels = vec![st.channel_id.clone()];
    let mut listing = 0;
    while let Some(ch) = channels.pop() {
        let children = st.children_of(&ch);
        listing += ceil_div(children.len(), 100).max(1);
        for w in children {
            if w.kind == psa_bridge::sandbox::coro::Kind::Channel {
                channels.push(w.id.clone());
            }
        }
    }
    let billable = sb
        .world
        .customers
        .iter()
        .filter(|c| c.quirk != Quirk::Archived)
        .count();
    (
        1 + listing + 2 * billable,
        format!("1 token + {listing} listing + 2 × {billable}"),
    )
}

struct Row {
    label: String,
    used: usize,
    min: usize,
    formula: String,
    concurrency: usize,
    /// Gather rows run alongside each other (Coro and the PSA are read at once); apply rows after.
    gather: bool,
}

/// Time for `n` requests per row at each row's concurrency: the slower of the gather rows (read at
/// once), then the apply rows in turn.
fn timeline(rows: &[Row], latency: Duration, n: impl Fn(&Row) -> usize) -> Duration {
    let cost = |r: &Row| latency.mul_f64(n(r) as f64 / r.concurrency as f64);
    let gather = rows
        .iter()
        .filter(|r| r.gather)
        .map(cost)
        .max()
        .unwrap_or_default();
    gather
        + rows
            .iter()
            .filter(|r| !r.gather)
            .map(cost)
            .sum::<Duration>()
}

/// The contract services an Autotask ContractServiceUnits query (a first page) asks for.
fn units_query_ids(r: &psa_bridge::sandbox::LoggedRequest) -> Option<Vec<i64>> {
    let path = r.path.to_ascii_lowercase();
    if !path.contains("contractserviceunits") || path.contains("/next") {
        return None;
    }
    let filter = r.body.get("filter")?.as_array()?;
    let cond = filter.iter().find(|c| c["field"] == "contractServiceID")?;
    match &cond["value"] {
        serde_json::Value::Array(ids) => Some(ids.iter().filter_map(|v| v.as_i64()).collect()),
        v => v.as_i64().map(|id| vec![id]),
    }
}

/// Marks Autotask's write checks among `reads` (in arrival order): the billing read asks for each
/// line's units once, in disjoint chunks; the checks around each batch of adjustments ask again
/// for lines already asked for. Later pages (`/next`) belong to the billing read (a batch's check
/// fits in one page).
fn write_checks(reads: &[&psa_bridge::sandbox::LoggedRequest]) -> Vec<bool> {
    let mut asked: HashSet<i64> = HashSet::new();
    reads
        .iter()
        .map(|r| match units_query_ids(r) {
            Some(ids) if !ids.is_empty() && ids.iter().all(|id| asked.contains(id)) => true,
            Some(ids) => {
                asked.extend(ids);
                false
            }
            None => false,
        })
        .collect()
}

fn categorize(paths: &[String]) -> String {
    let mut by: BTreeMap<String, usize> = BTreeMap::new();
    for p in paths {
        let lower = p.to_ascii_lowercase();
        let key = if lower.contains("/additions") {
            "agreements/{id}/additions".to_string()
        } else if let Some(rest) = lower.strip_prefix("/v1.0/") {
            rest.split('/').next().unwrap_or(rest).to_string()
        } else {
            lower.split('?').next().unwrap_or(&lower).to_string()
        };
        *by.entry(key).or_default() += 1;
    }
    by.iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn sync_bench(rt: &tokio::runtime::Runtime, a: &Args, psa: Psa) -> anyhow::Result<()> {
    let latency = Duration::from_millis(a.latency_ms);
    let companies_n = a.companies.unwrap_or(a.workspaces + 500);
    println!();
    println!(
        "== {}: full sync, {} workspaces × {} services, {} companies, latency {} ms ==",
        psa.name(),
        a.workspaces,
        SERVICES.len(),
        companies_n,
        a.latency_ms
    );
    let sb = rt.block_on(sandbox::start(SandboxOptions {
        port_base: 0,
        behaviour: behaviour(a.latency_ms),
        workspaces: a.workspaces,
        companies: companies_n,
        ..Default::default()
    }))?;
    let data = tempfile::tempdir()?;
    let d = data.path();
    let t = Instant::now();
    connect_coro(d, &sb);
    let id = add_connector(d, &sb, psa);
    let mapped = map_all(d, &id, &sb, psa)?;
    println!("setup (coro connect + connector add via CLI, {} workspaces + {} services mapped via the store): {}",
             mapped.len(), SERVICES.len(), secs(t.elapsed()));

    // What the sync must change, from the sandbox truth.
    let truth = truth_lines(&sb, psa);
    let mut changes = 0usize;
    for (&(c, s), lines) in &truth {
        if sb.world.customers[c].quirk == Quirk::Archived {
            continue;
        }
        if let Some(line) = single(lines) {
            if line.quantity != expected(&sb.world, c, s) {
                changes += 1;
            }
        }
    }
    let (coro_min_n, coro_formula) = coro_min(&sb);
    let (psa_min_reads_n, psa_formula) = psa_min_reads(&sb, psa, &mapped);

    // The reconciliation report from a fresh read, before the sync changes anything.
    let report = a.report.then(|| {
        clear_requests(&sb);
        let t = Instant::now();
        let out = cli(d, &["report", &id, "--json"], None);
        let wall = t.elapsed();
        let ok = out.status.success();
        let coro = sb.coro.gate.requests().len();
        let psa_reads = psa_bridge_e2e::sandbox_cli::requests(&sb, psa).len();
        let psa_writes = writes(&sb, psa).len();
        println!(
            "report {id} --json: {} in {} (Coro {coro} requests, {} {psa_reads} requests, {psa_writes} writes)",
            if ok { "ok" } else { "FAILED" },
            secs(wall),
            psa.name()
        );
        if !ok {
            eprintln!("stderr: {}", stderr(&out));
        }
        (coro, psa_reads, wall)
    });
    clear_requests(&sb);
    let t = Instant::now();
    let out = cli(d, &["sync", &id, "--approve-held", "--json"], None);
    let wall = t.elapsed();
    if !out.status.success() {
        eprintln!(
            "sync exited {:?}\nstdout: {}\nstderr: {}",
            out.status.code(),
            stdout(&out),
            stderr(&out)
        );
    }
    let v = parse(&out, &["sync"]);
    let summary = &v[0]["summary"];
    println!("sync 1 --approve-held: {} in {} (status {}, applied {}, failed {}, skipped {}, held {}; {} changes expected)",
             if out.status.success() { "ok" } else { "FAILED" }, secs(wall), summary["status"],
             summary["counts"]["applied"], summary["counts"]["failed"], summary["counts"]["skipped"],
             summary["counts"]["held"], changes);

    let coro_paths: Vec<String> = sb
        .coro
        .gate
        .requests()
        .iter()
        .map(|r| r.path.clone())
        .collect();
    let psa_requests = psa_bridge_e2e::sandbox_cli::requests(&sb, psa);
    let psa_writes = writes(&sb, psa).len();
    let reads: Vec<&psa_bridge::sandbox::LoggedRequest> = psa_requests
        .iter()
        .filter(|r| !psa_bridge_e2e::sandbox_cli::is_write(psa, r))
        .collect();
    // Autotask: the client re-reads the units of each batch of lines before and after its
    // adjustments; those are write checks, not the billing read.
    let marks = write_checks(&reads);
    let (checks, plan_reads): (Vec<_>, Vec<_>) =
        reads.into_iter().zip(marks).partition(|(_, check)| *check);
    let (checks, plan_reads): (Vec<_>, Vec<_>) = (
        checks.into_iter().map(|(r, _)| r).collect(),
        plan_reads.into_iter().map(|(r, _)| r).collect(),
    );
    let psa_read_paths: Vec<String> = plan_reads.iter().map(|r| r.path.clone()).collect();
    println!("  Coro requests by path: {}", categorize(&coro_paths));
    println!(
        "  {} billing reads by path: {}",
        psa.name(),
        categorize(&psa_read_paths)
    );

    let conc = match psa {
        Psa::Connectwise => 4,
        Psa::Autotask => 3,
    };
    let mut rows = vec![
        Row {
            label: "Coro".into(),
            used: coro_paths.len(),
            min: coro_min_n,
            formula: coro_formula,
            concurrency: 4,
            gather: true,
        },
        Row {
            label: format!("{} reads", psa.name()),
            used: psa_read_paths.len(),
            min: psa_min_reads_n,
            formula: psa_formula,
            concurrency: conc,
            gather: true,
        },
        Row {
            label: format!("{} writes", psa.name()),
            used: psa_writes,
            min: changes,
            formula: format!("1 × {changes} changes"),
            concurrency: conc,
            gather: false,
        },
    ];
    if psa == Psa::Autotask {
        rows.push(Row {
            label: format!("{} write checks", psa.name()),
            used: checks.len(),
            min: 0,
            formula: format!(
                "none needed by the API; the client re-reads each batch of up to {} lines before and after its adjustments",
                psa_bridge::autotask::WRITE_BATCH
            ),
            concurrency: conc,
            gather: false,
        });
    }
    println!();
    println!(
        "  {:<22} {:>9} {:>9} {:>7} {:>12}  minimum formula",
        "API", "used", "minimum", "ratio", "floor"
    );
    let floor = timeline(&rows, latency, |r| r.min);
    for r in &rows {
        let f = latency.mul_f64(r.min as f64 / r.concurrency as f64);
        let ratio = if r.min == 0 {
            "—".to_string()
        } else {
            format!("{:.2}", r.used as f64 / r.min as f64)
        };
        println!(
            "  {:<22} {:>9} {:>9} {:>7} {:>12}  {}",
            r.label,
            r.used,
            r.min,
            ratio,
            secs(f),
            r.formula
        );
    }
    let used_total: usize = rows.iter().map(|r| r.used).sum();
    let min_total: usize = rows.iter().map(|r| r.min).sum();
    println!(
        "  {:<22} {:>9} {:>9} {:>7.2} {:>12}",
        "total",
        used_total,
        min_total,
        used_total as f64 / min_total.max(1) as f64,
        secs(floor)
    );
    // What the client's own requests cost at the allowed concurrency: how well it overlaps them.
    let own = timeline(&rows, latency, |r| r.used);
    let (requests_ratio, wall_ratio) = (
        used_total as f64 / min_total.max(1) as f64,
        wall.as_secs_f64() / floor.as_secs_f64().max(1e-9),
    );
    println!(
        "  wall {} vs floor {} (×{wall_ratio:.2}); vs the requests it sent at full concurrency, {} (×{:.2})",
        secs(wall),
        secs(floor),
        secs(own),
        wall.as_secs_f64() / own.as_secs_f64().max(1e-9)
    );
    let verdict = |ok: bool| if ok { "met" } else { "NOT met" };
    if let Some((coro, psa_reads, report_wall)) = report {
        let gather = coro_paths.len() + psa_read_paths.len();
        println!(
            "  report vs the sync's gather: Coro {coro} vs {}, {} {psa_reads} vs {}, total {} vs {gather} \
             (minimum {}); report {} — no more requests than the gather: {}",
            coro_paths.len(),
            psa.name(),
            psa_read_paths.len(),
            coro + psa_reads,
            coro_min_n + psa_min_reads_n,
            secs(report_wall),
            verdict(coro + psa_reads <= gather)
        );
    }
    println!(
        "  targets: requests ≤ 1.1 × minimum ({requests_ratio:.2}): {}; wall ≤ 1.25 × floor ({wall_ratio:.2}): {}",
        verdict(requests_ratio <= 1.1),
        verdict(wall_ratio <= 1.25)
    );
    drop(sb);
    Ok(())
}

/// `read_billing` alone for `n` mapped companies × 15 products, through the library client of a
/// connector added by the CLI.
fn read_bench(rt: &tokio::runtime::Runtime, a: &Args) -> anyhow::Result<()> {
    let n = a.read_companies.max(14);
    let latency = Duration::from_millis(a.latency_ms);
    println!();
    println!(
        "== read_billing alone: {n} mapped companies × {} products, latency {} ms ==",
        SERVICES.len(),
        a.latency_ms
    );
    let sb = rt.block_on(sandbox::start(SandboxOptions {
        port_base: 0,
        behaviour: behaviour(a.latency_ms),
        workspaces: n,
        companies: n + 500,
        ..Default::default()
    }))?;
    println!(
        "  {:<12} {:>8} {:>9} {:>12} {:>10} {:>10}  lines (one / none / several)",
        "PSA", "requests", "minimum", "wall", "floor", "wall/floor"
    );
    for psa in [Psa::Connectwise, Psa::Autotask] {
        let data = tempfile::tempdir()?;
        let id = add_connector(data.path(), &sb, psa);
        let ctx = AppContext::open_at(data.path()).map_err(|e| anyhow::anyhow!("{}", e.message))?;
        let row = psa_bridge::app::connectors::resolve(&ctx, &id)
            .map_err(|e| anyhow::anyhow!("{}", e.message))?;
        let client = psa_bridge::app::connectors::client_for(&ctx, &row)
            .map_err(|e| anyhow::anyhow!("{}", e.message))?;
        let companies: Vec<i64> = sb
            .world
            .customers
            .iter()
            .take(n)
            .map(|c| {
                company_id(&sb, psa, &c.name)
                    .ok_or_else(|| anyhow::anyhow!("no company {}", c.name))
            })
            .collect::<anyhow::Result<_>>()?;
        let company_refs: Vec<CompanyRef> = companies.iter().map(|&c| CompanyRef(c)).collect();
        let products: Vec<ProductRef> = product_ids(&sb, psa).into_iter().map(ProductRef).collect();
        // Warm the client (ConnectWise codebase discovery, Autotask zone) so only the read is timed.
        rt.block_on(client.check())
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        clear_requests(&sb);
        let t = Instant::now();
        let state = rt
            .block_on(client.read_billing(&company_refs, &products))
            .map_err(|e| anyhow::anyhow!("{e}"))?;
        let wall = t.elapsed();
        let logged = psa_bridge_e2e::sandbox_cli::requests(&sb, psa).len();
        let (min, _) = psa_min_reads(&sb, psa, &companies);
        let min = min - 1; // no product list in a bare read
        let conc = if psa == Psa::Connectwise { 4 } else { 3 };
        let floor = latency.mul_f64(min as f64 / conc as f64);
        let (mut one, mut none, mut many) = (0, 0, 0);
        for l in state.lines.values() {
            match l {
                LineLookup::One { .. } => one += 1,
                // A pair the read could not cover counts with those that have no line.
                LineLookup::None { .. } | LineLookup::Unreadable { .. } => none += 1,
                LineLookup::Many { .. } => many += 1,
            }
        }
        println!("  {:<12} {:>8} {:>9} {:>12} {:>10} {:>10.1}  {one} / {none} / {many}  (client counted {})",
                 psa.name(), logged, min, format!("{:.2} s", wall.as_secs_f64()), format!("{:.2} s", floor.as_secs_f64()),
                 wall.as_secs_f64() / floor.as_secs_f64().max(1e-9), state.requests);
    }
    drop(sb);
    Ok(())
}

/// The picker's filter per keystroke over 10,000 companies.
fn picker_bench() {
    let world = World::new(42, 14, 10_000);
    let options: Vec<PickOption> = world
        .company_names
        .iter()
        .enumerate()
        .map(|(i, name)| PickOption {
            id: i as i64 + 1,
            name: name.clone(),
            identifier: Some(format!("CN-{:05}", i + 1)),
        })
        .collect();
    println!();
    println!(
        "== picker filter: {} companies, typing \"acme dental\" one character at a time ==",
        options.len()
    );
    let t = Instant::now();
    let index = OptionIndex::new(&options);
    println!(
        "  index built in {} µs (once per list)",
        t.elapsed().as_micros()
    );
    let phrase = "acme dental";
    let reps = 50;
    for limit in [50usize, usize::MAX] {
        let mut all = Vec::new();
        let mut last = 0;
        for _ in 0..reps {
            for end in 1..=phrase.len() {
                let q = &phrase[..end];
                let t = Instant::now();
                let hits = index.filter(q, limit);
                all.push(t.elapsed());
                last = hits.len();
                std::hint::black_box(hits);
            }
        }
        let mean = all.iter().map(Duration::as_secs_f64).sum::<f64>() / all.len() as f64;
        let max = all.iter().max().copied().unwrap_or_default();
        println!(
            "  limit {:>5}: mean {:>7.1} µs, max {:>7.1} µs per keystroke over {} keystrokes ({} matches for \"{phrase}\"); target < 16,000 µs: {}",
            if limit == usize::MAX { "all".to_string() } else { limit.to_string() },
            mean * 1e6,
            max.as_secs_f64() * 1e6,
            all.len(),
            last,
            if max < Duration::from_millis(16) { "met" } else { "MISSED" }
        );
    }
}

fn main() -> anyhow::Result<()> {
    let a = parse_args()?;
    if !desktop_session("bench_sync") {
        return Ok(());
    }
    // The CLI under test: --bin, else PSA_BRIDGE_BIN, else the release build when there is one.
    let bin = a
        .bin
        .clone()
        .or_else(|| std::env::var_os("PSA_BRIDGE_BIN").map(PathBuf::from))
        .unwrap_or_else(|| {
            let release = psa_bridge_e2e::workspace_root().join("target/release/psa-bridge");
            if release.exists() {
                release
            } else {
                psa_bridge_e2e::app_binary()
            }
        });
    anyhow::ensure!(
        bin.exists(),
        "{} does not exist: cargo build -p psa-bridge --release",
        bin.display()
    );
    // Set before any thread starts; `cli()` reads it.
    std::env::set_var("PSA_BRIDGE_BIN", &bin);
    println!("psa-bridge binary: {}", bin.display());

    picker_bench();
    let rt = runtime();
    if !a.skip_read {
        read_bench(&rt, &a)?;
    }
    if !a.skip_sync {
        for &psa in &a.psas {
            sync_bench(&rt, &a, psa)?;
        }
    }
    Ok(())
}
