//! The full-sync benchmark for one PSA: set up, map everything, sync, and set what it used
//! against the minimum.

use std::path::Path;
use std::time::{Duration, Instant};

use psa_bridge::clock::{Clock, SystemClock};
use psa_bridge::context::AppContext;
use psa_bridge::model::{CompanyRef, ConnectorId, ProductRef, WorkspaceId};
use psa_bridge::sandbox::seed::{Quirk, SERVICES};
use psa_bridge::sandbox::{self, Sandbox, SandboxOptions};
use psa_bridge::store::mappings::{ServiceLink, WorkspaceLink};
use psa_bridge_e2e::cli;
use psa_bridge_e2e::sandbox_cli::{
    add_connector, clear_requests, company_id, connect_coro, expected, parse, product_ids, single,
    stderr, stdout, truth_lines, writes, Psa,
};

use super::minimum::{categorize, coro_min, psa_min_reads, timeline, write_checks, Row};
use super::{behaviour, secs, Args};

/// Maps every customer workspace and every service through the store.
pub(crate) fn map_all(
    dir: &Path,
    connector: &str,
    sb: &Sandbox,
    psa: Psa,
) -> anyhow::Result<Vec<i64>> {
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

pub(crate) fn sync_bench(rt: &tokio::runtime::Runtime, a: &Args, psa: Psa) -> anyhow::Result<()> {
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
