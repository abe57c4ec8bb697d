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
//! On a connector whose PSA has shown a lag (see [`super::awaiting`]), a line still at its
//! starting quantity does not prove a write never landed: such an item waits as `awaiting`
//! instead of being re-planned. Items awaiting the PSA are re-read here on every run.
//!
//! The runs those items belong to are then counted again, so History shows what became of them.

use std::collections::BTreeSet;

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};

use super::awaiting::{
    awaiting_items, lag_seen, needs_attention, ATTENTION_AFTER, ATTENTION_PREFIX,
};
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
    /// Accepted changes the PSA still does not show (each is re-read by the next run).
    pub awaiting: u32,
    /// Accepted changes still not shown after 24 hours: what the operator must check.
    pub attention: Vec<String>,
}

/// Items of `connector` with `outcome`, grouped by run, oldest run first; `finished_only` leaves
/// out runs still `running`. Shared by the pending items here and the awaiting ones
/// ([`super::awaiting::awaiting_items`]).
pub(super) fn items_with_outcome(
    conn: &Connection,
    connector: ConnectorId,
    outcome: ItemOutcome,
    finished_only: bool,
) -> Result<Vec<(i64, Vec<RunItem>)>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT DISTINCT i.run_id FROM sync_run_items i JOIN sync_runs r ON r.id = i.run_id
         WHERE r.connector_id = ?1 AND i.outcome = ?2 AND (?3 = 0 OR r.status <> 'running')
         ORDER BY i.run_id",
    )?;
    let run_ids = stmt
        .query_map(params![connector.0, outcome.as_str(), finished_only], |r| {
            r.get::<_, i64>(0)
        })?
        .collect::<Result<Vec<_>, _>>()?;
    let mut out = Vec::new();
    for run_id in run_ids {
        let items = runs::items(conn, run_id)?
            .into_iter()
            .filter(|i| i.item.outcome == outcome)
            .collect();
        out.push((run_id, items));
    }
    Ok(out)
}

/// Items left `pending` by finished runs of `connector`, oldest first.
pub fn pending_items(
    conn: &Connection,
    connector: ConnectorId,
) -> Result<Vec<RunItem>, StoreError> {
    Ok(
        items_with_outcome(conn, connector, ItemOutcome::Pending, true)?
            .into_iter()
            .flat_map(|(_, items)| items)
            .collect(),
    )
}

/// The quantity the line of `item` holds now, or why that cannot be said.
fn line_quantity(item: &NewItem, current: &BillingState) -> Result<i64, String> {
    let (Some(company), Some(product)) = (item.company_id, item.product_id) else {
        return Err("the journal does not say which line".into());
    };
    let line = match current.lines.get(&(company, product)) {
        Some(LineLookup::One { line }) => line,
        Some(LineLookup::Many { lines }) => {
            return Err(format!("{} lines now bill this product", lines.len()))
        }
        Some(LineLookup::None { reason } | LineLookup::Unreadable { reason }) => {
            return Err(reason.clone())
        }
        None => return Err("the PSA returned nothing for it".into()),
    };
    if item
        .line_ref
        .as_deref()
        .is_some_and(|r| r != line.key.describe())
    {
        return Err(format!(
            "the product is now billed on another line, {}",
            line.key.describe()
        ));
    }
    Ok(line.quantity)
}

