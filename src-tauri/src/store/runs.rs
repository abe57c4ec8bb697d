//! `sync_runs` and `sync_run_items`: the audit journal of every sync. A run is created `running`,
//! gets one item per (workspace, service) the plan looked at, each item's outcome is recorded as
//! apply goes (`pending` is written *before* the PSA call, so a crash leaves an honest "may or may
//! not have been applied"), and the run is finished with totals counted from its items.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

use super::columns::{get_enum, get_opt_ts, get_ts, text_enum, ts};
use super::{write, StoreError};
use crate::model::{CompanyRef, ConnectorId, LastSync, ProductRef, WorkspaceId};

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
        },
        request_id: row.get(13)?,
        updated_at: get_ts(row, 14)?,
    })
}

/// Starts a run (`running`) and returns its id.
pub fn create(
    conn: &Connection,
    connector: ConnectorId,
    trigger: RunTrigger,
    dry_run: bool,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    write(conn, |tx| {
        super::connectors::require(tx, connector)?;
        tx.execute(
            "INSERT INTO sync_runs (connector_id, trigger, dry_run, status, started_at)
             VALUES (?1, ?2, ?3, 'running', ?4)",
            params![connector.0, trigger.as_str(), dry_run, ts(now)],
        )?;
        Ok(tx.last_insert_rowid())
    })
}

fn require_running(conn: &Connection, run_id: i64) -> Result<(), StoreError> {
    let run =
        get(conn, run_id)?.ok_or_else(|| StoreError::not_found(format!("Sync run {run_id}")))?;
    if run.status != RunStatus::Running {
        return Err(StoreError::Conflict(format!(
            "Sync run {run_id} is already finished ({}); start a new run",
            run.status
        )));
    }
    Ok(())
}

/// Adds the plan's items to a running run, all or none; returns their ids in order.
pub fn add_items(
    conn: &Connection,
    run_id: i64,
    items: &[NewItem],
    now: DateTime<Utc>,
) -> Result<Vec<i64>, StoreError> {
    write(conn, |tx| {
        require_running(tx, run_id)?;
        let mut stmt = tx.prepare(
            "INSERT INTO sync_run_items
               (run_id, workspace_id, workspace_name, service_key, company_id, product_id, line_ref,
                action, before_qty, after_qty, outcome, reason, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
        )?;
        let now = ts(now);
        let mut ids = Vec::with_capacity(items.len());
        for it in items {
            stmt.execute(params![
                run_id,
                it.workspace_id.0,
                it.workspace_name,
                it.service_key,
                it.company_id.map(|c| c.0),
                it.product_id.map(|p| p.0),
                it.line_ref,
                it.action.as_str(),
                it.before_qty,
                it.after_qty,
                it.outcome.as_str(),
                it.reason,
                now,
            ])?;
            ids.push(tx.last_insert_rowid());
        }
        Ok(ids)
    })
}

/// Records what became of one item.
pub fn set_item_outcome(
    conn: &Connection,
    item_id: i64,
    update: &OutcomeUpdate<'_>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let changed = conn.execute(
        "UPDATE sync_run_items SET outcome = ?2, reason = coalesce(?3, reason),
           request_id = coalesce(?4, request_id), line_ref = coalesce(?5, line_ref), updated_at = ?6
         WHERE id = ?1",
        params![
            item_id,
            update.outcome.as_str(),
            update.reason,
            update.request_id,
            update.line_ref,
            ts(now)
        ],
    )?;
    if changed == 0 {
        return Err(StoreError::not_found(format!("Sync run item {item_id}")));
    }
    Ok(())
}

fn count_totals(conn: &Connection, run_id: i64) -> Result<RunTotals, StoreError> {
    Ok(conn.query_row(
        "SELECT coalesce(sum(action IN ('increase', 'decrease')), 0),
                coalesce(sum(outcome = 'applied'), 0),
                coalesce(sum(outcome = 'failed'), 0),
                coalesce(sum(action = 'skip' OR outcome = 'skipped'), 0),
                coalesce(sum(action = 'hold' OR outcome = 'held'), 0)
         FROM sync_run_items WHERE run_id = ?1",
        [run_id],
        |r| {
            Ok(RunTotals {
                planned: r.get(0)?,
                applied: r.get(1)?,
                failed: r.get(2)?,
                skipped: r.get(3)?,
                held: r.get(4)?,
            })
        },
    )?)
}

