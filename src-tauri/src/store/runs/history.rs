//! Reading the run journal: one run, its items, pages of history, the latest run, runs still
//! marked `running`.

use rusqlite::{params, Connection, OptionalExtension};

use super::{item_from_row, run_from_row, RunItem, RunRow, RunWithItems, RUN_COLUMNS};
use crate::model::ConnectorId;
use crate::store::StoreError;

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
                line_ref, action, before_qty, after_qty, outcome, reason, request_id, updated_at,
                cause
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
