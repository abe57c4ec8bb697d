//! Apply: execute exactly a [`Plan`], journaling each write.
//!
//! Per write, in this order: check the line still holds the quantity the plan was made from
//! (else skip it with a reason — never overwrite a change made since the preview); journal the
//! item `pending`; call the PSA; journal `applied` (with the PSA's request id) or `failed`. A
//! write whose result is unknown stays `pending`: the next run re-reads the PSA and resolves it
//! (see [`super::resume`]). One item failing never stops the others.
//!
//! Rate limits: the PSA clients already retry 429s with back-off. An item that still fails with
//! `RateLimited` is marked failed ("the next run retries it") and apply pauses for the server's
//! Retry-After (capped) before the next write. After [`RateLimitPolicy::trip_after`] such items
//! in a row the PSA is clearly saturated: the remaining writes are marked failed without being
//! attempted, so a storm ends the run in minutes instead of hammering the PSA for hours. Every
//! write sets an absolute quantity from a fresh read, so the next run picks them up safely.

use std::sync::atomic::{AtomicU32, Ordering};
use std::time::Duration;

use chrono::{DateTime, Utc};

use super::model::{is_write, Action, Flag, Plan, PlanItem, Progress};
use super::SyncError;
use crate::clock::Clock;
use crate::psa::{BillingLine, BillingState, LineLookup, Psa, PsaError, WriteReceipt};
use crate::store::runs::{self, ItemAction, ItemOutcome, NewItem, OutcomeUpdate};
use crate::store::{SharedConn, Store};

/// How apply treats a PSA that keeps answering "too many requests".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RateLimitPolicy {
    /// Pause after a rate-limited item when the PSA gave no Retry-After.
    pub default_pause: Duration,
    /// Upper bound of any pause.
    pub max_pause: Duration,
    /// Consecutive rate-limited items after which the remaining writes are not attempted.
    pub trip_after: u32,
}

impl Default for RateLimitPolicy {
    fn default() -> Self {
        RateLimitPolicy {
            default_pause: Duration::from_secs(30),
            max_pause: Duration::from_secs(120),
            trip_after: 3,
        }
    }
}

/// The journal rows of a plan. Outcomes start as `planned` (`skipped` / `held` for those
/// actions); a held decrease the operator approved is journaled as the decrease it becomes.
pub fn journal_items(plan: &Plan, approve_held: bool) -> Vec<NewItem> {
    plan.items
        .iter()
        .map(|item| {
            let (action, reason) = match item.action {
                Action::Hold if approve_held => (
                    if item.after > item.before {
                        ItemAction::Increase
                    } else {
                        ItemAction::Decrease
                    },
                    Some(format!(
                        "Held change approved by the operator ({})",
                        item.reason.as_deref().unwrap_or("over the limit")
                    )),
                ),
                a => (a.store(), item.reason.clone()),
            };
            let outcome = match action {
                // A read that kept failing is a failure of this run, not a choice: the run ends
                // partial and says so.
                ItemAction::Skip if item.flag == Some(Flag::ReadFailed) => ItemOutcome::Failed,
                ItemAction::Skip => ItemOutcome::Skipped,
                ItemAction::Hold => ItemOutcome::Held,
                _ => ItemOutcome::Planned,
            };
            NewItem {
                workspace_id: item.workspace_id.clone(),
                workspace_name: Some(item.workspace_name.clone()),
                service_key: item.service_key.clone(),
                company_id: item.company_id,
                product_id: item.product_id,
                line_ref: item.line_ref.clone(),
                action,
                before_qty: item.before,
                after_qty: item.after,
                outcome,
                reason,
                cause: item.cause,
            }
        })
        .collect()
}

/// The line to write, if it still is what the plan was made from.
pub fn still_current(item: &PlanItem, current: &BillingState) -> Result<BillingLine, String> {
    let (Some(planned), Some(company), Some(product)) =
        (&item.line, item.company_id, item.product_id)
    else {
        return Err("The plan has no PSA line for this item; preview again".into());
    };
    match current.lines.get(&(company, product)) {
        Some(LineLookup::One { line }) if line.key != planned.key => Err(format!(
            "The PSA line changed since the preview (now {}); not written — preview again",
            line.key.describe()
        )),
        Some(LineLookup::One { line }) if Some(line.quantity) != item.before => Err(format!(
            "The PSA quantity changed since the preview ({} then, {} now); not overwritten — \
             preview again",
            item.before
                .map_or_else(|| "unknown".into(), |b| b.to_string()),
            line.quantity
        )),
        Some(LineLookup::One { line }) => Ok(line.clone()),
        Some(LineLookup::Many { lines }) => Err(format!(
            "{} PSA lines now bill this product for this company; not written — preview again",
            lines.len()
        )),
        Some(LineLookup::None { reason }) => Err(format!(
            "The PSA line is gone since the preview ({reason}); not written"
        )),
        Some(LineLookup::Unreadable { reason }) => Err(format!(
            "The PSA line could not be re-read ({reason}); not written — the next run tries again"
        )),
        None => Err("The PSA line could not be re-read; not written — preview again".into()),
    }
}

