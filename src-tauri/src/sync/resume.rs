//! Resume after a crash or kill: runs run under the sync lock, so at its start no other sync can
//! be going on anywhere and every run still marked `running` was cut short — it is closed as
//! `interrupted`. Its items left `pending` (journaled before the PSA call whose answer never
//! came) are then resolved by re-reading the PSA: the fresh read decides, a delta is never
//! re-applied blindly.
//!
//! - The line now holds the item's target → `applied` (the write landed).
//! - It still holds the item's starting quantity → `failed` (the write never landed; the new
//!   plan, made from the same fresh read, makes the change if it is still wanted).
//! - It holds something else → `failed`, saying so: someone else changed it, and the new plan
//!   starts from what the PSA holds.
//! - No single line can be read for it → stays `pending` with the reason, checked again by the
//!   next run.
//!
//! The runs those items belong to are then counted again, so History shows what became of them.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};

use super::SyncError;
use crate::model::ConnectorId;
use crate::psa::{BillingState, LineLookup, Psa};
use crate::store::runs::{self, ItemOutcome, NewItem, OutcomeUpdate, RunItem};
use crate::store::{Store, StoreError};

/// What a recovery did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Recovery {
    /// Runs found `running` and closed as `interrupted`.
    pub interrupted_runs: Vec<i64>,
    pub confirmed: u32,
    pub not_applied: u32,
    pub unresolved: u32,
}

/// Items left `pending` by finished runs of `connector`, oldest first.
///
/// The store has no query for this yet; it lives here until `store::runs` grows a
/// `pending_items` reader.
pub fn pending_items(
    conn: &Connection,
    connector: ConnectorId,
) -> Result<Vec<RunItem>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT DISTINCT i.run_id FROM sync_run_items i JOIN sync_runs r ON r.id = i.run_id
         WHERE r.connector_id = ?1 AND r.status <> 'running' AND i.outcome = 'pending'
         ORDER BY i.run_id",
    )?;
    let run_ids = stmt
        .query_map(params![connector.0], |r| r.get::<_, i64>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    let mut out = Vec::new();
    for run_id in run_ids {
        out.extend(
            runs::items(conn, run_id)?
                .into_iter()
                .filter(|i| i.item.outcome == ItemOutcome::Pending),
        );
    }
    Ok(out)
}

/// What a fresh read says about one pending item: the outcome it gets and why.
pub fn resolution(item: &NewItem, current: &BillingState) -> (ItemOutcome, String) {
    let unresolved = |why: String| {
        (
            ItemOutcome::Pending,
            format!(
                "Could not be confirmed after the interruption ({why}); check this line in the PSA"
            ),
        )
    };
    let (Some(company), Some(product), Some(after)) =
        (item.company_id, item.product_id, item.after_qty)
    else {
        return unresolved("the journal does not say which line or quantity".into());
    };
    let line = match current.lines.get(&(company, product)) {
        Some(LineLookup::One { line }) => line,
        Some(LineLookup::Many { lines }) => {
            return unresolved(format!("{} lines now bill this product", lines.len()))
        }
        Some(LineLookup::None { reason } | LineLookup::Unreadable { reason }) => {
            return unresolved(reason.clone())
        }
        None => return unresolved("the PSA returned nothing for it".into()),
    };
    if item
        .line_ref
        .as_deref()
        .is_some_and(|r| r != line.key.describe())
    {
        return unresolved(format!(
            "the product is now billed on another line, {}",
            line.key.describe()
        ));
    }
    let now = line.quantity;
    if now == after {
        (
            ItemOutcome::Applied,
            format!("Confirmed after the interruption: the PSA holds {after}"),
        )
    } else if Some(now) == item.before_qty {
        (
            ItemOutcome::Failed,
            format!(
                "Not applied: after the interruption the PSA still holds {now}; the next run \
                 plans from that fresh read"
            ),
        )
    } else {
        (
            ItemOutcome::Failed,
            format!(
                "Not confirmed: after the interruption the PSA holds {now} (expected {after}, \
                 was {}); it was changed elsewhere, and the next run plans from {now}",
                item.before_qty
                    .map_or_else(|| "unknown".into(), |b| b.to_string())
            ),
        )
    }
}

/// Closes cut-short runs and resolves the pending items of `connector`. Call only while holding
/// the [`super::lock::SyncLock`].
pub async fn recover<P: Psa>(
    store: &Store,
    psa: &P,
    connector: ConnectorId,
    now: DateTime<Utc>,
) -> Result<Recovery, SyncError> {
    let (interrupted_runs, pending) = {
        let conn = store.conn()?;
        let interrupted = runs::mark_interrupted(&conn, now)?;
        (interrupted, pending_items(&conn, connector)?)
    };
    let mut rec = Recovery {
        interrupted_runs,
        ..Recovery::default()
    };
    if pending.is_empty() {
        return Ok(rec);
    }
    let companies: BTreeSet<_> = pending.iter().filter_map(|i| i.item.company_id).collect();
    let products: BTreeSet<_> = pending.iter().filter_map(|i| i.item.product_id).collect();
    let companies: Vec<_> = companies.into_iter().collect();
    let products: Vec<_> = products.into_iter().collect();
    let current = psa
        .read_billing(&companies, &products)
        .await
        .map_err(SyncError::Resume)?;
    let conn = store.conn()?;
    for pending_item in &pending {
        let (outcome, reason) = resolution(&pending_item.item, &current);
        match outcome {
            ItemOutcome::Applied => rec.confirmed += 1,
            ItemOutcome::Failed => rec.not_applied += 1,
            _ => rec.unresolved += 1,
        }
        tracing::info!(
            item = pending_item.id,
            run = pending_item.run_id,
            ?outcome,
            "resolved a pending sync item"
        );
        let update = OutcomeUpdate {
            outcome,
            reason: Some(&reason),
            request_id: None,
            line_ref: None,
        };
        runs::set_item_outcome(&conn, pending_item.id, &update, now)?;
    }
    // The runs those items belong to show the settled counts in History.
    let settled: BTreeSet<i64> = pending.iter().map(|i| i.run_id).collect();
    for run_id in settled {
        runs::recount(&conn, run_id)?;
    }
    Ok(rec)
}
