//! *Create missing lines* (per connector, off by default; issue 14, item 2).
//!
//! - [`shape`]: a planned item skipped because no line at all bills its product becomes a
//!   proposed *create* (flag [`Flag::Create`]) with the Coro count, on the company's one active
//!   agreement / contract; always held for approval (the operator's approval makes it an
//!   increase from nothing). With no such agreement/contract, or several, it stays skipped and
//!   says why. A count of 0 creates nothing. Pure.
//! - [`apply_creates`]: each approved create, journaled `pending` first, only if the fresh read
//!   still shows no line and the same single agreement/contract; then one create call. Never an
//!   agreement, contract or company.
//! - [`resolution`]: a create left `pending` (its answer was lost) is settled by reading: a line
//!   on that agreement/contract with the quantity → applied; no line → failed (nothing was
//!   created; the next run proposes it again, held); anything else → stays pending, for the
//!   operator to check. Never re-sent blindly.

use chrono::{DateTime, Utc};

use super::apply::{outcome_of, ApplyContext, ApplyReport};
use super::gather::Gathered;
use super::model::{Action, Flag, Plan, PlanItem, PlanTotals};
use super::SyncError;
use crate::psa::{BillingState, LineLookup, Psa, NEW_LINE_MARK};
use crate::store::runs::{self, ItemOutcome, NewItem, OutcomeUpdate};
use crate::store::SharedConn;

/// Turns the plan's "no line bills this product" items into held creates (when `on`).
pub fn shape(plan: &mut Plan, g: &Gathered, on: bool, approve_held: bool) {
    if !on {
        return;
    }
    for item in &mut plan.items {
        let (Some(company), Some(product), Some(after)) =
            (item.company_id, item.product_id, item.after)
        else {
            continue;
        };
        if item.action != Action::Skip || item.flag.is_some() {
            continue;
        }
        if !matches!(
            g.billing.lines.get(&(company, product)),
            Some(LineLookup::None { .. })
        ) {
            continue;
        }
        let Some(target) = g.billing.new_lines.get(&(company, product)) else {
            continue;
        };
        let product_name = item.product_name.clone().unwrap_or_default();
        let company_name = item.company_name.clone().unwrap_or_default();
        match target {
            Err(why) => {
                let was = item.reason.take().unwrap_or_default();
                item.reason = Some(format!("{was}. Not created: {why}"));
            }
            Ok(_) if after <= 0 => {}
            Ok(t) => {
                item.line_ref = Some(t.describe());
                item.line_name = Some(t.container_name.clone());
                item.new_line = Some(t.clone());
                item.flag = Some(Flag::Create);
                let what = format!(
                    "No line bills '{product_name}' for '{company_name}': creating one on '{}' \
                     with quantity {after}",
                    t.container_name
                );
                if approve_held {
                    item.action = Action::Increase;
                    item.reason = Some(format!("{what}, approved by the operator"));
                } else {
                    item.action = Action::Hold;
                    item.reason = Some(format!(
                        "{what} is held for approval: a new line is never created without it — \
                         approve it in the preview"
                    ));
                }
            }
        }
    }
    plan.totals = PlanTotals::of(&plan.items);
}

/// Whether a plan item is a create.
pub fn is_create(item: &PlanItem) -> bool {
    item.flag == Some(Flag::Create) && item.new_line.is_some()
}

async fn record(
    conn: &SharedConn,
    id: i64,
    outcome: ItemOutcome,
    reason: Option<String>,
    request_id: Option<String>,
    line_ref: Option<String>,
    now: DateTime<Utc>,
) -> Result<(), SyncError> {
    conn.call(move |conn| {
        let update = OutcomeUpdate {
            outcome,
            reason: reason.as_deref(),
            request_id: request_id.as_deref(),
            line_ref: line_ref.as_deref(),
        };
        runs::set_item_outcome(conn, id, &update, now)
    })
    .await?;
    Ok(())
}

/// Why the fresh read no longer allows the create, if it does not.
fn still_missing(item: &PlanItem, current: &BillingState) -> Result<(), String> {
    let (Some(t), Some(company), Some(product)) =
        (&item.new_line, item.company_id, item.product_id)
    else {
        return Err("The plan has no line to create for this item; preview again".into());
    };
    match current.lines.get(&(company, product)) {
        Some(LineLookup::None { .. }) => {}
        Some(LineLookup::One { line }) => {
            return Err(format!(
                "A line bills this product now ({}, quantity {}); nothing created — preview again",
                line.key.describe(),
                line.quantity
            ))
        }
        Some(LineLookup::Many { lines }) => {
            return Err(format!(
                "{} lines bill this product now; nothing created — preview again",
                lines.len()
            ))
        }
        Some(LineLookup::Unreadable { reason }) => {
            return Err(format!(
            "The PSA could not be re-read ({reason}); nothing created — the next run tries again"
        ))
        }
        None => return Err("The PSA could not be re-read; nothing created".into()),
    }
    match current.new_lines.get(&(company, product)) {
        Some(Ok(now)) if now.container_id == t.container_id => Ok(()),
        Some(Ok(now)) => Err(format!(
            "The company's agreement/contract is now '{}'; nothing created — preview again",
            now.container_name
        )),
        Some(Err(why)) => Err(format!("Nothing created: {why}")),
        None => Err("A line bills this product now; nothing created — preview again".into()),
    }
}

