//! `psa-bridge status`: where the data lives, the Coro connection and the connectors.

use super::output::print_json;
use crate::context::AppContext;
use crate::error::ApiError;

pub fn run(ctx: &AppContext, json: bool) -> Result<(), ApiError> {
    let info = crate::app::status::app_info(ctx, false)?;
    let connectors = crate::app::status::connector_summaries(ctx)?;
    if json {
        return print_json(&serde_json::json!({ "app": info, "connectors": connectors }));
    }
    println!("PSA Bridge {}", info.version);
    println!("Data folder:      {}", info.data_dir);
    println!(
        "Coro:             {}",
        if info.coro_connected {
            "connected"
        } else {
            "not connected (psa-bridge coro connect …)"
        }
    );
    println!(
        "Daily sync:       {}",
        if info.daily_sync_paused {
            "paused"
        } else {
            "on"
        }
    );
    println!("PSA connectors:   {}", connectors.len());
    for c in &connectors {
        let zone = c
            .time_zone
            .as_deref()
            .map(|z| format!(", time zone {z}"))
            .unwrap_or_default();
        println!("  {} {} ({}{zone})", c.id, c.name, c.kind.display_name());
    }
    Ok(())
}
