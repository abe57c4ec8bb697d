//! Writes the PSA accepted but does not show yet (journal outcome `awaiting`): an Autotask
//! adjustment answered with its `itemId` while the units still read the old value — how soon
//! units reflect an adjustment is UNCONFIRMED (Autotask reference §4.7), so the sync is right
//! either way:
//!
//! - an awaiting change is never sent again by any run: the planner counts it as made (see
//!   [`AwaitingChange`]), so nothing is re-posted while the PSA catches up;
//! - each run re-reads its line first ([`super::resume`]): once the line holds the target it is
//!   `applied`; if it still does not after [`ATTENTION_AFTER`] it needs the operator's attention
//!   (notification, History) — never an automatic re-post;
//! - once a connector has shown such a lag, a lost answer followed by an unchanged read is no
//!   longer proof that nothing landed: the client does not resend it, and a write an interrupted
//!   run left unconfirmed waits the same way ([`lag_seen`]).

use std::collections::HashMap;

use chrono::{DateTime, Duration, Utc};
use rusqlite::Connection;

use super::resume::items_with_outcome;
use crate::model::{CompanyRef, ConnectorId, ProductRef};
use crate::store::runs::{self, ItemOutcome, RunItem};
use crate::store::{settings, StoreError};

/// How long an accepted change may stay invisible before the operator is told.
pub const ATTENTION_AFTER: Duration = Duration::hours(24);

/// The reason an awaiting item gets once it needs the operator (its first words mark it).
pub const ATTENTION_PREFIX: &str = "Needs attention:";

/// An accepted change that the PSA does not show yet, as the planner sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AwaitingChange {
    pub item_id: i64,
    /// The journal's line reference (`contract 1 / contract service 2`).
    pub line_ref: Option<String>,
    pub before: i64,
    pub after: i64,
    /// The PSA's id of the accepted write (Autotask adjustment `itemId`), when it answered.
    pub request_id: Option<String>,
    pub since: DateTime<Utc>,
}

fn lag_key(connector: ConnectorId) -> String {
    format!("units_lag_seen:{}", connector.0)
}

/// Whether this connector's PSA has been seen to accept a write before showing it.
pub fn lag_seen(conn: &Connection, connector: ConnectorId) -> Result<bool, StoreError> {
    Ok(settings::get_bool(conn, &lag_key(connector))?.unwrap_or(false))
}

/// Remembers that this connector's PSA showed a lag (kept for good: a tenant that lagged once
/// may lag again).
pub fn record_lag(conn: &Connection, connector: ConnectorId) -> Result<(), StoreError> {
    settings::set_bool(conn, &lag_key(connector), true)
}

/// Items of `connector` still awaiting the PSA, with when their run started, oldest first.
pub fn awaiting_items(
    conn: &Connection,
    connector: ConnectorId,
) -> Result<Vec<(RunItem, DateTime<Utc>)>, StoreError> {
    let mut out = Vec::new();
    for (run_id, items) in items_with_outcome(conn, connector, ItemOutcome::Awaiting, false)? {
        let Some(run) = runs::get(conn, run_id)? else {
            continue;
        };
        out.extend(items.into_iter().map(|i| (i, run.started_at)));
    }
    Ok(out)
}

/// The awaiting changes by (company, product), for the planner.
pub fn by_pair(
    items: &[(RunItem, DateTime<Utc>)],
) -> HashMap<(CompanyRef, ProductRef), AwaitingChange> {
    let mut out = HashMap::new();
    for (i, since) in items {
        let (Some(company), Some(product), Some(before), Some(after)) = (
            i.item.company_id,
            i.item.product_id,
            i.item.before_qty,
            i.item.after_qty,
        ) else {
            continue;
        };
        out.insert(
            (company, product),
            AwaitingChange {
                item_id: i.id,
                line_ref: i.item.line_ref.clone(),
                before,
                after,
                request_id: i.request_id.clone(),
                since: *since,
            },
        );
    }
    out
}

/// Whether an awaiting item's reason already marks it as needing attention.
pub fn needs_attention(reason: Option<&str>) -> bool {
    reason.is_some_and(|r| r.starts_with(ATTENTION_PREFIX))
}

/// Records the operator's finding for an item awaiting the PSA (or left unconfirmed): `landed`
/// → applied; otherwise failed, so the next run plans the change again from a fresh read. Its
/// run's counts are recounted. Refuses items that are not awaiting or pending.
pub fn settle(
    conn: &Connection,
    item_id: i64,
    landed: bool,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let found: Option<(i64, String)> = conn
        .query_row(
            "SELECT run_id, outcome FROM sync_run_items WHERE id = ?1",
            [item_id],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .ok();
    let Some((run_id, outcome)) = found else {
        return Err(StoreError::not_found(format!("Sync run item {item_id}")));
    };
    if outcome != ItemOutcome::Awaiting.as_str() && outcome != ItemOutcome::Pending.as_str() {
        return Err(StoreError::Invalid(format!(
            "Item {item_id} is {outcome}, not awaiting the PSA: there is nothing to settle"
        )));
    }
    let (outcome, reason) = if landed {
        (
            ItemOutcome::Applied,
            "Settled by the operator: the change shows in the PSA",
        )
    } else {
        (
            ItemOutcome::Failed,
            "Settled by the operator: the change never landed; the next run plans it from a fresh read",
        )
    };
    let update = runs::OutcomeUpdate {
        outcome,
        reason: Some(reason),
        request_id: None,
        line_ref: None,
    };
    runs::set_item_outcome(conn, item_id, &update, now)?;
    runs::recount(conn, run_id)
}
