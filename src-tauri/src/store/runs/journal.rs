//! Writing the run journal: start a run, add the plan's items, record outcomes, finish, and close
//! runs a crash left `running`.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};

use super::{get, running, NewItem, OutcomeUpdate, RunRow, RunStatus, RunTotals, RunTrigger};
use crate::model::{Cause, ConnectorId};
use crate::store::columns::ts;
use crate::store::{write, StoreError};

/// Starts a run (`running`) and returns its id.
pub fn create(
    conn: &Connection,
    connector: ConnectorId,
    trigger: RunTrigger,
    dry_run: bool,
    now: DateTime<Utc>,
) -> Result<i64, StoreError> {
    write(conn, |tx| {
        crate::store::connectors::require(tx, connector)?;
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
                action, before_qty, after_qty, outcome, reason, updated_at, cause)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14)",
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
                it.cause.map(Cause::as_str),
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

/// Counts a finished run's totals again from its items (after a later run settled some of its
/// pending items). Its status stays as it ended; a running run is left alone (`finish` counts it).
pub fn recount(conn: &Connection, run_id: i64) -> Result<(), StoreError> {
    write(conn, |tx| {
        let t = count_totals(tx, run_id)?;
        tx.execute(
            "UPDATE sync_runs SET planned = ?2, applied = ?3, failed = ?4, skipped = ?5, held = ?6
             WHERE id = ?1 AND status <> 'running'",
            params![run_id, t.planned, t.applied, t.failed, t.skipped, t.held],
        )?;
        Ok(())
    })
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
