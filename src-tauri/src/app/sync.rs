//! Running syncs for the CLI, the tray, the UI and the scheduler (all through `sync::run` /
//! `sync::apply_plan`), previews kept for *Apply*, and the run history (list, detail, CSV).

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Mutex;

use serde::Serialize;
use ts_rs::TS;

use super::blocking;
use super::connectors::{client_of, require};
use super::coro::{client_of as coro_client, CoroSource};
use crate::clock::SystemClock;
use crate::context::AppContext;
use crate::error::{ApiError, ErrorCode};
use crate::model::{Cause, ConnectorId};
use crate::store::{
    self,
    runs::{ItemOutcome, RunItem, RunRow},
};
use crate::sync::{self, Action, Plan, Progress, RunSummary, SyncEnv, SyncPolicy, Trigger};

/// A preview the UI can apply: the plan and the id *Apply* names.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct PlanView {
    pub plan_id: String,
    #[serde(flatten)]
    pub plan: Plan,
}

/// One recorded item, for the run detail screen.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct RunItemView {
    /// The journal row (what `psa-bridge run settle` takes).
    #[ts(type = "number")]
    pub item_id: i64,
    pub workspace_id: String,
    pub workspace_name: Option<String>,
    pub service_key: String,
    pub service_name: String,
    #[ts(type = "number | null")]
    pub company_id: Option<i64>,
    /// From the local PSA cache, when known.
    pub company_name: Option<String>,
    #[ts(type = "number | null")]
    pub product_id: Option<i64>,
    pub product_name: Option<String>,
    pub line_ref: Option<String>,
    pub action: Action,
    #[ts(type = "number | null")]
    pub before: Option<i64>,
    #[ts(type = "number | null")]
    pub after: Option<i64>,
    /// The journal's outcome (`pending`: the PSA call was made, its result is not known yet).
    #[ts(
        type = "\"planned\" | \"pending\" | \"awaiting\" | \"applied\" | \"failed\" | \"skipped\" | \"held\""
    )]
    pub outcome: ItemOutcome,
    pub reason: Option<String>,
    /// Why a skipped item was not written, as a kind (`None` for writes and older runs).
    pub cause: Option<Cause>,
    pub request_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct RunDetail {
    pub run: RunSummary,
    pub items: Vec<RunItemView>,
    /// The run this one undoes (it is an undo run).
    #[ts(type = "number | null")]
    pub undo_of: Option<i64>,
    /// The undo runs of this run, oldest first.
    #[ts(type = "number[]")]
    pub undone_by: Vec<i64>,
}

/// Previews waiting for *Apply*, by id (kept in memory by the desktop app).
#[derive(Default)]
pub struct Previews {
    plans: Mutex<HashMap<String, Plan>>,
}

impl Previews {
    pub fn keep(&self, plan: Plan) -> PlanView {
        let plan_id = uuid::Uuid::new_v4().to_string();
        if let Ok(mut m) = self.plans.lock() {
            // Only the latest preview per connector can be applied.
            m.retain(|_, p| p.connector_id != plan.connector_id);
            m.insert(plan_id.clone(), plan.clone());
        }
        PlanView { plan_id, plan }
    }

    pub fn take(&self, plan_id: &str) -> Result<Plan, ApiError> {
        self.plans
            .lock()
            .ok()
            .and_then(|mut m| m.remove(plan_id))
            .ok_or_else(|| {
                ApiError::new(
                ErrorCode::NotFound,
                "That preview is no longer available (it was applied or replaced): preview again",
            )
            })
    }
}

pub(super) fn policy(ctx: &AppContext, approve_held: bool) -> Result<SyncPolicy, ApiError> {
    let s = super::settings::get(ctx)?;
    Ok(SyncPolicy {
        max_decrease_share: s.max_decrease_share,
        max_increase_factor: s.max_increase_factor,
        min_increase_units: s.min_increase_units,
        approve_held,
        ..SyncPolicy::default()
    })
}

