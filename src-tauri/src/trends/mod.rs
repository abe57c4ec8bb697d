//! Trends: billed units and their monthly value per service and per month, from the run
//! history (the journal: `sync_runs` / `sync_run_items`). Each applied run's items say what the
//! PSA billed for a workspace × service after the run; a month shows the last known quantity of
//! every pair at its end (carried over months without a run). The journal keeps no prices, so
//! values use the unit price of each line in the connector's last reconciliation report
//! (`report::saved`); a line without one is counted in units, not valued.

pub mod aggregate;

#[cfg(test)]
mod tests;

use std::collections::HashMap;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::{CompanyRef, ConnectorId, ProductRef};

/// One service's billed units in one month.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct TrendPoint {
    pub service_key: String,
    #[ts(type = "number")]
    pub units: i64,
    /// `units × unit price` of the priced lines, in cents.
    #[ts(type = "number")]
    pub value_cents: i64,
    /// Lines counted in `units` whose price is unknown (not in `value_cents`).
    pub unpriced_lines: u32,
}

/// One calendar month (`2026-11`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct TrendMonth {
    pub month: String,
    /// Runs that month (0: the month carries the previous one's quantities).
    pub runs: u32,
    pub points: Vec<TrendPoint>,
}

/// The trends of one connector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct Trends {
    pub connector_id: ConnectorId,
    /// Display names by service key.
    pub service_names: HashMap<String, String>,
    pub months: Vec<TrendMonth>,
    /// Whether values use a report's prices (false: no report yet, so only units).
    pub priced: bool,
}

/// What one journal item says the PSA billed after its run.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Billed {
    pub run_started: DateTime<Utc>,
    pub workspace_id: String,
    pub service_key: String,
    pub line: Option<(CompanyRef, ProductRef)>,
    pub quantity: i64,
}

/// The journal's billed quantities of a connector, oldest run first (applied runs only: dry
/// runs and runs still going say nothing about what the PSA bills).
pub fn journal(
    conn: &rusqlite::Connection,
    connector: ConnectorId,
) -> Result<Vec<Billed>, crate::store::StoreError> {
    let mut stmt = conn.prepare(
        "SELECT r.started_at, i.workspace_id, i.service_key, i.company_id, i.product_id,
                i.outcome, i.before_qty, i.after_qty
         FROM sync_run_items i JOIN sync_runs r ON r.id = i.run_id
         WHERE r.connector_id = ?1 AND r.dry_run = 0 AND r.status != 'running'
         ORDER BY r.started_at, r.id, i.id",
    )?;
    let rows = stmt.query_map([connector.0], |r| {
        Ok((
            r.get::<_, String>(0)?,
            r.get::<_, String>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, Option<i64>>(3)?,
            r.get::<_, Option<i64>>(4)?,
            r.get::<_, String>(5)?,
            r.get::<_, Option<i64>>(6)?,
            r.get::<_, Option<i64>>(7)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (started, ws, key, company, product, outcome, before, after) = row?;
        let Ok(started) = DateTime::parse_from_rfc3339(&started) else {
            continue;
        };
        // What the line holds after the run: the new quantity once written (or accepted and
        // awaiting the PSA), else what it held.
        let quantity = match outcome.as_str() {
            "applied" | "awaiting" => after.or(before),
            _ => before,
        };
        let Some(quantity) = quantity else { continue };
        out.push(Billed {
            run_started: started.with_timezone(&Utc),
            workspace_id: ws,
            service_key: key,
            line: company
                .zip(product)
                .map(|(c, p)| (CompanyRef(c), ProductRef(p))),
            quantity,
        });
    }
    Ok(out)
}
