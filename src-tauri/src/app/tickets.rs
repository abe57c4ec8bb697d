//! PSA tickets when a sync fails or holds changes (see [`crate::tickets`]): the settings per
//! connector for the CLI (`psa-bridge connector tickets`) and the Billing settings dialog, the
//! boards / queues to choose from, and [`after_run`], called once a run is recorded by every
//! sync path (CLI, tray, schedule, UI apply, held review).
//!
//! A ticket failure never fails the sync: [`after_run`] returns a notice ("Could not update the
//! PSA ticket: …") that is logged, added to the run's attention list and kept with the run
//! (`ticket_notice:<run>` in `settings`) so the run page shows it later too.

use serde::Serialize;
use ts_rs::TS;

use super::blocking;
use super::connectors::{client_of, require};
use super::psa_client::PsaClient;
use crate::context::AppContext;
use crate::error::{ApiError, ErrorCode};
use crate::model::ConnectorId;
use crate::psa::PsaError;
use crate::store;
use crate::store::runs::RunStatus;
use crate::tickets::flow::{step, Step};
use crate::tickets::text::{seen, FactItem, RunFacts};
use crate::tickets::{
    self, NewTicket, Problem, TicketDesk, TicketQueue, TicketSettings, TicketState,
};

/// A connector's ticket settings with the tickets it keeps open, for the CLI and the dialog.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct TicketsView {
    #[serde(flatten)]
    pub settings: TicketSettings,
    pub open: Vec<OpenTicketView>,
}

#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct OpenTicketView {
    pub problem: Problem,
    #[ts(type = "number")]
    pub ticket_id: i64,
    pub opened_at: chrono::DateTime<chrono::Utc>,
    #[ts(type = "number")]
    pub last_run_id: i64,
}

pub fn get(ctx: &AppContext, connector: ConnectorId) -> Result<TicketsView, ApiError> {
    let conn = ctx.store.conn()?;
    store::connectors::require(&conn, connector)?;
    let settings = tickets::load(&conn, connector)?;
    let open = store::tickets::list(&conn, connector)?
        .into_iter()
        .filter_map(|t| {
            let problem = Problem::ALL.into_iter().find(|p| p.as_str() == t.problem)?;
            Some(OpenTicketView {
                problem,
                ticket_id: t.ticket_id,
                opened_at: t.opened_at,
                last_run_id: t.last_run_id,
            })
        })
        .collect();
    Ok(TicketsView { settings, open })
}

/// Stores `settings` after checking them (enabling without a board / queue is refused, nothing
/// stored).
pub fn set(
    ctx: &AppContext,
    connector: ConnectorId,
    settings: &TicketSettings,
) -> Result<TicketsView, ApiError> {
    settings
        .validate()
        .map_err(|m| ApiError::new(ErrorCode::InvalidInput, m))?;
    tickets::save(&ctx.store.conn()?, connector, settings)?;
    get(ctx, connector)
}

/// The ConnectWise service boards or Autotask queues, read from the PSA.
pub async fn queues(
    ctx: &AppContext,
    connector: ConnectorId,
) -> Result<Vec<TicketQueue>, ApiError> {
    let row = blocking(ctx, move |ctx| require(ctx, connector)).await?;
    let psa = client_of(ctx, &row).await?;
    Ok(psa.ticket_queues().await?)
}

impl TicketDesk for PsaClient {
    async fn ticket_queues(&self) -> Result<Vec<TicketQueue>, PsaError> {
        match self {
            PsaClient::Connectwise(c) => c.ticket_queues().await,
            PsaClient::Autotask(c) => c.ticket_queues().await,
        }
    }
    async fn open_ticket(&self, queue: i64, t: &NewTicket) -> Result<i64, PsaError> {
        match self {
            PsaClient::Connectwise(c) => c.open_ticket(queue, t).await,
            PsaClient::Autotask(c) => c.open_ticket(queue, t).await,
        }
    }
    async fn ticket_state(&self, id: i64) -> Result<TicketState, PsaError> {
        match self {
            PsaClient::Connectwise(c) => c.ticket_state(id).await,
            PsaClient::Autotask(c) => c.ticket_state(id).await,
        }
    }
    async fn add_ticket_note(&self, id: i64, text: &str) -> Result<(), PsaError> {
        match self {
            PsaClient::Connectwise(c) => c.add_ticket_note(id, text).await,
            PsaClient::Autotask(c) => c.add_ticket_note(id, text).await,
        }
    }
    async fn close_ticket(&self, queue: i64, id: i64) -> Result<(), PsaError> {
        match self {
            PsaClient::Connectwise(c) => c.close_ticket(queue, id).await,
            PsaClient::Autotask(c) => c.close_ticket(queue, id).await,
        }
    }
}

