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

mod minimum;
mod reads;
mod sync;

use reads::{picker_bench, read_bench};
use sync::sync_bench;

use std::path::PathBuf;
use std::time::Duration;

use psa_bridge::sandbox::Behaviour;
use psa_bridge_e2e::desktop_session;
use psa_bridge_e2e::sandbox_cli::{runtime, Psa};

struct Args {
    pub(crate) workspaces: usize,
    pub(crate) latency_ms: u64,
    pub(crate) companies: Option<usize>,
    pub(crate) psas: Vec<Psa>,
    pub(crate) read_companies: usize,
    pub(crate) bin: Option<PathBuf>,
    pub(crate) skip_sync: bool,
    pub(crate) skip_read: bool,
    pub(crate) report: bool,
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
