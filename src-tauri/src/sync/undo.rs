//! Undo a run: put back the quantities a run changed, journaled as a run of its own.
//!
//! One pass, under the sync lock: resume what a cut-short run left (so the run's own writes are
//! settled first), choose the items ([`choose`]), read the PSA lines they wrote, plan each
//! ([`plan_item`]) and — unless dry — apply that plan through the same [`apply_items`] a sync uses:
//! each write journaled `pending` first, ConnectWise setting the quantity back absolutely, Autotask
//! posting one reversing adjustment (`unitChange = before − after`, effective today) with the same
//! lost-answer, lag and verification handling as a sync.
//!
//! Only a line that still shows what the run left is written; anything else is skipped with the
//! reason ("Changed since: now 14"). A change still awaiting the PSA is never undone: it may still
//! land, and reversing it now would move the line twice. Each item is undone at most once (an
//! undo item that failed — nothing written — may be tried again); an undo run is not undone.

use std::collections::{HashMap, HashSet};

use serde::Serialize;
use ts_rs::TS;

use super::apply::{apply_items, journal_items, ApplyContext, RateLimitPolicy};
use super::awaiting::{self, awaiting_items};
use super::lock::SyncLock;
use super::model::{Action, Plan, PlanItem, PlanTotals, Progress, RunSummary, Trigger};
use super::resume::recover;
use super::run::finish;
use super::SyncError;
use crate::clock::Clock;
use crate::error::{ApiError, ErrorCode};
use crate::psa::{BillingState, LineLookup, Psa};
use crate::store::runs::{self, ItemAction, ItemOutcome, RunItem, RunRow, RunStatus};
use crate::store::undos::{self, UndoLink};
use crate::store::Store;

/// What an undo works with (no Coro: an undo only reads and writes the PSA).
pub struct UndoEnv<'a, P> {
    pub store: &'a Store,
    pub data_dir: &'a std::path::Path,
    pub psa: &'a P,
    pub clock: &'a dyn Clock,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UndoRequest {
    pub run_id: i64,
    /// Only these items of the run (journal ids from `run show`); empty: every change it made.
    pub items: Vec<i64>,
    /// Read and plan, write and record nothing (the preview).
    pub dry_run: bool,
    pub trigger: Trigger,
}

/// The undo's plan (before = what the line shows now, after = what it goes back to) and, unless
/// dry, the undo run it recorded.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct UndoOutcome {
    #[ts(type = "number")]
    pub undone_run_id: i64,
    pub plan: Plan,
    pub summary: Option<RunSummary>,
}

