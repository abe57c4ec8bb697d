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
use super::model::{Plan, PlanItem, PlanTotals, Progress, RunSummary, Trigger};
use super::resume::recover;
use super::run::finish;
use super::undo_items::{already_undone, choose, plan_item};
use super::SyncError;
use crate::clock::Clock;
use crate::error::{ApiError, ErrorCode};
use crate::psa::{BillingState, Psa};
use crate::store::runs;
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

/// Plans (and unless dry, applies and records) the undo of a run.
pub async fn undo<P: Psa>(
    env: &UndoEnv<'_, P>,
    req: &UndoRequest,
    progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<UndoOutcome, UndoError> {
    let run_id = req.run_id;
    let run = env
        .store
        .call(move |conn| runs::get(conn, run_id))
        .await?
        .ok_or_else(|| UndoError::NotFound(format!("Run {run_id} does not exist")))?;
    let connector = run.connector_id;
    let _lock =
        SyncLock::acquire(env.data_dir, req.trigger, env.clock.now()).map_err(SyncError::from)?;
    // The run's own unconfirmed writes are settled by re-reading before anything is chosen.
    recover(env.store, env.psa, connector, env.clock.now()).await?;
    let (fresh, items, is_undo_of, done, all_awaiting) = env
        .store
        .call(move |conn| {
            Ok((
                runs::get(conn, run_id)?,
                runs::items(conn, run_id)?,
                undos::undo_of(conn, run_id)?.map(|l| l.undone_run),
                already_undone(conn, run_id)?,
                awaiting_items(conn, connector)?,
            ))
        })
        .await?;
    let run = fresh.unwrap_or(run);
    let chosen = choose(&run, &items, is_undo_of, &done, &req.items)?;
    let mine: HashSet<i64> = chosen.iter().map(|i| i.id).collect();
    let awaiting: HashMap<_, _> = all_awaiting
        .into_iter()
        .filter(|(i, _)| !mine.contains(&i.id))
        .filter_map(|(i, _)| Some(((i.item.company_id?, i.item.product_id?), i.id)))
        .collect();
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
    let (trigger, journal) = (req.trigger.store(), journal_items(&plan, false));
    let originals: Vec<i64> = chosen.iter().map(|i| i.id).collect();
    let (undo_run, ids) = env
        .store
        .call(move |conn| {
            crate::store::write(conn, |tx| {
                let undo_run = runs::create(tx, connector, trigger, false, now)?;
                let ids = runs::add_items(tx, undo_run, &journal, now)?;
                let link = UndoLink {
                    undo_run,
                    undone_run: run_id,
                    items: ids.iter().copied().zip(originals).collect(),
                };
                undos::record(tx, &link)?;
                Ok((undo_run, ids))
            })
        })
        .await?;
    // A monthly connector's writes took effect from the period start: so does their reversal.
    super::cadence::before_apply(env.store, env.psa, connector, env.clock.now()).await?;
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
            let _ = finish(env.store, undo_run, Some(&e.to_string()), env.clock.now()).await;
            return Err(e.into());
        }
    };
    if report.awaiting > 0 {
        env.store
            .call(move |conn| awaiting::record_lag(conn, connector))
            .await?;
    }
    let summary = finish(
        env.store,
        undo_run,
        report.stopped.as_deref(),
        env.clock.now(),
    )
    .await?;
    Ok(UndoOutcome {
        undone_run_id: req.run_id,
        plan,
        summary: Some(summary),
    })
}
