//! The entry points every trigger calls (daily schedule, tray, UI, CLI): [`run`] gathers, plans
//! and applies (or, dry, only records the plan); [`apply_plan`] applies a plan a preview produced.
//! Both take the single-flight lock, resume what a crashed run left behind, journal every item and
//! record the outcome on the connector's status.

use std::path::Path;

use chrono::{DateTime, Utc};

use super::apply::{apply_items, journal_items, ApplyContext, RateLimitPolicy};
use super::awaiting::{self, awaiting_items};
use super::gather::{gather, GatherError, Mappings, UsageSource};
use super::lock::SyncLock;
use super::model::{is_write, Action, Flag, Plan, Progress, RunSummary, Trigger};
use super::plan::{
    plan, PlanPolicy, DEFAULT_MAX_DECREASE_SHARE, DEFAULT_MAX_INCREASE_FACTOR,
    DEFAULT_MIN_INCREASE_UNITS,
};
use super::resume::recover;
use super::resume::Recovery;
use super::SyncError;
use crate::clock::Clock;
use crate::model::ConnectorId;
use crate::psa::{BillingState, Psa};
use crate::store::runs::{self, ItemAction, ItemOutcome, RunStatus};
use crate::store::status::{self, Outcome};
use crate::store::Store;

/// What a sync works with. `data_dir` holds the lock file (the folder of the database).
pub struct SyncEnv<'a, P, U> {
    pub store: &'a Store,
    pub data_dir: &'a Path,
    pub psa: &'a P,
    pub source: &'a U,
    pub clock: &'a dyn Clock,
}

/// The operator's safety settings for one run.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct SyncPolicy {
    /// Settings → "hold decreases larger than" (0–1).
    pub max_decrease_share: f64,
    /// Settings → hold increases to more than this factor of the current quantity…
    pub max_increase_factor: f64,
    /// …and by at least this many units.
    pub min_increase_units: i64,
    /// Apply held decreases too. Ignored for [`Trigger::Schedule`]: the daily run never does.
    pub approve_held: bool,
    pub rate_limit: RateLimitPolicy,
}

impl Default for SyncPolicy {
    fn default() -> Self {
        SyncPolicy {
            max_decrease_share: DEFAULT_MAX_DECREASE_SHARE,
            max_increase_factor: DEFAULT_MAX_INCREASE_FACTOR,
            min_increase_units: DEFAULT_MIN_INCREASE_UNITS,
            approve_held: false,
            rate_limit: RateLimitPolicy::default(),
        }
    }
}