#[derive(Debug, thiserror::Error)]
pub enum UndoError {
    #[error(transparent)]
    Sync(#[from] SyncError),
    #[error("{0}")]
    NotFound(String),
    /// The run or an item cannot be undone; the message says why and what to do instead.
    #[error("{0}")]
    Refused(String),
}

impl From<crate::store::StoreError> for UndoError {
    fn from(e: crate::store::StoreError) -> UndoError {
        UndoError::Sync(e.into())
    }
}

impl From<UndoError> for ApiError {
    fn from(e: UndoError) -> ApiError {
        match e {
            UndoError::Sync(e) => e.into(),
            UndoError::NotFound(m) => ApiError::new(ErrorCode::NotFound, m),
            UndoError::Refused(m) => ApiError::new(ErrorCode::InvalidInput, m),
        }
    }
}

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
fn already_undone(
    store: &Store,
    run_id: i64,
) -> Result<HashMap<i64, i64>, crate::store::StoreError> {
    let conn = store.conn()?;
    let mut out = HashMap::new();
    for link in undos::undone_by(&conn, run_id)? {
        let outcomes: HashMap<i64, ItemOutcome> = runs::items(&conn, link.undo_run)?
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
    awaiting: &HashMap<(crate::model::CompanyRef, crate::model::ProductRef), i64>,
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
        before: o.after_qty,
        after: o.before_qty,
        action: Action::Skip,
        reason: None,
        flag: None,
    };
    let skip = |mut item: PlanItem, why: String| {
        item.reason = Some(why);
        item
    };
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

/// Plans (and unless dry, applies and records) the undo of a run.
pub async fn undo<P: Psa>(
    env: &UndoEnv<'_, P>,
    req: &UndoRequest,
    progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<UndoOutcome, UndoError> {
    let run = runs::get(&env.store.conn()?, req.run_id)?
        .ok_or_else(|| UndoError::NotFound(format!("Run {} does not exist", req.run_id)))?;
    let connector = run.connector_id;
    let _lock =
        SyncLock::acquire(env.data_dir, req.trigger, env.clock.now()).map_err(SyncError::from)?;
    if awaiting::lag_seen(&env.store.conn()?, connector)? {
        env.psa.assume_lagging_reads();
    }
    // The run's own unconfirmed writes are settled by re-reading before anything is chosen.
    recover(env.store, env.psa, connector, env.clock.now()).await?;
    let (chosen, awaiting) = {
        let conn = env.store.conn()?;
        let run = runs::get(&conn, req.run_id)?.unwrap_or(run);
        let items = runs::items(&conn, req.run_id)?;
        let is_undo_of = undos::undo_of(&conn, req.run_id)?.map(|l| l.undone_run);
        let done = already_undone(env.store, req.run_id)?;
        let chosen = choose(&run, &items, is_undo_of, &done, &req.items)?;
        let mine: HashSet<i64> = chosen.iter().map(|i| i.id).collect();
        let awaiting: HashMap<_, _> = awaiting_items(&conn, connector)?
            .into_iter()
            .filter(|(i, _)| !mine.contains(&i.id))
            .filter_map(|(i, _)| Some(((i.item.company_id?, i.item.product_id?), i.id)))
            .collect();
        (chosen, awaiting)
    };
    let pairs: Vec<_> = chosen
        .iter()
        .filter_map(|i| Some((i.item.company_id?, i.item.product_id?)))
        .collect();
    let current = if pairs.is_empty() {
        BillingState::default()
    } else {
        let companies: Vec<_> = pairs.iter().map(|p| p.0).collect();
        let products: Vec<_> = pairs.iter().map(|p| p.1).collect();
        env.psa
            .read_billing(&companies, &products)
            .await
            .map_err(|e| SyncError::Gather(super::GatherError::Psa(e)))?
    };
    let items: Vec<PlanItem> = chosen
        .iter()
        .map(|o| plan_item(o, &current, &awaiting))
        .collect();
    let plan = Plan {
        connector_id: connector,
        totals: PlanTotals::of(&items),
        items,
        generated_at: env.clock.now(),
    };
    if req.dry_run {
        return Ok(UndoOutcome {
            undone_run_id: req.run_id,
            plan,
            summary: None,
        });
    }
    let now = env.clock.now();
    let (undo_run, ids) = crate::store::write(&env.store.conn()?, |tx| {
        let undo_run = runs::create(tx, connector, req.trigger.store(), false, now)?;
        let ids = runs::add_items(tx, undo_run, &journal_items(&plan, false), now)?;
        let link = UndoLink {
            undo_run,
            undone_run: req.run_id,
            items: ids
                .iter()
                .copied()
                .zip(chosen.iter().map(|i| i.id))
                .collect(),
        };
        undos::record(tx, &link)?;
        Ok((undo_run, ids))
    })?;
    // A monthly connector's writes took effect from the period start: so does their reversal.
    super::cadence::before_apply(&env.store.conn()?, env.psa, connector, env.clock.now())?;
    let cx = ApplyContext {
        store: env.store,
        psa: env.psa,
        clock: env.clock,
        run_id: undo_run,
        approve_held: false,
        rate_limit: RateLimitPolicy::default(),
        progress,
    };
    let report = match apply_items(&cx, &plan, &ids, &current).await {
        Ok(r) => r,
        Err(e) => {
            // Best effort, as for a sync: a run left `running` is closed by the next one.
            let _ = finish(env.store, undo_run, Some(&e.to_string()), env.clock.now());
            return Err(e.into());
        }
    };
    if report.awaiting > 0 {
        awaiting::record_lag(&env.store.conn()?, connector)?;
    }
    let summary = finish(
        env.store,
        undo_run,
        report.stopped.as_deref(),
        env.clock.now(),
    )?;
    Ok(UndoOutcome {
        undone_run_id: req.run_id,
        plan,
        summary: Some(summary),
    })
}