/// One connector: gather → plan → apply (or only plan, `dry_run`) → record.
pub async fn run(
    ctx: &AppContext,
    connector: ConnectorId,
    trigger: Trigger,
    dry_run: bool,
    approve_held: bool,
    progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<sync::RunResult, ApiError> {
    let row = blocking(ctx, move |ctx| require(ctx, connector)).await?;
    let psa = client_of(ctx, &row).await?;
    let source = CoroSource {
        ctx,
        client: coro_client(ctx).await?,
    };
    let clock = SystemClock;
    let env = SyncEnv {
        store: &ctx.store,
        data_dir: &ctx.data_dir,
        psa: &psa,
        source: &source,
        clock: &clock,
    };
    let req = sync::RunRequest {
        connector_id: connector,
        trigger,
        dry_run,
        policy: blocking(ctx, move |ctx| policy(ctx, approve_held)).await?,
    };
    let last_before = if dry_run {
        None
    } else {
        Some(blocking(ctx, move |ctx| super::tickets::last_run_id(ctx, connector)).await?)
    };
    let result = sync::run(&env, &req, progress).await;
    match last_before {
        Some(before) => super::tickets::after_sync(ctx, &psa, connector, before, result).await,
        None => Ok(result?),
    }
}

/// Every connector, one after the other; one failing does not stop the others.
pub async fn run_all(
    ctx: &AppContext,
    trigger: Trigger,
    dry_run: bool,
    progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<Vec<(ConnectorId, Result<sync::RunResult, ApiError>)>, ApiError> {
    let ids: Vec<ConnectorId> =
        blocking(ctx, |ctx| Ok(store::connectors::list(&ctx.store.conn()?)?))
            .await?
            .into_iter()
            .map(|r| r.id)
            .collect();
    let mut out = Vec::new();
    for id in ids {
        let result = run(ctx, id, trigger, dry_run, false, progress).await;
        out.push((id, result));
    }
    Ok(out)
}

pub async fn preview(
    ctx: &AppContext,
    previews: &Previews,
    connector: ConnectorId,
) -> Result<PlanView, ApiError> {
    let result = run(ctx, connector, Trigger::Ui, true, false, &|_| {}).await?;
    Ok(previews.keep(result.plan))
}

/// Applies exactly the previewed plan.
pub async fn apply(
    ctx: &AppContext,
    previews: &Previews,
    connector: ConnectorId,
    plan_id: &str,
    approve_held: bool,
    progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<RunSummary, ApiError> {
    let plan = previews.take(plan_id)?;
    if plan.connector_id != connector {
        return Err(ApiError::new(
            ErrorCode::InvalidInput,
            "That preview belongs to another connector",
        ));
    }
    let row = blocking(ctx, move |ctx| require(ctx, connector)).await?;
    let psa = client_of(ctx, &row).await?;
    let source = CoroSource {
        ctx,
        client: coro_client(ctx).await?,
    };
    let clock = SystemClock;
    let env = SyncEnv {
        store: &ctx.store,
        data_dir: &ctx.data_dir,
        psa: &psa,
        source: &source,
        clock: &clock,
    };
    let mut summary = sync::apply_plan(
        &env,
        &plan,
        Trigger::Ui,
        blocking(ctx, move |ctx| policy(ctx, approve_held)).await?,
        progress,
    )
    .await?;
    if let Some(n) = super::tickets::after_run(ctx, &psa, connector, summary.run_id).await {
        summary.attention.push(n);
    }
    Ok(summary)
}

fn summary_of(row: &RunRow, items: &[RunItem]) -> RunSummary {
    let first_failure = items
        .iter()
        .find(|i| matches!(i.item.outcome, ItemOutcome::Failed | ItemOutcome::Pending))
        .and_then(|i| {
            let who = i
                .item
                .workspace_name
                .as_deref()
                .unwrap_or(&i.item.workspace_id.0);
            i.item
                .reason
                .as_ref()
                .map(|r| format!("{who} / {}: {r}", i.item.service_key))
        })
        .or_else(|| row.error.clone());
    RunSummary::from_row(row, items, first_failure)
}

pub fn list_runs(
    ctx: &AppContext,
    connector: Option<ConnectorId>,
    limit: u32,
) -> Result<Vec<RunSummary>, ApiError> {
    let conn = ctx.store.conn()?;
    let rows = store::runs::list(&conn, connector, None, limit.clamp(1, 1000))?;
    rows.iter()
        .map(|r| Ok(summary_of(r, &store::runs::items(&conn, r.id)?)))
        .collect()
}

fn find_run(ctx: &AppContext, run_id: i64) -> Result<store::runs::RunWithItems, ApiError> {
    store::runs::get_with_items(&ctx.store.conn()?, run_id)?
        .ok_or_else(|| ApiError::new(ErrorCode::NotFound, format!("Run {run_id} does not exist")))
}

/// A run with its items; `workspace` filters by workspace id or name (case-insensitive substring).
pub fn run_detail(
    ctx: &AppContext,
    run_id: i64,
    workspace: Option<&str>,
) -> Result<RunDetail, ApiError> {
    let run = find_run(ctx, run_id)?;
    let names = names_for(ctx, &run)?;
    let needle = workspace
        .map(|w| w.trim().to_lowercase())
        .filter(|w| !w.is_empty());
    let items = run
        .items
        .iter()
        .filter(|i| match &needle {
            None => true,
            Some(n) => {
                i.item.workspace_id.0.to_lowercase().contains(n)
                    || i.item
                        .workspace_name
                        .as_deref()
                        .unwrap_or("")
                        .to_lowercase()
                        .contains(n)
            }
        })
        .map(|i| RunItemView {
            workspace_id: i.item.workspace_id.0.clone(),
            workspace_name: i.item.workspace_name.clone(),
            item_id: i.id,
            service_name: crate::coro::catalog::service_info(&i.item.service_key).name,
            service_key: i.item.service_key.clone(),
            company_id: i.item.company_id.map(|c| c.0),
            company_name: i
                .item
                .company_id
                .and_then(|c| names.companies.get(&c).cloned()),
            product_id: i.item.product_id.map(|p| p.0),
            product_name: i
                .item
                .product_id
                .and_then(|p| names.products.get(&p).cloned()),
            line_ref: i.item.line_ref.clone(),
            action: Action::from_store(i.item.action),
            before: i.item.before_qty,
            after: i.item.after_qty,
            outcome: i.item.outcome,
            reason: i.item.reason.clone(),
            cause: i.item.cause,
            request_id: i.request_id.clone(),
        })
        .collect();
    let (undo_of, undone_by) = super::undo::links(ctx, run_id)?;
    let mut summary = summary_of(&run.run, &run.items);
    summary
        .attention
        .extend(super::tickets::notice(ctx, run_id)?);
    Ok(RunDetail {
        run: summary,
        items,
        undo_of,
        undone_by,
    })
}

/// Records what the operator found in the PSA for an awaiting change (`psa-bridge run settle`),
/// under the sync lock so no run is settling it at the same moment.
pub fn settle_awaiting(ctx: &AppContext, item_id: i64, landed: bool) -> Result<(), ApiError> {
    let _lock = sync::SyncLock::acquire(&ctx.data_dir, Trigger::Cli, chrono::Utc::now())
        .map_err(sync::SyncError::from)?;
    sync::awaiting::settle(&ctx.store.conn()?, item_id, landed, chrono::Utc::now())?;
    Ok(())
}

/// The UTF-8 byte-order mark an exported CSV file starts with.
pub const CSV_BOM: char = '\u{feff}';

/// Writes a run as CSV (UTF-8 with a BOM) into `<data dir>/exports/` and returns the file's path.
pub fn export_csv(ctx: &AppContext, run_id: i64) -> Result<PathBuf, ApiError> {
    let run = find_run(ctx, run_id)?;
    let names = names_for(ctx, &run)?;
    let dir = ctx.data_dir.join("exports");
    std::fs::create_dir_all(&dir).map_err(|e| {
        ApiError::new(
            ErrorCode::Storage,
            format!("could not create {}: {e}", dir.display()),
        )
    })?;
    let path = dir.join(sync::csv::file_name(&run.run));
    // A UTF-8 byte-order mark first: without it Excel on Windows reads the file as the local
    // code page and garbles non-ASCII workspace and company names.
    let text = format!("{CSV_BOM}{}", sync::csv::run_csv(&run, &names));
    std::fs::write(&path, text).map_err(|e| {
        ApiError::new(
            ErrorCode::Storage,
            format!("could not write {}: {e}", path.display()),
        )
    })?;
    Ok(path)
}

/// Company, product and service names for a run's ids (from the local caches).
fn names_for(
    ctx: &AppContext,
    run: &store::runs::RunWithItems,
) -> Result<sync::csv::CsvNames, ApiError> {
    let conn = ctx.store.conn()?;
    let mut names = sync::csv::CsvNames::default();
    for c in store::cache::companies(&conn, run.run.connector_id)?.items {
        names.companies.insert(c.id, c.name);
    }
    for p in store::cache::products(&conn, run.run.connector_id)?.items {
        names.products.insert(p.id, p.name);
    }
    for i in &run.items {
        names
            .services
            .entry(i.item.service_key.clone())
            .or_insert_with(|| crate::coro::catalog::service_info(&i.item.service_key).name);
    }
    Ok(names)
}

const LAST_SCHEDULE_ATTEMPT: &str = "schedule_last_attempt";
const LAST_SCHEDULE_SUCCESS: &str = "schedule_last_success";

fn stored_time(
    ctx: &AppContext,
    key: &str,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, ApiError> {
    Ok(store::settings::get(&ctx.store.conn()?, key)?
        .and_then(|v| chrono::DateTime::parse_from_rfc3339(&v).ok())
        .map(|t| t.with_timezone(&chrono::Utc)))
}

/// When the daily run is next due in the machine's time zone (`None` when paused). A time at or
/// before `now` means a missed run to catch up now.
pub fn next_due(
    ctx: &AppContext,
    now: chrono::DateTime<chrono::Utc>,
) -> Result<Option<chrono::DateTime<chrono::Utc>>, ApiError> {
    let s = super::settings::get(ctx)?;
    let policy = crate::schedule::SchedulePolicy {
        local_time: super::settings::parse_time(&s.daily_sync_time)?,
        paused: s.daily_sync_paused,
        tz: chrono::Local,
    };
    let last_attempt = stored_time(ctx, LAST_SCHEDULE_ATTEMPT)?;
    let last_success = stored_time(ctx, LAST_SCHEDULE_SUCCESS)?;
    Ok(crate::schedule::next_due(
        last_success,
        last_attempt,
        now,
        &policy,
    ))
}

/// Records a scheduled run's attempt (and success) so the next slot is computed from it.
pub fn record_scheduled(
    ctx: &AppContext,
    at: chrono::DateTime<chrono::Utc>,
    success: bool,
) -> Result<(), ApiError> {
    let conn = ctx.store.conn()?;
    store::settings::set(&conn, LAST_SCHEDULE_ATTEMPT, &at.to_rfc3339())?;
    if success {
        store::settings::set(&conn, LAST_SCHEDULE_SUCCESS, &at.to_rfc3339())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use ts_rs::TS;

    use super::RunItemView;
    use crate::store::runs::{ItemOutcome, RunStatus};
    use crate::sync::RunSummary;

    /// The TypeScript unions written by hand for store enums list exactly the values the store
    /// can hold (a new outcome or status must reach the UI's types).
    #[test]
    fn hand_written_unions_match_the_store() {
        let item = RunItemView::decl();
        let outcome = item
            .split("outcome: ")
            .nth(1)
            .and_then(|rest| rest.split(',').next())
            .expect("the outcome field");
        let mut listed: Vec<&str> = outcome
            .split('|')
            .map(|v| v.trim().trim_matches('"'))
            .collect();
        let mut want: Vec<&str> = ItemOutcome::ALL.iter().map(|o| o.as_str()).collect();
        listed.sort_unstable();
        want.sort_unstable();
        assert_eq!(listed, want, "{item}");

        let summary = RunSummary::decl();
        for s in RunStatus::ALL {
            assert!(
                summary.contains(&format!("\"{}\"", s.as_str())),
                "{s} missing: {summary}"
            );
        }
        assert!(item.contains("action: Action"), "{item}");
    }
}