/// What one finished write becomes in the journal.
pub(super) fn outcome_of(
    after: i64,
    result: &Result<WriteReceipt, PsaError>,
) -> (ItemOutcome, Option<String>, Option<String>) {
    match result {
        Ok(r) if r.quantity == after => (ItemOutcome::Applied, None, r.request_id.clone()),
        Ok(r) => (
            ItemOutcome::Pending,
            Some(format!(
                "The PSA reports {} after writing {after}; the next run re-reads the line before \
                 doing anything",
                r.quantity
            )),
            r.request_id.clone(),
        ),
        Err(PsaError::OutcomeUnknown(m)) => (
            ItemOutcome::Pending,
            Some(format!(
                "{m} (the next run re-reads the line and never re-sends blindly)"
            )),
            None,
        ),
        Err(PsaError::RateLimited { message, .. }) => (
            ItemOutcome::Failed,
            Some(format!(
                "The PSA kept rate-limiting after retries ({message}); not applied — the next run \
                 retries it"
            )),
            None,
        ),
        Err(
            PsaError::Awaiting {
                message,
                request_id,
            }
            | PsaError::LandedElsewhere {
                message,
                request_id,
            },
        ) => (
            ItemOutcome::Awaiting,
            Some(message.clone()),
            request_id.clone(),
        ),
        Err(
            e @ (PsaError::Rejected { request_id, .. }
            | PsaError::Remote { request_id, .. }
            | PsaError::Diverged { request_id, .. }),
        ) => (ItemOutcome::Failed, Some(e.to_string()), request_id.clone()),
        Err(e) => (ItemOutcome::Failed, Some(e.to_string()), None),
    }
}

/// Everything apply needs besides the plan.
pub struct ApplyContext<'a, P> {
    pub store: &'a Store,
    pub psa: &'a P,
    pub clock: &'a dyn Clock,
    pub run_id: i64,
    pub approve_held: bool,
    pub rate_limit: RateLimitPolicy,
    pub progress: &'a (dyn Fn(Progress) + Send + Sync),
}

/// Journals one item's outcome (on a blocking thread: it waits on the disk).
async fn record(
    conn: &SharedConn,
    id: i64,
    outcome: ItemOutcome,
    reason: Option<&str>,
    request_id: Option<&str>,
    now: DateTime<Utc>,
) -> Result<(), SyncError> {
    let reason = reason.map(str::to_owned);
    let request_id = request_id.map(str::to_owned);
    conn.call(move |conn| {
        let update = OutcomeUpdate {
            outcome,
            reason: reason.as_deref(),
            request_id: request_id.as_deref(),
            line_ref: None,
        };
        runs::set_item_outcome(conn, id, &update, now)
    })
    .await?;
    Ok(())
}

/// `items` split into a first batch of one, then batches of `size`.
fn batches<T>(items: &[T], size: usize) -> impl Iterator<Item = &[T]> {
    let (first, rest) = items.split_at(items.len().min(1));
    std::iter::once(first)
        .filter(|b| !b.is_empty())
        .chain(rest.chunks(size.max(1)))
}

/// What apply saw besides each item's outcome.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ApplyReport {
    /// Writing stopped for the connector because a verification showed a movement other than
    /// the change sent ([`PsaError::Diverged`]): what was seen. The run fails with it.
    pub stopped: Option<String>,
    /// Writes the PSA accepted but does not show yet ([`ItemOutcome::Awaiting`]).
    pub awaiting: u32,
}

