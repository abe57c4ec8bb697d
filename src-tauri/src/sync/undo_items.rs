//! Which items of a run an undo takes ([`choose`]) and what it does with each ([`plan_item`]):
//! pure functions of the journal and a fresh read, so every branch has a table test.

use std::collections::HashMap;

use super::model::{Action, PlanItem};
use super::undo::UndoError;
use crate::model::{CompanyRef, ProductRef};
use crate::psa::{BillingState, LineLookup};
use crate::store::runs::{self, ItemAction, ItemOutcome, RunItem, RunRow, RunStatus};
use crate::store::undos;

/// Whether a journal item changed (or may have changed) the PSA.
fn wrote(i: &RunItem) -> bool {
    matches!(i.item.action, ItemAction::Increase | ItemAction::Decrease)
        && matches!(
            i.item.outcome,
            ItemOutcome::Applied | ItemOutcome::Awaiting | ItemOutcome::Pending
        )
}

/// Original item id → the undo run that already took it (an undo item that failed wrote nothing,
/// so it does not count).
pub(super) fn already_undone(
    conn: &rusqlite::Connection,
    run_id: i64,
) -> Result<HashMap<i64, i64>, crate::store::StoreError> {
    let mut out = HashMap::new();
    for link in undos::undone_by(conn, run_id)? {
        let outcomes: HashMap<i64, ItemOutcome> = runs::items(conn, link.undo_run)?
            .into_iter()
            .map(|i| (i.id, i.item.outcome))
            .collect();
        for (undo_item, original) in &link.items {
            if outcomes.get(undo_item) != Some(&ItemOutcome::Failed) {
                out.entry(*original).or_insert(link.undo_run);
            }
        }
    }
    Ok(out)
}

/// The run's items to undo, or why none can be. `done`: items an earlier undo already took.
pub fn choose(
    run: &RunRow,
    items: &[RunItem],
    is_undo_of: Option<i64>,
    done: &HashMap<i64, i64>,
    asked: &[i64],
) -> Result<Vec<RunItem>, UndoError> {
    let id = run.id;
    if let Some(of) = is_undo_of {
        return Err(UndoError::Refused(format!(
            "Run {id} is the undo of run {of}; an undo is not undone — run a sync to bring the \
             quantities back to Coro's counts"
        )));
    }
    if run.dry_run {
        return Err(UndoError::Refused(format!(
            "Run {id} was a dry run: it wrote nothing to undo"
        )));
    }
    if run.status == RunStatus::Running {
        return Err(UndoError::Refused(format!(
            "Run {id} is still running; undo it once it has finished"
        )));
    }
    let by = |undo: &i64| format!("run {undo}");
    if !asked.is_empty() {
        let mut out = Vec::new();
        for want in asked {
            let Some(item) = items.iter().find(|i| i.id == *want) else {
                return Err(UndoError::NotFound(format!(
                    "Item {want} is not in run {id}; `psa-bridge run show {id}` lists its items"
                )));
            };
            if !wrote(item) {
                return Err(UndoError::Refused(format!(
                    "Item {want} of run {id} changed nothing in the PSA ({} {}): nothing to undo",
                    item.item.action, item.item.outcome
                )));
            }
            if let Some(undo) = done.get(want) {
                return Err(UndoError::Refused(format!(
                    "Item {want} of run {id} was already undone by {}",
                    by(undo)
                )));
            }
            if !out.iter().any(|i: &RunItem| i.id == *want) {
                out.push(item.clone());
            }
        }
        return Ok(out);
    }
    let written: Vec<&RunItem> = items.iter().filter(|i| wrote(i)).collect();
    if written.is_empty() {
        return Err(UndoError::Refused(format!(
            "Run {id} changed nothing in the PSA: nothing to undo"
        )));
    }
    let left: Vec<RunItem> = written
        .iter()
        .filter(|i| !done.contains_key(&i.id))
        .map(|i| (*i).clone())
        .collect();
    if left.is_empty() {
        let mut runs: Vec<i64> = done.values().copied().collect();
        runs.sort_unstable();
        runs.dedup();
        let runs: Vec<String> = runs.iter().map(by).collect();
        return Err(UndoError::Refused(format!(
            "Run {id} was already undone by {}; a run is undone only once",
            runs.join(", ")
        )));
    }
    Ok(left)
}

