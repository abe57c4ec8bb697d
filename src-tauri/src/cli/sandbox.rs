//! `psa-bridge sandbox`: serve the simulated APIs until killed.

use clap::Args;

use crate::error::{ApiError, ErrorCode};
use crate::sandbox::{self, Behaviour, SandboxOptions};

#[derive(Debug, Args)]
pub struct SandboxArgs {
    /// Coro listens on N, ConnectWise on N+1, Autotask on N+2 (0 = any free ports).
    #[arg(long, default_value_t = 47800)]
    pub port_base: u16,
    /// Delay added to every response, in milliseconds.
    #[arg(long, default_value_t = 0)]
    pub latency_ms: u64,
    /// Share of requests (0.0–1.0) answered with an injected 503.
    #[arg(long, default_value_t = 0.0)]
    pub fault_rate: f64,
    /// Seed for the demo data and the fault dice.
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    /// Requests allowed per credential per minute before 429 + Retry-After.
    #[arg(long, default_value_t = 10_000)]
    pub rate_limit: u32,
    /// Coro child workspaces to simulate (≥ 14 includes every awkward billing case).
    #[arg(long, default_value_t = 14)]
    pub workspaces: usize,
    /// Companies in each simulated PSA tenant.
    #[arg(long, default_value_t = 320)]
    pub companies: usize,
    /// The simulated Autotask database's time zone: an IANA name (Pacific/Tongatapu) or an
    /// offset from UTC (+13, -05:30).
    #[arg(long, value_name = "ZONE", default_value = "America/New_York")]
    pub autotask_time_zone: String,
    /// Print the URLs and demo credentials as one JSON object on the first line of stdout.
    #[arg(long)]
    pub json: bool,
}

impl SandboxArgs {
    pub fn options(&self) -> Result<SandboxOptions, ApiError> {
        if !(0.0..=1.0).contains(&self.fault_rate) {
            return Err(ApiError::new(
                ErrorCode::InvalidInput,
                format!(
                    "--fault-rate {} is out of range: give a share between 0.0 and 1.0",
                    self.fault_rate
                ),
            ));
        }
        let autotask_time_zone = sandbox::autotask::TenantTimeZone::parse(&self.autotask_time_zone)
            .map_err(|e| {
                ApiError::new(
                    ErrorCode::InvalidInput,
                    format!("--autotask-time-zone: {e}"),
                )
            })?;
        Ok(SandboxOptions {
            port_base: self.port_base,
            behaviour: Behaviour {
                latency: std::time::Duration::from_millis(self.latency_ms),
                fault_rate: self.fault_rate,
                rate_limit: self.rate_limit,
                rate_window: std::time::Duration::from_secs(60),
                seed: self.seed,
            },
            workspaces: self.workspaces.max(1),
            companies: self.companies.max(1),
            autotask_time_zone,
        })
    }
}

pub fn run(args: &SandboxArgs) -> Result<(), ApiError> {
    let opts = args.options()?;
    let rt = super::runtime()?;
    rt.block_on(async {
        let sb = sandbox::start(opts)
            .await
            .map_err(|e| ApiError::new(ErrorCode::InvalidInput, e.to_string()))?;
        if args.json {
            let line = serde_json::to_string(&sb.info)
                .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?;
            println!("{line}");
        } else {
            print_human(&sb.info);
        }
        use std::io::Write;
        let _ = std::io::stdout().flush();
        let _ = tokio::signal::ctrl_c().await;
        drop(sb);
        Ok(())
    })
}

fn print_human(info: &sandbox::SandboxInfo) {
    let v = serde_json::to_value(info).unwrap_or_default();
    println!(
        "PSA Bridge sandbox — simulated APIs on 127.0.0.1 (demo data only). Ctrl+C stops it.\n"
    );
    for (key, title) in [
        ("coro", "Coro"),
        ("connectwise", "ConnectWise Manage"),
        ("autotask", "Autotask"),
    ] {
        println!("{title}");
        if let Some(obj) = v.get(key).and_then(|o| o.as_object()) {
            for (k, val) in obj {
                let shown = val
                    .as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| val.to_string());
                println!("  {k:<18} {shown}");
            }
        }
        println!();
    }
}
