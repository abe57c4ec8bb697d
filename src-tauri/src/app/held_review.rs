//! *Review held changes* for the UI and the CLI: a fresh preview showing exactly the held items,
//! then the approved ones applied as a run of their own through the engine's approve path (the
//! rejected ones recorded as skipped in that run). See [`crate::sync::held`].

use super::blocking;
use super::connectors::{client_of, require};
use super::coro::{client_of as coro_client, CoroSource};
use super::sync::{policy, PlanView, Previews};
use crate::clock::SystemClock;
use crate::context::AppContext;
use crate::error::{ApiError, ErrorCode};
use crate::model::ConnectorId;
use crate::sync::held::{self, HeldKey};
use crate::sync::{self, Progress, RunSummary, SyncEnv, Trigger};

/// Previews the connector (recorded as a dry run, like any preview) and returns its held items
/// only, under the id [`apply_held`] takes.
pub async fn held_preview(
    ctx: &AppContext,
    previews: &Previews,
    connector: ConnectorId,
) -> Result<PlanView, ApiError> {
    let view = super::sync::preview(ctx, previews, connector).await?;
    Ok(PlanView {
        plan_id: view.plan_id,
        plan: held::held_only(&view.plan),
    })
}

/// Applies the approved held items of preview `plan_id` (and records the others as rejected) as
/// one run.
pub async fn apply_held(
    ctx: &AppContext,
    previews: &Previews,
    connector: ConnectorId,
    plan_id: &str,
    approved: &[HeldKey],
    progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<RunSummary, ApiError> {
    let plan = previews.take(plan_id)?;
    if plan.connector_id != connector {
        return Err(ApiError::new(
            ErrorCode::InvalidInput,
            "That preview belongs to another connector",
        ));
    }
    let reviewed = held::review(&plan, approved)
        .map_err(|e| ApiError::new(ErrorCode::InvalidInput, e.to_string()))?;
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
    tracing::info!(connector = %connector, approved = approved.len(), held = reviewed.items.len(), "held changes reviewed");
    let policy = blocking(ctx, |ctx| policy(ctx, true)).await?;
    let mut summary = sync::apply_plan(&env, &reviewed, Trigger::Ui, policy, progress).await?;
    if let Some(n) = super::tickets::after_run(ctx, &psa, connector, summary.run_id).await {
        summary.attention.push(n);
    }
    Ok(summary)
}