/// Finishes a running run with `status` (not `running`), counting its totals from its items.
pub fn finish(
    conn: &Connection,
    run_id: i64,
    status: RunStatus,
    error: Option<&str>,
    now: DateTime<Utc>,
) -> Result<RunRow, StoreError> {
    if status == RunStatus::Running {
        return Err(StoreError::Invalid(
            "A run cannot be finished as 'running'".into(),
        ));
    }
    write(conn, |tx| {
        require_running(tx, run_id)?;
        let t = count_totals(tx, run_id)?;
        tx.execute(
            "UPDATE sync_runs SET status = ?2, finished_at = ?3, planned = ?4, applied = ?5,
               failed = ?6, skipped = ?7, held = ?8, error = ?9
             WHERE id = ?1",
            params![
                run_id,
                status.as_str(),
                ts(now),
                t.planned,
                t.applied,
                t.failed,
                t.skipped,
                t.held,
                error
            ],
        )?;
        get(tx, run_id)?.ok_or_else(|| StoreError::not_found(format!("Sync run {run_id}")))
    })
}

pub fn get(conn: &Connection, run_id: i64) -> Result<Option<RunRow>, StoreError> {
    Ok(conn
        .query_row(
            &format!("SELECT {RUN_COLUMNS} FROM sync_runs WHERE id = ?1"),
            [run_id],
            run_from_row,
        )
        .optional()?)
}

/// A run's items in the order they were added.
pub fn items(conn: &Connection, run_id: i64) -> Result<Vec<RunItem>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT id, run_id, workspace_id, workspace_name, service_key, company_id, product_id,
                line_ref, action, before_qty, after_qty, outcome, reason, request_id, updated_at
         FROM sync_run_items WHERE run_id = ?1 ORDER BY id",
    )?;
    let rows = stmt
        .query_map([run_id], item_from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

pub fn get_with_items(conn: &Connection, run_id: i64) -> Result<Option<RunWithItems>, StoreError> {
    let Some(run) = get(conn, run_id)? else {
        return Ok(None);
    };
    Ok(Some(RunWithItems {
        items: items(conn, run_id)?,
        run,
    }))
}

/// Runs newest first, optionally for one connector, `limit` at a time; pass the last id seen as
/// `before_id` for the next page.
pub fn list(
    conn: &Connection,
    connector: Option<ConnectorId>,
    before_id: Option<i64>,
    limit: u32,
) -> Result<Vec<RunRow>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {RUN_COLUMNS} FROM sync_runs
         WHERE (?1 IS NULL OR connector_id = ?1) AND (?2 IS NULL OR id < ?2)
         ORDER BY id DESC LIMIT ?3"
    ))?;
    let rows = stmt
        .query_map(
            params![connector.map(|c| c.0), before_id, limit],
            run_from_row,
        )?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// The newest run of a connector (for "Last sync"); dry runs only when asked.
pub fn latest(
    conn: &Connection,
    connector: ConnectorId,
    include_dry_run: bool,
) -> Result<Option<RunRow>, StoreError> {
    Ok(conn
        .query_row(
            &format!(
                "SELECT {RUN_COLUMNS} FROM sync_runs WHERE connector_id = ?1 AND (?2 OR dry_run = 0)
                 ORDER BY id DESC LIMIT 1"
            ),
            params![connector.0, include_dry_run],
            run_from_row,
        )
        .optional()?)
}

/// Runs still marked `running`.
pub fn running(conn: &Connection) -> Result<Vec<RunRow>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {RUN_COLUMNS} FROM sync_runs WHERE status = 'running' ORDER BY id"
    ))?;
    let rows = stmt
        .query_map([], run_from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Marks every `running` run `interrupted` (with totals and an explanation) and returns their ids.
/// Call only when no sync can be going on in any process — at startup of the single app instance,
/// before the scheduler starts. Items left `pending` stay so: the PSA call may or may not have
/// landed.
pub fn mark_interrupted(conn: &Connection, now: DateTime<Utc>) -> Result<Vec<i64>, StoreError> {
    write(conn, |tx| {
        let ids: Vec<i64> = running(tx)?.into_iter().map(|r| r.id).collect();
        for &id in &ids {
            let pending: i64 = tx.query_row(
                "SELECT count(*) FROM sync_run_items WHERE run_id = ?1 AND outcome = 'pending'",
                [id],
                |r| r.get(0),
            )?;
            let error = if pending > 0 {
                format!(
                    "PSA Bridge stopped during this run; {pending} change(s) may or may not have \
                     been applied — check them in the PSA"
                )
            } else {
                "PSA Bridge stopped during this run".to_string()
            };
            finish(tx, id, RunStatus::Interrupted, Some(&error), now)?;
        }
        Ok(ids)
    })
}

#[cfg(test)]
#[path = "runs_tests.rs"]
mod tests;
