//! The reconciliation report for the CLI and the Reconcile page: a fresh one (the sync's gather,
//! read wider, and its planner; never a write to the PSA, no run recorded), kept as the
//! connector's last; or that last one again with its age.

use chrono::Utc;

use super::blocking;
use super::connectors::{client_of, require};
use super::coro::{client_of as coro_client, CoroSource};
use crate::context::AppContext;
use crate::error::{ApiError, ErrorCode};
use crate::model::ConnectorId;
use crate::report::{self, saved, Report, ReportInput};
use crate::sync::PlanPolicy;

fn saved_error(e: saved::SavedError) -> ApiError {
    ApiError::new(ErrorCode::Storage, e.to_string())
}

/// Reads Coro and the connector's PSA now and reports; the report is kept as the last one.
pub async fn fresh(ctx: &AppContext, connector: ConnectorId) -> Result<Report, ApiError> {
    let row = blocking(ctx, move |ctx| require(ctx, connector)).await?;
    let psa = client_of(ctx, &row).await?;
    let source = CoroSource {
        ctx,
        client: coro_client(ctx).await?,
    };
    let policy = blocking(ctx, |ctx| super::sync::policy(ctx, false)).await?;
    let input = ReportInput {
        store: &ctx.store,
        psa: &psa,
        source: &source,
        connector_id: connector,
        connector_name: row.name.clone(),
        policy: PlanPolicy {
            max_decrease_share: policy.max_decrease_share,
            max_increase_factor: policy.max_increase_factor,
            min_increase_units: policy.min_increase_units,
            approve_held: false,
        },
        now: Utc::now(),
    };
    let report = report::fresh(&input).await?;
    let kept = report.clone();
    blocking(ctx, move |ctx| {
        saved::save(&ctx.data_dir, &kept).map_err(saved_error)
    })
    .await?;
    Ok(report)
}

/// The connector's last fresh report, with its age; an error saying how to get one when there
/// is none yet.
pub async fn last(ctx: &AppContext, connector: ConnectorId) -> Result<Report, ApiError> {
    blocking(ctx, move |ctx| {
        require(ctx, connector)?;
        saved::load(&ctx.data_dir, connector, Utc::now())
            .map_err(saved_error)?
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::NotFound,
                    "No report has been made for this connector yet: run `psa-bridge report` \
                     (or Reconcile → Read now) for a fresh one",
                )
            })
    })
    .await
}

/// Saves the connector's last report as CSV in the data folder's `exports/` and returns the
/// file's path (Reconcile → *Export CSV*; the same table as `psa-bridge report --csv`).
pub async fn export_csv(
    ctx: &AppContext,
    connector: ConnectorId,
) -> Result<std::path::PathBuf, ApiError> {
    let report = last(ctx, connector).await?;
    blocking(ctx, move |ctx| {
        let text = report::csv::report_csv(&report)
            .map_err(|e| ApiError::new(ErrorCode::Internal, format!("could not write CSV: {e}")))?;
        let dir = ctx.data_dir.join("exports");
        let path = dir.join(report::csv::file_name(&report));
        std::fs::create_dir_all(&dir)
            .and_then(|()| std::fs::write(&path, text))
            .map_err(|e| {
                ApiError::new(
                    ErrorCode::Storage,
                    format!("could not write {}: {e}", path.display()),
                )
            })?;
        Ok(path)
    })
    .await
}
