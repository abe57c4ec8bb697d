//! `psa-bridge settings`: show the app-wide settings, or change the safety limits the daily sync
//! holds changes by (the same values as the Settings screen).

use clap::Args;

use super::output::print_json;
use crate::app;
use crate::context::AppContext;
use crate::error::ApiError;

#[derive(Debug, Args)]
pub struct SettingsArgs {
    /// Hold decreases removing more than this percentage (0–100) of the current quantity.
    #[arg(long, value_name = "PERCENT")]
    pub max_decrease_percent: Option<f64>,
    /// Hold increases to more than this many times the current quantity (≥ 1)…
    #[arg(long, value_name = "FACTOR")]
    pub max_increase_factor: Option<f64>,
    /// …and by at least this many units.
    #[arg(long, value_name = "UNITS")]
    pub min_increase_units: Option<i64>,
    #[arg(long)]
    pub json: bool,
}

/// Changes what was given (all checked before anything is written), then prints the settings.
pub fn run(ctx: &AppContext, args: &SettingsArgs) -> Result<(), ApiError> {
    let mut view = app::settings::get(ctx)?;
    let changing = args.max_decrease_percent.is_some()
        || args.max_increase_factor.is_some()
        || args.min_increase_units.is_some();
    if let Some(p) = args.max_decrease_percent {
        view.max_decrease_share = p / 100.0;
    }
    if let Some(f) = args.max_increase_factor {
        view.max_increase_factor = f;
    }
    if let Some(u) = args.min_increase_units {
        view.min_increase_units = u;
    }
    if changing {
        view = app::settings::save(ctx, &view)?;
    }
    if args.json {
        return print_json(&view);
    }
    println!(
        "Daily sync:         {}{}",
        view.daily_sync_time,
        if view.daily_sync_paused {
            " (paused)"
        } else {
            ""
        }
    );
    println!(
        "Held for approval:  decreases over {:.0} %, increases to more than {}× and by {}+ units",
        view.max_decrease_share * 100.0,
        view.max_increase_factor,
        view.min_increase_units
    );
    println!(
        "Notify on success:  {}",
        if view.notify_success { "yes" } else { "no" }
    );
    Ok(())
}
