//! `psa-bridge connector billing ID [--daily | --monthly DAY] [--threshold-units N |
//! --threshold-percent P | --no-threshold] [--create-missing on|off] [--json]`: show or change a
//! connector's billing cadence, noise threshold and whether missing lines are proposed.

use clap::Args;

use super::output::print_json;
use crate::app;
use crate::context::AppContext;
use crate::error::ApiError;
use crate::sync::cadence::Threshold;

#[derive(Debug, Args)]
pub struct BillingArgs {
    /// Connector id or name.
    pub connector: String,
    /// Write changes on every run (the default).
    #[arg(long, conflicts_with = "monthly")]
    pub daily: bool,
    /// Write changes once a month, on this day (1–28) or the first run after it; Autotask
    /// adjustments then take effect on the 1st of the month.
    #[arg(long, value_name = "DAY")]
    pub monthly: Option<u8>,
    /// Do not write changes smaller than N units.
    #[arg(long, value_name = "N", conflicts_with_all = ["threshold_percent", "no_threshold"])]
    pub threshold_units: Option<i64>,
    /// Do not write changes smaller than P % of the current quantity.
    #[arg(long, value_name = "P", conflicts_with = "no_threshold")]
    pub threshold_percent: Option<f64>,
    /// Write every change, however small.
    #[arg(long)]
    pub no_threshold: bool,
    /// Propose creating a missing line (on the company's only active agreement / contract),
    /// always held for approval: `on` or `off` (the default).
    #[arg(long, value_name = "on|off", value_parser = on_off)]
    pub create_missing: Option<bool>,
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &AppContext, a: &BillingArgs) -> Result<(), ApiError> {
    let row = app::connectors::resolve(ctx, &a.connector)?;
    let mut b = app::cadence::get(ctx, row.id)?;
    let changes = a.daily
        || a.monthly.is_some()
        || a.threshold_units.is_some()
        || a.threshold_percent.is_some()
        || a.no_threshold
        || a.create_missing.is_some();
    if a.daily {
        b.monthly_day = None;
    }
    if let Some(d) = a.monthly {
        b.monthly_day = Some(d);
    }
    if let Some(n) = a.threshold_units {
        b.threshold = Some(Threshold::Units(n));
    }
    if let Some(p) = a.threshold_percent {
        b.threshold = Some(Threshold::Percent(p));
    }
    if a.no_threshold {
        b.threshold = None;
    }
    if let Some(on) = a.create_missing {
        b.create_missing = on;
    }
    if changes {
        b = app::cadence::set(ctx, row.id, &b)?;
    }
    if a.json {
        return print_json(&b);
    }
    println!(
        "Connector {} ({}) bills {}.",
        row.id,
        row.name,
        b.describe()
    );
    Ok(())
}

/// `on` / `off` (also `true` / `false`, `yes` / `no`).
fn on_off(s: &str) -> Result<bool, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "on" | "true" | "yes" => Ok(true),
        "off" | "false" | "no" => Ok(false),
        other => Err(format!(
            "'{other}' is neither on nor off; use --create-missing on or off"
        )),
    }
}