impl SyncPolicy {
    fn approve_held(&self, trigger: Trigger) -> bool {
        self.approve_held && trigger != Trigger::Schedule
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct RunRequest {
    pub connector_id: ConnectorId,
    pub trigger: Trigger,
    /// Plan and record, write nothing to the PSA (the preview).
    pub dry_run: bool,
    pub policy: SyncPolicy,
}

/// A finished run and the plan it executed (or, dry, would execute).
#[derive(Debug, Clone, PartialEq)]
pub struct RunResult {
    pub plan: Plan,
    pub summary: RunSummary,
}

/// Gather → plan → apply (unless `dry_run`) → record. A whole side being unreadable is an `Err`
/// (after recording the run as failed); item failures are in the summary.
pub async fn run<P: Psa, U: UsageSource>(
    env: &SyncEnv<'_, P, U>,
    req: &RunRequest,
    progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<RunResult, SyncError> {
    let _lock = SyncLock::acquire(env.data_dir, req.trigger, env.clock.now())?;
    let recovery = resume(env, req.connector_id, req.dry_run).await?;
    let (connector, trigger, dry_run, now) = (
        req.connector_id,
        req.trigger.store(),
        req.dry_run,
        env.clock.now(),
    );
    let (run_id, maps) = env
        .store
        .call(move |conn| {
            let maps = Mappings::load(conn, connector)?;
            let id = runs::create(conn, connector, trigger, dry_run, now)?;
            Ok((id, maps))
        })
        .await?;
    let mut gathered = match gather(env.psa, env.source, maps).await {
        Ok(g) => g,
        Err(e) => return Err(fail_run(env, req.connector_id, run_id, req.dry_run, e).await),
    };
    let approve_held = req.policy.approve_held(req.trigger);
    let the_plan = plan_from(env, &mut gathered, &req.policy, approve_held).await?;
    // The read the plan was made from is seconds old: it is the "still current" check here.
    let summary = execute(
        env,
        &the_plan,
        run_id,
        req,
        approve_held,
        &gathered.billing,
        progress,
    )
    .await?;
    let summary = with_attention(summary, &the_plan, &recovery);
    Ok(RunResult {
        plan: the_plan,
        summary,
    })
}

/// The plan of what was just gathered, counting the changes still awaiting the PSA as made.
pub(super) async fn plan_from<P: Psa, U>(
    env: &SyncEnv<'_, P, U>,
    gathered: &mut super::gather::Gathered,
    policy: &SyncPolicy,
    approve_held: bool,
) -> Result<Plan, SyncError> {
    let policy = PlanPolicy {
        max_decrease_share: policy.max_decrease_share,
        max_increase_factor: policy.max_increase_factor,
        min_increase_units: policy.min_increase_units,
        approve_held,
    };
    let connector = gathered.mappings.connector_id;
    let (awaiting, excluded, billing) = env
        .store
        .call(move |conn| {
            Ok((
                awaiting_items(conn, connector)?,
                crate::store::exclusions::list(conn, connector)?,
                super::cadence::load(conn, connector)?,
            ))
        })
        .await?;
    gathered.awaiting = awaiting::by_pair(&awaiting);
    let mut the_plan = plan(gathered, &policy, env.clock.now());
    super::create::shape(
        &mut the_plan,
        gathered,
        billing.create_missing,
        approve_held,
    );
    super::exclusions::apply(&mut the_plan, &excluded);
    super::cadence::shape(env.store, env.psa, &mut the_plan, env.clock.now()).await?;
    Ok(the_plan)
}

/// A dry run: the plan with before → after per line and totals, recorded as a dry run.
pub async fn preview<P: Psa, U: UsageSource>(
    env: &SyncEnv<'_, P, U>,
    connector_id: ConnectorId,
    trigger: Trigger,
    policy: SyncPolicy,
) -> Result<RunResult, SyncError> {
    let req = RunRequest {
        connector_id,
        trigger,
        dry_run: true,
        policy,
    };
    run(env, &req, &|_| {}).await
}

/// Applies exactly `plan` (from a preview): re-reads the PSA lines it writes and skips any whose
/// quantity changed since, applies held decreases only when `policy.approve_held` (never for
/// the schedule), and records a new run.
pub async fn apply_plan<P: Psa, U: UsageSource>(
    env: &SyncEnv<'_, P, U>,
    the_plan: &Plan,
    trigger: Trigger,
    policy: SyncPolicy,
    progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<RunSummary, SyncError> {
    let connector = the_plan.connector_id;
    let _lock = SyncLock::acquire(env.data_dir, trigger, env.clock.now())?;
    let recovery = resume(env, connector, false).await?;
    let approve_held = policy.approve_held(trigger);
    super::expiry::check(env, the_plan, &policy, approve_held).await?;
    let (stored_trigger, now) = (trigger.store(), env.clock.now());
    let run_id = env
        .store
        .call(move |conn| runs::create(conn, connector, stored_trigger, false, now))
        .await?;
    let writes: Vec<_> = the_plan
        .items
        .iter()
        .filter(|i| is_write(i.action, approve_held))
        .filter_map(|i| Some((i.company_id?, i.product_id?)))
        .collect();
    let current = if writes.is_empty() {
        BillingState::default()
    } else {
        let companies: Vec<_> = writes.iter().map(|w| w.0).collect();
        let products: Vec<_> = writes.iter().map(|w| w.1).collect();
        match env.psa.read_billing(&companies, &products).await {
            Ok(state) => state,
            Err(e) => {
                let e = GatherError::Psa(e);
                return Err(fail_run(env, connector, run_id, false, e).await);
            }
        }
    };
    let req = RunRequest {
        connector_id: connector,
        trigger,
        dry_run: false,
        policy,
    };
    let summary = execute(
        env,
        the_plan,
        run_id,
        &req,
        approve_held,
        &current,
        progress,
    )
    .await?;
    Ok(with_attention(summary, the_plan, &recovery))
}

/// What the operator must look at besides failures: workspaces that left Coro while the PSA still
/// bills them, and accepted changes the PSA still does not show after a day.
fn with_attention(mut summary: RunSummary, the_plan: &Plan, recovery: &Recovery) -> RunSummary {
    summary.attention = the_plan
        .items
        .iter()
        .filter(|i| i.flag == Some(Flag::Churn) && i.action != Action::Unchanged)
        .map(|i| {
            format!(
                "{} / {}: {}",
                i.workspace_name,
                i.service_name,
                i.reason.as_deref().unwrap_or("left Coro")
            )
        })
        .chain(recovery.attention.iter().cloned())
        .collect();
    summary
}

/// Journals the plan, applies it (unless dry), finishes the run and records the attempt.
async fn execute<P: Psa, U: UsageSource>(
    env: &SyncEnv<'_, P, U>,
    the_plan: &Plan,
    run_id: i64,
    req: &RunRequest,
    approve_held: bool,
    current: &BillingState,
    progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<RunSummary, SyncError> {
    let (items, now) = (journal_items(the_plan, approve_held), env.clock.now());
    let ids = env
        .store
        .call(move |conn| runs::add_items(conn, run_id, &items, now))
        .await?;
    let mut stopped: Option<String> = None;
    if req.dry_run {
        progress(Progress {
            run_id,
            done: 0,
            total: 0,
        });
    } else {
        super::cadence::before_apply(env.store, env.psa, req.connector_id, env.clock.now()).await?;
        let cx = ApplyContext {
            store: env.store,
            psa: env.psa,
            clock: env.clock,
            run_id,
            approve_held,
            rate_limit: req.policy.rate_limit,
            progress,
        };
        match apply_items(&cx, the_plan, &ids, current).await {
            Err(e) => {
                // Best effort: the store itself may be what failed. A run left `running` is
                // closed as interrupted by the next run, and its pending items resolved.
                let msg = e.to_string();
                let _ = finish(env.store, run_id, Some(&msg), env.clock.now()).await;
                let _ = record_attempt(env, req.connector_id, Some(msg)).await;
                return Err(e);
            }
            Ok(report) => {
                if report.awaiting > 0 {
                    let connector = req.connector_id;
                    env.store
                        .call(move |conn| awaiting::record_lag(conn, connector))
                        .await?;
                }
                stopped = report.stopped;
            }
        }
    }
    let summary = finish(env.store, run_id, stopped.as_deref(), env.clock.now()).await?;
    if !req.dry_run {
        let failure = matches!(summary.status, RunStatus::Failed | RunStatus::Partial).then(|| {
            summary
                .first_failure_reason
                .clone()
                .unwrap_or_else(|| "Some changes failed".into())
        });
        record_attempt(env, req.connector_id, failure).await?;
        super::cadence::after_run(
            env.store,
            env.psa,
            req.connector_id,
            env.clock.now(),
            summary.status,
        )
        .await?;
    }
    Ok(summary)
}

/// Closes cut-short runs and resolves their pending items. A failure is recorded as a failed
/// attempt (unless dry), so the daily catch-up does not retry it in a tight loop.
async fn resume<P: Psa, U: UsageSource>(
    env: &SyncEnv<'_, P, U>,
    connector: ConnectorId,
    dry_run: bool,
) -> Result<Recovery, SyncError> {
    let e = match recover(env.store, env.psa, connector, env.clock.now()).await {
        Ok(rec) => return Ok(rec),
        Err(e) => e,
    };
    if !dry_run {
        if let Err(store_err) = record_attempt(env, connector, Some(e.to_string())).await {
            tracing::warn!(error = %store_err, "could not record the failed sync attempt");
        }
    }
    Err(e)
}

/// Records the attempt for the daily catch-up: a success, or a failure with its message.
async fn record_attempt<P, U>(
    env: &SyncEnv<'_, P, U>,
    connector: ConnectorId,
    failure: Option<String>,
) -> Result<(), SyncError> {
    let now = env.clock.now();
    env.store
        .call(move |conn| {
            let outcome = failure
                .as_deref()
                .map_or(Outcome::Success, Outcome::Failure);
            status::record_attempt(conn, connector, outcome, now)
        })
        .await?;
    Ok(())
}

/// Records a run that could not read one side as failed, and hands back the error.
async fn fail_run<P, U>(
    env: &SyncEnv<'_, P, U>,
    connector: ConnectorId,
    run_id: i64,
    dry_run: bool,
    e: GatherError,
) -> SyncError {
    let msg = e.to_string();
    if let Err(store_err) = finish(env.store, run_id, Some(&msg), env.clock.now()).await {
        tracing::warn!(error = %store_err, "could not record the failed sync run");
    }
    if !dry_run {
        if let Err(store_err) = record_attempt(env, connector, Some(msg)).await {
            tracing::warn!(error = %store_err, "could not record the failed sync attempt");
        }
    }
    SyncError::Gather(e)
}

/// Finishes a run with the status its items call for; `error` forces `failed`.
pub async fn finish(
    store: &Store,
    run_id: i64,
    error: Option<&str>,
    now: DateTime<Utc>,
) -> Result<RunSummary, SyncError> {
    let error = error.map(str::to_owned);
    store
        .call(move |conn| Ok(finish_on(conn, run_id, error.as_deref(), now)))
        .await?
}

/// [`finish`] on `conn`.
fn finish_on(
    conn: &rusqlite::Connection,
    run_id: i64,
    error: Option<&str>,
    now: DateTime<Utc>,
) -> Result<RunSummary, SyncError> {
    let dry_run = runs::get(conn, run_id)?.is_some_and(|r| r.dry_run);
    let items = runs::items(conn, run_id)?;
    let count = |f: &dyn Fn(&runs::NewItem) -> bool| items.iter().filter(|i| f(&i.item)).count();
    let applied = count(&|i| i.outcome == ItemOutcome::Applied);
    let failed = count(&|i| i.outcome == ItemOutcome::Failed);
    let pending = count(&|i| i.outcome == ItemOutcome::Pending);
    let held = count(&|i| i.action == ItemAction::Hold);
    // Items skipped because a read kept failing (journaled failed with a skip action).
    let read_failed: Vec<&str> = items
        .iter()
        .filter(|i| i.item.outcome == ItemOutcome::Failed && i.item.action == ItemAction::Skip)
        .map(|i| {
            i.item
                .workspace_name
                .as_deref()
                .unwrap_or(&i.item.workspace_id.0)
        })
        .collect();
    let synced = count(&|i| i.action == ItemAction::Unchanged) + applied;
    let first_failure = items
        .iter()
        .find(|i| matches!(i.item.outcome, ItemOutcome::Failed | ItemOutcome::Pending))
        .and_then(|i| {
            let what = format!(
                "{} / {}",
                i.item
                    .workspace_name
                    .as_deref()
                    .unwrap_or(&i.item.workspace_id.0),
                i.item.service_key
            );
            i.item.reason.as_ref().map(|r| format!("{what}: {r}"))
        });
    let (status, message) = if let Some(e) = error {
        (RunStatus::Failed, Some(e.to_string()))
    } else if dry_run {
        (RunStatus::Succeeded, None)
    } else if failed + pending > 0 && failed == read_failed.len() && pending == 0 {
        let mut names = read_failed.clone();
        names.dedup();
        let status = if synced > 0 {
            RunStatus::Partial
        } else {
            RunStatus::Failed
        };
        (
            status,
            Some(format!(
                "{} item(s) skipped because a read kept failing ({}); every other customer was \
                 synced. First: {}",
                read_failed.len(),
                names.into_iter().take(5).collect::<Vec<_>>().join(", "),
                first_failure.clone().unwrap_or_default()
            )),
        )
    } else if failed + pending > 0 {
        let status = if applied > 0 {
            RunStatus::Partial
        } else {
            RunStatus::Failed
        };
        let unconfirmed = if pending > 0 {
            format!("; {pending} change(s) could not be confirmed — the next run re-reads them")
        } else {
            String::new()
        };
        (
            status,
            Some(format!(
                "{} change(s) failed{unconfirmed}. First: {}",
                failed + pending,
                first_failure.clone().unwrap_or_default()
            )),
        )
    } else if held > 0 {
        (
            RunStatus::Held,
            Some(format!(
                "{held} change(s) held for approval: review them in the preview"
            )),
        )
    } else {
        (RunStatus::Succeeded, None)
    };
    let row = runs::finish(conn, run_id, status, message.as_deref(), now)?;
    let first = error.map(str::to_string).or(first_failure);
    Ok(RunSummary::from_row(&row, &items, first))
}