/// The newest run of a connector (taken before a sync, to find the run a failing sync recorded).
pub fn last_run_id(ctx: &AppContext, connector: ConnectorId) -> Result<Option<i64>, ApiError> {
    Ok(
        store::runs::list(&ctx.store.conn()?, Some(connector), None, 1)?
            .first()
            .map(|r| r.id),
    )
}

/// [`after_run`] for a sync's result: a finished run gets the notice in its attention list; a
/// run that failed as a whole is recorded before the error comes back (none is when the lock was
/// busy: `before` is still the newest), so its ticket is handled and the error stands as it is.
pub async fn after_sync(
    ctx: &AppContext,
    psa: &PsaClient,
    connector: ConnectorId,
    before: Option<i64>,
    result: Result<crate::sync::RunResult, crate::sync::SyncError>,
) -> Result<crate::sync::RunResult, ApiError> {
    match result {
        Ok(mut r) => {
            if let Some(n) = after_run(ctx, psa, connector, r.summary.run_id).await {
                r.summary.attention.push(n);
            }
            Ok(r)
        }
        Err(e) => {
            if let Ok(Some(failed)) = blocking(ctx, move |ctx| last_run_id(ctx, connector)).await {
                if Some(failed) != before {
                    after_run(ctx, psa, connector, failed).await;
                }
            }
            Err(e.into())
        }
    }
}

fn notice_key(run_id: i64) -> String {
    format!("ticket_notice:{run_id}")
}

/// The ticket notice kept with a run, if any.
pub fn notice(ctx: &AppContext, run_id: i64) -> Result<Option<String>, ApiError> {
    Ok(store::settings::get(
        &ctx.store.conn()?,
        &notice_key(run_id),
    )?)
}

/// What the ticket needs from the recorded run: status, error, and the items with customer
/// names (workspace, and the PSA company from the local cache).
fn facts(ctx: &AppContext, run_id: i64, connector_name: String) -> Result<RunFacts, ApiError> {
    let detail = super::sync::run_detail(ctx, run_id, None)?;
    let error = store::runs::get(&ctx.store.conn()?, run_id)?.and_then(|r| r.error);
    let items = detail
        .items
        .into_iter()
        .map(|i| {
            let ws = i.workspace_name.unwrap_or(i.workspace_id);
            FactItem {
                customer: match i.company_name {
                    Some(c) if c != ws => format!("{ws} ({c})"),
                    _ => ws,
                },
                service: i.service_name,
                outcome: i.outcome,
                reason: i.reason,
            }
        })
        .collect();
    Ok(RunFacts {
        run_id,
        connector_name,
        status: detail.run.status,
        error,
        items,
    })
}

/// Opens, notes or closes the connector's tickets for the run just recorded. Returns the notice
/// to show on the run when something could not be done (already logged); `None` when tickets are
/// off or all went well. Never an error: the run's own result stands.
pub async fn after_run(
    ctx: &AppContext,
    psa: &PsaClient,
    connector: ConnectorId,
    run_id: i64,
) -> Option<String> {
    let result = handle(ctx, psa, connector, run_id).await;
    let problems = match result {
        Ok(p) => p,
        Err(e) => vec![e.message],
    };
    if problems.is_empty() {
        return None;
    }
    let text = format!("Could not update the PSA ticket: {}", problems.join("; "));
    tracing::warn!(connector = %connector, run_id, "{text}");
    let stored = text.clone();
    let kept = blocking(ctx, move |ctx| {
        Ok(store::settings::set(
            &ctx.store.conn()?,
            &notice_key(run_id),
            &stored,
        )?)
    })
    .await;
    if let Err(e) = kept {
        tracing::warn!(
            run_id,
            "could not keep the ticket notice with the run: {}",
            e.message
        );
    }
    Some(text)
}