/// One item of the undo plan: a write back to the item's *before* where the line still shows
/// its *after*, else a skip with the reason. `awaiting`: lines with a change still awaiting the
/// PSA (any run), by (company, product).
pub fn plan_item(
    original: &RunItem,
    current: &BillingState,
    awaiting: &HashMap<(CompanyRef, ProductRef), i64>,
) -> PlanItem {
    let o = &original.item;
    let mut item = PlanItem {
        workspace_id: o.workspace_id.clone(),
        workspace_name: o
            .workspace_name
            .clone()
            .unwrap_or_else(|| o.workspace_id.0.clone()),
        service_key: o.service_key.clone(),
        service_name: crate::coro::catalog::service_info(&o.service_key).name,
        unit: None,
        company_id: o.company_id,
        company_name: None,
        product_id: o.product_id,
        product_name: None,
        line_ref: o.line_ref.clone(),
        line_name: None,
        line: None,
        new_line: None,
        before: o.after_qty,
        after: o.before_qty,
        action: Action::Skip,
        reason: None,
        flag: None,
        cause: None,
    };
    let skip = |mut item: PlanItem, why: String| {
        item.reason = Some(why);
        item
    };
    if o.before_qty.is_none() && o.after_qty.is_some() && o.line_ref.is_some() {
        return skip(
            item,
            "This change created the line (create missing lines); undo does not remove lines — \
             cancel the line in the PSA if it should not bill"
                .into(),
        );
    }
    let (Some(company), Some(product), Some(before), Some(after)) =
        (o.company_id, o.product_id, o.before_qty, o.after_qty)
    else {
        return skip(
            item,
            "The journal lacks the line or quantities of this change".into(),
        );
    };
    if o.outcome == ItemOutcome::Awaiting {
        return skip(
            item,
            format!(
                "Still awaiting the PSA{}: a change that may still land is never undone — settle \
                 it first (psa-bridge run settle {})",
                original
                    .request_id
                    .as_deref()
                    .map(|r| format!(" (adjustment {r})"))
                    .unwrap_or_default(),
                original.id
            ),
        );
    }
    if o.outcome == ItemOutcome::Pending {
        return skip(
            item,
            "Its outcome is not confirmed yet; the next sync re-reads it — undo after that".into(),
        );
    }
    if let Some(other) = awaiting.get(&(company, product)) {
        return skip(
            item,
            format!(
                "Another change to this line (item {other}) is still awaiting the PSA; not undone"
            ),
        );
    }
    match current.lines.get(&(company, product)) {
        Some(LineLookup::One { line }) if o.line_ref.as_deref() != Some(&line.key.describe()) => {
            skip(
                item,
                format!(
                    "Changed since: now billed on {}; not undone",
                    line.key.describe()
                ),
            )
        }
        Some(LineLookup::One { line }) if line.quantity != after => {
            item.before = Some(line.quantity);
            skip(
                item,
                format!(
                    "Changed since: now {} (the run left {after}); not undone",
                    line.quantity
                ),
            )
        }
        Some(LineLookup::One { line }) => {
            item.line_name = Some(line.container_name.clone());
            item.line = Some(line.clone());
            item.action = if before > after {
                Action::Increase
            } else {
                Action::Decrease
            };
            item
        }
        Some(LineLookup::Many { lines }) => skip(
            item,
            format!(
                "Changed since: {} lines now bill this product; not undone",
                lines.len()
            ),
        ),
        Some(LineLookup::None { reason }) => skip(
            item,
            format!("Changed since: the line is gone ({reason}); not undone"),
        ),
        Some(LineLookup::Unreadable { reason }) => skip(
            item,
            format!("The line could not be read ({reason}); not undone — try again later"),
        ),
        None => skip(item, "The line could not be read; not undone".into()),
    }
}
