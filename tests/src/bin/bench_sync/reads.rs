//! The billing read of mapped companies on its own, and the picker's filter per keystroke.

use std::time::{Duration, Instant};

use psa_bridge::context::AppContext;
use psa_bridge::mapping::OptionIndex;
use psa_bridge::model::{CompanyRef, ProductRef};
use psa_bridge::psa::{LineLookup, Psa as PsaApi};
use psa_bridge::sandbox::seed::{World, SERVICES};
use psa_bridge::sandbox::{self, SandboxOptions};
use psa_bridge::views::PickOption;
use psa_bridge_e2e::sandbox_cli::{add_connector, clear_requests, company_id, product_ids, Psa};

use super::minimum::psa_min_reads;
use super::{behaviour, Args};

/// `read_billing` alone for `n` mapped companies × 15 products, through the library client of a
/// connector added by the CLI.
pub(crate) fn read_bench(rt: &tokio::runtime::Runtime, a: &Args) -> anyhow::Result<()> {
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
pub(crate) fn picker_bench() {
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
