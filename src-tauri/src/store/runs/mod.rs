//! `sync_runs` and `sync_run_items`: the audit journal of every sync. A run is created `running`,
//! gets one item per (workspace, service) the plan looked at, each item's outcome is recorded as
//! apply goes (`pending` is written *before* the PSA call, so a crash leaves an honest "may or may
//! not have been applied"), and the run is finished with totals counted from its items.

use chrono::{DateTime, Utc};
use rusqlite::Row;
use serde::{Deserialize, Serialize};

use super::columns::{get_enum, get_opt_ts, get_ts, text_enum, ts};
use crate::model::{Cause, CompanyRef, ConnectorId, LastSync, ProductRef, WorkspaceId};

mod history;
mod journal;

pub use history::{get, get_with_items, items, latest, list, running};
pub use journal::{add_items, create, finish, mark_interrupted, recount, set_item_outcome};

text_enum! {
    /// What started a run.
    RunTrigger { Schedule => "schedule", Tray => "tray", Ui => "ui", Cli => "cli" }
}

text_enum! {
    RunStatus {
        Running => "running",
        Succeeded => "succeeded",
        /// Some items applied, some failed.
        Partial => "partial",
        Failed => "failed",
        /// Stopped before applying because a safety limit held the changes for review.
        Held => "held",
        /// The app stopped while the run was going (found `running` at the next start).
        Interrupted => "interrupted",
    }
}

text_enum! {
    /// What the plan wants for one item.
    ItemAction {
        Unchanged => "unchanged", Increase => "increase", Decrease => "decrease",
        Skip => "skip", Hold => "hold",
    }
}

text_enum! {
    /// What became of one item.
    ItemOutcome {
        Planned => "planned",
        /// The PSA call was about to be made; if a run ends with this, check the PSA.
        Pending => "pending",
        /// The PSA accepted the write (its id is the item's request id) but does not show it yet:
        /// later runs re-read the line and mark it applied once it does; it is never sent again.
        Awaiting => "awaiting",
        Applied => "applied", Failed => "failed", Skipped => "skipped", Held => "held",
    }
}

/// Counts over a run's items: `planned` = increases and decreases; the others by outcome (an item
/// whose action is skip/hold counts as skipped/held too). Unchanged items count in none.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct RunTotals {
    pub planned: u32,
    pub applied: u32,
    pub failed: u32,
    pub skipped: u32,
    pub held: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunRow {
    pub id: i64,
    pub connector_id: ConnectorId,
    pub trigger: RunTrigger,
    pub dry_run: bool,
    pub status: RunStatus,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub totals: RunTotals,
    pub error: Option<String>,
}

impl RunRow {
    /// One line for the Connectors page and the tray, e.g. "2 applied, 1 failed".
    pub fn summary(&self) -> String {
        let t = &self.totals;
        if self.status == RunStatus::Running {
            return "Running…".into();
        }
        if self.dry_run {
            return format!("Dry run: {} change(s) planned", t.planned);
        }
        let mut parts = Vec::new();
        for (n, label) in [
            (t.applied, "applied"),
            (t.failed, "failed"),
            (t.held, "held"),
            (t.skipped, "skipped"),
        ] {
            if n > 0 {
                parts.push(format!("{n} {label}"));
            }
        }
        match (parts.is_empty(), &self.error) {
            (_, Some(err)) if self.status != RunStatus::Succeeded => err.clone(),
            (true, _) => "No changes needed".into(),
            (false, _) => parts.join(", "),
        }
    }

    pub fn last_sync(&self) -> LastSync {
        LastSync {
            run_id: self.id,
            started_at: ts(self.started_at),
            outcome: self.status.as_str().to_string(),
            summary: self.summary(),
        }
    }
}

/// One item as the plan produced it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NewItem {
    pub workspace_id: WorkspaceId,
    pub workspace_name: Option<String>,
    pub service_key: String,
    pub company_id: Option<CompanyRef>,
    pub product_id: Option<ProductRef>,
    /// The PSA line (agreement addition / contract service) id, when known.
    pub line_ref: Option<String>,
    pub action: ItemAction,
    pub before_qty: Option<i64>,
    pub after_qty: Option<i64>,
    pub outcome: ItemOutcome,
    pub reason: Option<String>,
    /// Why a skipped item was not written, as a kind (`None` for writes and older runs).
    pub cause: Option<Cause>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunItem {
    pub id: i64,
    pub run_id: i64,
    pub item: NewItem,
    /// The PSA's request/correlation id of the call that applied (or failed) it.
    pub request_id: Option<String>,
    pub updated_at: DateTime<Utc>,
}

/// A change to one item's outcome. `None` fields keep what is stored.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OutcomeUpdate<'a> {
    pub outcome: ItemOutcome,
    pub reason: Option<&'a str>,
    pub request_id: Option<&'a str>,
    pub line_ref: Option<&'a str>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RunWithItems {
    pub run: RunRow,
    pub items: Vec<RunItem>,
}

const RUN_COLUMNS: &str = "id, connector_id, trigger, dry_run, status, started_at, finished_at, \
                           planned, applied, failed, skipped, held, error";

fn run_from_row(row: &Row<'_>) -> rusqlite::Result<RunRow> {
    Ok(RunRow {
        id: row.get(0)?,
        connector_id: ConnectorId(row.get(1)?),
        trigger: get_enum(row, 2, RunTrigger::parse)?,
        dry_run: row.get(3)?,
        status: get_enum(row, 4, RunStatus::parse)?,
        started_at: get_ts(row, 5)?,
        finished_at: get_opt_ts(row, 6)?,
        totals: RunTotals {
            planned: row.get(7)?,
            applied: row.get(8)?,
            failed: row.get(9)?,
            skipped: row.get(10)?,
            held: row.get(11)?,
        },
        error: row.get(12)?,
    })
}

fn item_from_row(row: &Row<'_>) -> rusqlite::Result<RunItem> {
    Ok(RunItem {
        id: row.get(0)?,
        run_id: row.get(1)?,
        item: NewItem {
            workspace_id: WorkspaceId(row.get(2)?),
            workspace_name: row.get(3)?,
            service_key: row.get(4)?,
            company_id: row.get::<_, Option<i64>>(5)?.map(CompanyRef),
            product_id: row.get::<_, Option<i64>>(6)?.map(ProductRef),
            line_ref: row.get(7)?,
            action: get_enum(row, 8, ItemAction::parse)?,
            before_qty: row.get(9)?,
            after_qty: row.get(10)?,
            outcome: get_enum(row, 11, ItemOutcome::parse)?,
            reason: row.get(12)?,
            cause: row
                .get::<_, Option<String>>(15)?
                .as_deref()
                .and_then(Cause::parse),
        },
        request_id: row.get(13)?,
        updated_at: get_ts(row, 14)?,
    })
}

#[cfg(test)]
mod tests;