/// The messages of the problems whose ticket could not be handled.
async fn handle(
    ctx: &AppContext,
    psa: &PsaClient,
    connector: ConnectorId,
    run_id: i64,
) -> Result<Vec<String>, ApiError> {
    let settings = blocking(ctx, move |ctx| {
        Ok(tickets::load(&ctx.store.conn()?, connector)?)
    })
    .await?;
    let queue = match (settings.enabled, &settings.queue) {
        (true, Some(q)) => q.id,
        _ => return Ok(Vec::new()),
    };
    let (facts, remembered) = blocking(ctx, move |ctx| {
        let row = require(ctx, connector)?;
        let run = store::runs::get(&ctx.store.conn()?, run_id)?.ok_or_else(|| {
            ApiError::new(ErrorCode::NotFound, format!("Run {run_id} does not exist"))
        })?;
        if run.dry_run || run.status == RunStatus::Running {
            return Ok((None, Vec::new()));
        }
        let conn = ctx.store.conn()?;
        let remembered = Problem::ALL
            .into_iter()
            .map(|p| Ok((p, store::tickets::get(&conn, connector, p.as_str())?)))
            .collect::<Result<Vec<_>, ApiError>>()?;
        Ok((Some(facts(ctx, run_id, row.name)?), remembered))
    })
    .await?;
    let Some(facts) = facts else {
        return Ok(Vec::new());
    };
    let mut failures = Vec::new();
    for (problem, known) in remembered {
        let s = seen(problem, &facts);
        let now = chrono::Utc::now();
        let template = (connector, problem.as_str());
        match step(psa, queue, known.as_ref(), template, &s, run_id, now).await {
            Ok(done) => {
                log_step(connector, problem, &done);
                if done.changes_store() {
                    let keep = done.remembered().cloned();
                    blocking(ctx, move |ctx| {
                        let conn = ctx.store.conn()?;
                        match keep {
                            Some(t) => store::tickets::put(&conn, &t)?,
                            None => {
                                store::tickets::forget(&conn, connector, problem.as_str())?;
                            }
                        }
                        Ok(())
                    })
                    .await?;
                }
            }
            Err(e) => failures.push(format!("{} ({}): {e}", what(problem), psa_name(psa))),
        }
    }
    Ok(failures)
}

fn what(problem: Problem) -> &'static str {
    match problem {
        Problem::Failed => "the ticket for failures",
        Problem::Held => "the ticket for held changes",
    }
}

fn psa_name(psa: &PsaClient) -> &'static str {
    match psa {
        PsaClient::Connectwise(_) => "ConnectWise",
        PsaClient::Autotask(_) => "Autotask",
    }
}

fn log_step(connector: ConnectorId, problem: Problem, s: &Step) {
    let p = problem.as_str();
    match s {
        Step::Opened(t) => {
            tracing::info!(connector = %connector, problem = p, ticket = t.ticket_id, "PSA ticket opened")
        }
        Step::Reopened { old, new } => {
            tracing::info!(connector = %connector, problem = p, old, ticket = new.ticket_id, "PSA ticket was closed or deleted in the PSA; opened a new one")
        }
        Step::Noted(t) => {
            tracing::info!(connector = %connector, problem = p, ticket = t.ticket_id, "note added to the PSA ticket")
        }
        Step::Closed { ticket_id } => {
            tracing::info!(connector = %connector, problem = p, ticket = ticket_id, "PSA ticket closed")
        }
        Step::Forgotten { ticket_id } => {
            tracing::info!(connector = %connector, problem = p, ticket = ticket_id, "PSA ticket was already closed or deleted in the PSA")
        }
        Step::Nothing => {}
    }
}

/// Turns tickets on or off and/or chooses the board / queue by id, checked against the PSA's
/// list (its name is stored with it). Nothing is stored when the id is unknown or when tickets
/// would be on without a board / queue.
pub async fn update(
    ctx: &AppContext,
    connector: ConnectorId,
    enabled: Option<bool>,
    queue_id: Option<i64>,
) -> Result<TicketsView, ApiError> {
    let mut s = blocking(ctx, move |ctx| Ok(get(ctx, connector)?.settings)).await?;
    if let Some(id) = queue_id {
        let found = queues(ctx, connector)
            .await?
            .into_iter()
            .find(|q| q.id == id);
        let Some(q) = found else {
            return Err(ApiError::new(
                ErrorCode::InvalidInput,
                format!(
                    "The PSA has no active service board or queue {id}: `psa-bridge connector \
                     boards {}` lists them",
                    connector.0
                ),
            ));
        };
        s.queue = Some(q);
    }
    if let Some(on) = enabled {
        s.enabled = on;
    }
    blocking(ctx, move |ctx| set(ctx, connector, &s)).await
}