/// Applies the writes of `plan` whose journal rows are `item_ids` (same order as the items),
/// checking each against `current` (a read taken after the plan was made, or the read the plan
/// was made from). A journal write failing stops apply before the next PSA call: a write is
/// never made without its `pending` row.
pub async fn apply_items<P: Psa>(
    cx: &ApplyContext<'_, P>,
    plan: &Plan,
    item_ids: &[i64],
    current: &BillingState,
) -> Result<ApplyReport, SyncError> {
    let mut report = ApplyReport::default();
    if item_ids.len() != plan.items.len() {
        return Err(SyncError::Invalid(format!(
            "The journal has {} items for a plan of {}",
            item_ids.len(),
            plan.items.len()
        )));
    }
    let conn = cx.store.shared().await?;
    let total = u32::try_from(plan.writes(cx.approve_held)).unwrap_or(u32::MAX);
    let mut done = 0u32;
    (cx.progress)(Progress {
        run_id: cx.run_id,
        done,
        total,
    });
    let mut rate_limited_in_a_row = 0u32;
    let writes: Vec<(&PlanItem, i64)> = plan
        .items
        .iter()
        .zip(item_ids.iter().copied())
        .filter(|(item, _)| is_write(item.action, cx.approve_held))
        .collect();
    // Creates (issue 14) go one at a time after the quantity writes: see `super::create`.
    let (creates, writes): (Vec<_>, Vec<_>) = writes
        .into_iter()
        .partition(|(item, _)| super::create::is_create(item));
    // Writes go out in batches of the PSA's choosing (ConnectWise: as many as it allows in flight;
    // Autotask: enough to check them with one read before and one after); each is journaled
    // `pending` before its batch is sent, and its outcome is recorded as soon as the batch returns.
    // The first write goes alone: its verification (the exact change, on the right day) is seen
    // before any other write is sent, so a PSA that behaves otherwise stops the run after one.
    for batch in batches(&writes, cx.psa.write_batch()) {
        // The journal rows of the writes sent in this batch, and the writes themselves.
        let mut sending: Vec<i64> = Vec::new();
        let mut requests: Vec<(BillingLine, i64)> = Vec::new();
        for &(item, id) in batch {
            if let Some(seen) = &report.stopped {
                let why = format!(
                    "Not sent: PSA Bridge stopped writing for this connector after a change did not \
                     verify ({seen})"
                );
                record(
                    &conn,
                    id,
                    ItemOutcome::Failed,
                    Some(&why),
                    None,
                    cx.clock.now(),
                )
                .await?;
            } else if rate_limited_in_a_row >= cx.rate_limit.trip_after {
                let why = "Not attempted: the PSA kept answering 'too many requests', so the \
                           remaining changes were left for the next run";
                record(
                    &conn,
                    id,
                    ItemOutcome::Failed,
                    Some(why),
                    None,
                    cx.clock.now(),
                )
                .await?;
            } else {
                match (still_current(item, current), item.after) {
                    (Err(why), _) => {
                        record(
                            &conn,
                            id,
                            ItemOutcome::Skipped,
                            Some(&why),
                            None,
                            cx.clock.now(),
                        )
                        .await?;
                    }
                    (Ok(_), None) => {
                        let why = "The plan has no target quantity for this item; not written";
                        record(
                            &conn,
                            id,
                            ItemOutcome::Skipped,
                            Some(why),
                            None,
                            cx.clock.now(),
                        )
                        .await?;
                    }
                    (Ok(line), Some(after)) => {
                        record(&conn, id, ItemOutcome::Pending, None, None, cx.clock.now()).await?;
                        sending.push(id);
                        requests.push((line, after));
                        continue;
                    }
                }
            }
            done += 1;
            (cx.progress)(Progress {
                run_id: cx.run_id,
                done,
                total,
            });
        }
        // Progress moves as each write's request returns, not only when its batch is checked.
        let sent = AtomicU32::new(0);
        let base = done;
        let on_sent = |_: usize| {
            let n = sent.fetch_add(1, Ordering::SeqCst) + 1;
            (cx.progress)(Progress {
                run_id: cx.run_id,
                done: base + n,
                total,
            });
        };
        let results = if requests.is_empty() {
            Vec::new()
        } else {
            cx.psa.set_quantities(&requests, &on_sent).await
        };
        if results.len() != sending.len() {
            // A PSA answering for a different number of writes cannot be matched to the journal:
            // the writes stay `pending`, and the next run settles them by re-reading.
            return Err(SyncError::Invalid(format!(
                "The PSA answered {} results for {} writes; the writes stay pending and the next \
                 run re-reads them",
                results.len(),
                sending.len()
            )));
        }
        let mut pause: Option<Duration> = None;
        for ((id, (_, after)), result) in sending.iter().zip(&requests).zip(results) {
            let (outcome, reason, request_id) = outcome_of(*after, &result);
            if outcome == ItemOutcome::Awaiting {
                report.awaiting += 1;
            }
            if let Err(
                PsaError::Diverged { message, .. } | PsaError::LandedElsewhere { message, .. },
            ) = &result
            {
                report.stopped.get_or_insert_with(|| message.clone());
            }
            record(
                &conn,
                *id,
                outcome,
                reason.as_deref(),
                request_id.as_deref(),
                cx.clock.now(),
            )
            .await?;
            if let Err(PsaError::RateLimited {
                retry_after_secs, ..
            }) = result
            {
                rate_limited_in_a_row += 1;
                let wait = retry_after_secs
                    .map_or(cx.rate_limit.default_pause, Duration::from_secs)
                    .min(cx.rate_limit.max_pause);
                pause = Some(pause.map_or(wait, |p| p.max(wait)));
            } else {
                rate_limited_in_a_row = 0;
            }
        }
        let batch = u32::try_from(sending.len()).unwrap_or(u32::MAX);
        done = base + batch;
        if sent.load(Ordering::SeqCst) < batch {
            // The PSA did not report every write as sent: catch progress up.
            (cx.progress)(Progress {
                run_id: cx.run_id,
                done,
                total,
            });
        }
        if let Some(pause) = pause {
            if rate_limited_in_a_row < cx.rate_limit.trip_after {
                tracing::warn!(
                    ?pause,
                    "PSA rate limit persisted; pausing before the next writes"
                );
                cx.clock.sleep(pause).await;
            }
        }
    }
    let created = super::create::apply_creates(cx, &conn, &creates, current, &mut report).await?;
    if created > 0 {
        (cx.progress)(Progress {
            run_id: cx.run_id,
            done: done + created,
            total,
        });
    }
    Ok(report)
}