/// What a fresh read says about one pending item: the outcome it gets and why.
pub fn resolution(item: &NewItem, current: &BillingState) -> (ItemOutcome, String) {
    if let Some(created) = super::create::resolution(item, current) {
        return created;
    }
    let unresolved = |why: String| {
        (
            ItemOutcome::Pending,
            format!(
                "Could not be confirmed after the interruption ({why}); check this line in the PSA"
            ),
        )
    };
    let Some(after) = item.after_qty else {
        return unresolved("the journal does not say which quantity".into());
    };
    let now = match line_quantity(item, current) {
        Ok(q) => q,
        Err(why) => return unresolved(why),
    };
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

/// A pending item on a connector whose PSA has shown a lag: a line still at its starting
/// quantity does not prove the write never landed, so it waits like an accepted one.
fn pending_on_lagging(item: &NewItem, current: &BillingState) -> (ItemOutcome, String) {
    let (outcome, reason) = resolution(item, current);
    let unchanged = line_quantity(item, current).is_ok_and(|q| Some(q) == item.before_qty);
    if outcome == ItemOutcome::Failed && unchanged {
        return (
            ItemOutcome::Awaiting,
            "Not confirmed after the interruption: the PSA still shows the old quantity, but this \
             connector's PSA has shown changes late before, so it may yet appear. It is not sent \
             again: later runs re-read the line"
                .into(),
        );
    }
    (outcome, reason)
}

/// What a fresh read says about an item awaiting the PSA (accepted at `since`): `None` when it
/// stays as it is.
pub fn awaiting_resolution(
    item: &NewItem,
    reason: Option<&str>,
    since: DateTime<Utc>,
    current: &BillingState,
    now: DateTime<Utc>,
) -> Option<(ItemOutcome, String)> {
    let (Some(before), Some(after)) = (item.before_qty, item.after_qty) else {
        return None;
    };
    let held = line_quantity(item, current).ok()?;
    if held == after {
        return Some((
            ItemOutcome::Applied,
            format!("The PSA now shows the accepted change: it holds {after}"),
        ));
    }
    if held != before {
        return Some((
            ItemOutcome::Failed,
            format!(
                "While awaiting the PSA the line changed to {held} (the accepted change was {before} \
                 → {after}): it was changed elsewhere, and the next run plans from {held}. Check the \
                 line's history in the PSA"
            ),
        ));
    }
    if now - since >= ATTENTION_AFTER && !needs_attention(reason) {
        return Some((
            ItemOutcome::Awaiting,
            format!(
                "{ATTENTION_PREFIX} the PSA accepted the change {before} → {after} on {since} but still \
                 shows {before} after more than 24 hours. PSA Bridge will not send it again: check the \
                 line in the PSA, then record what you found with `psa-bridge run settle ITEM \
                 landed|not-landed`",
                since = since.format("%Y-%m-%d %H:%M UTC")
            ),
        ));
    }
    None
}

/// Closes cut-short runs, resolves the pending items of `connector` and re-reads the lines of its
/// items awaiting the PSA. A connector whose PSA has shown lagging reads before has `psa` told so
/// for the whole run. Call only while holding the [`super::lock::SyncLock`].
pub async fn recover<P: Psa>(
    store: &Store,
    psa: &P,
    connector: ConnectorId,
    now: DateTime<Utc>,
) -> Result<Recovery, SyncError> {
    let (interrupted_runs, pending, awaiting, lagging) = store
        .call(move |conn| {
            let interrupted = runs::mark_interrupted(conn, now)?;
            Ok((
                interrupted,
                pending_items(conn, connector)?,
                awaiting_items(conn, connector)?,
                lag_seen(conn, connector)?,
            ))
        })
        .await?;
    if lagging {
        psa.assume_lagging_reads();
    }
    let mut rec = Recovery {
        interrupted_runs,
        ..Recovery::default()
    };
    if pending.is_empty() && awaiting.is_empty() {
        return Ok(rec);
    }
    let all = pending.iter().chain(awaiting.iter().map(|(i, _)| i));
    let companies: BTreeSet<_> = all.clone().filter_map(|i| i.item.company_id).collect();
    let products: BTreeSet<_> = all.filter_map(|i| i.item.product_id).collect();
    let companies: Vec<_> = companies.into_iter().collect();
    let products: Vec<_> = products.into_iter().collect();
    let current = psa
        .read_billing(&companies, &products)
        .await
        .map_err(SyncError::Resume)?;
    // Decide first, then record: each decision is one item's new outcome and why.
    let mut decisions: Vec<(&RunItem, ItemOutcome, String)> = Vec::new();
    for pending_item in &pending {
        let (outcome, reason) = if lagging {
            pending_on_lagging(&pending_item.item, &current)
        } else {
            resolution(&pending_item.item, &current)
        };
        decisions.push((pending_item, outcome, reason));
    }
    for (item, since) in &awaiting {
        let reason = item.item.reason.as_deref();
        match awaiting_resolution(&item.item, reason, *since, &current, now) {
            Some((outcome, why)) => decisions.push((item, outcome, why)),
            None if needs_attention(reason) => {
                rec.attention
                    .push(describe(&item.item, reason.unwrap_or_default()));
            }
            None => rec.awaiting += 1,
        }
    }
    let mut settled: BTreeSet<i64> = BTreeSet::new();
    let mut updates: Vec<(i64, ItemOutcome, String)> = Vec::new();
    for (item, outcome, reason) in &decisions {
        match outcome {
            ItemOutcome::Applied => rec.confirmed += 1,
            ItemOutcome::Failed => rec.not_applied += 1,
            ItemOutcome::Awaiting if needs_attention(Some(reason)) => {
                rec.attention.push(describe(&item.item, reason));
            }
            ItemOutcome::Awaiting => rec.awaiting += 1,
            _ => rec.unresolved += 1,
        }
        tracing::info!(
            item = item.id,
            run = item.run_id,
            ?outcome,
            "settled an unconfirmed sync item"
        );
        updates.push((item.id, *outcome, reason.clone()));
        settled.insert(item.run_id);
    }
    store
        .call(move |conn| {
            for (id, outcome, reason) in &updates {
                let update = OutcomeUpdate {
                    outcome: *outcome,
                    reason: Some(reason),
                    request_id: None,
                    line_ref: None,
                };
                runs::set_item_outcome(conn, *id, &update, now)?;
            }
            // The runs those items belong to show the settled counts in History.
            for run_id in settled {
                runs::recount(conn, run_id)?;
            }
            Ok(())
        })
        .await?;
    Ok(rec)
}

/// "Workspace / service: reason", for notifications.
fn describe(item: &NewItem, reason: &str) -> String {
    format!(
        "{} / {}: {reason}",
        item.workspace_name
            .as_deref()
            .unwrap_or(&item.workspace_id.0),
        item.service_key
    )
}