/// Creates the approved creates among `writes` (journal row ids alongside), one at a time.
pub async fn apply_creates<P: Psa>(
    cx: &ApplyContext<'_, P>,
    conn: &SharedConn,
    writes: &[(&PlanItem, i64)],
    current: &BillingState,
    report: &mut ApplyReport,
) -> Result<u32, SyncError> {
    let mut done = 0;
    for &(item, id) in writes {
        done += 1;
        if let Some(seen) = &report.stopped {
            let why =
                format!("Not created: PSA Bridge stopped writing for this connector ({seen})");
            record(
                conn,
                id,
                ItemOutcome::Failed,
                Some(why),
                None,
                None,
                cx.clock.now(),
            )
            .await?;
            continue;
        }
        let (Some(target), Some(after)) = (&item.new_line, item.after) else {
            continue;
        };
        if let Err(why) = still_missing(item, current) {
            record(
                conn,
                id,
                ItemOutcome::Skipped,
                Some(why),
                None,
                None,
                cx.clock.now(),
            )
            .await?;
            continue;
        }
        record(
            conn,
            id,
            ItemOutcome::Pending,
            None,
            None,
            None,
            cx.clock.now(),
        )
        .await?;
        let result = cx.psa.create_line(target, after).await;
        let key = result.as_ref().ok().and_then(|c| c.key.as_ref());
        let line_ref = key.map(|k| k.describe());
        let receipt = result
            .as_ref()
            .map(|c| c.receipt.clone())
            .map_err(Clone::clone);
        let (outcome, reason, request_id) = outcome_of(after, &receipt);
        let reason = match (outcome, reason) {
            (ItemOutcome::Applied, _) => Some(format!(
                "Created {} holding {after}",
                line_ref.as_deref().unwrap_or("the line")
            )),
            (_, r) => r,
        };
        record(
            conn,
            id,
            outcome,
            reason,
            request_id,
            line_ref,
            cx.clock.now(),
        )
        .await?;
    }
    Ok(done)
}

/// Whether a journal row is a create (its `line_ref` names a line still to be created).
pub fn is_create_row(item: &NewItem) -> bool {
    item.before_qty.is_none()
        && item
            .line_ref
            .as_deref()
            .is_some_and(|r| r.ends_with(NEW_LINE_MARK))
}

/// What a fresh read says about a create left `pending` (see the module docs); `None` for any
/// other item.
pub fn resolution(item: &NewItem, current: &BillingState) -> Option<(ItemOutcome, String)> {
    if !is_create_row(item) {
        return None;
    }
    let container = item.line_ref.as_deref().unwrap_or_default();
    let container = container
        .trim_end_matches(NEW_LINE_MARK)
        .trim_end_matches(" / ");
    let pending = |why: String| {
        Some((
            ItemOutcome::Pending,
            format!(
                "Could not be confirmed: {why}. Check the {container} in the PSA; PSA Bridge does \
                 not create it again"
            ),
        ))
    };
    let (Some(company), Some(product), Some(after)) =
        (item.company_id, item.product_id, item.after_qty)
    else {
        return pending("the journal does not say which line".into());
    };
    let on_container =
        |key: &crate::psa::LineKey| key.describe().starts_with(&format!("{container} /"));
    match current.lines.get(&(company, product)) {
        Some(LineLookup::One { line }) if on_container(&line.key) && line.quantity == after => {
            Some((
                ItemOutcome::Applied,
                format!(
                    "Confirmed after the lost answer: {} was created holding {after}",
                    line.key.describe()
                ),
            ))
        }
        Some(LineLookup::None { .. }) => Some((
            ItemOutcome::Failed,
            "Not created: after the lost answer no line bills the product; the next run proposes \
             it again, held for approval"
                .into(),
        )),
        Some(LineLookup::One { line }) => pending(format!(
            "a line now bills it ({}, quantity {}, expected {after})",
            line.key.describe(),
            line.quantity
        )),
        Some(LineLookup::Many { lines }) => pending(format!("{} lines now bill it", lines.len())),
        Some(LineLookup::Unreadable { reason }) => pending(reason.clone()),
        None => pending("the PSA returned nothing for it".into()),
    }
}
