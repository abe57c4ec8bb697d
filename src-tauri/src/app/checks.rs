//! The pre-flight checks for the CLI, the mapping pages and the Connectors page: a fresh check
//! (the sync's gather; the PSA only read, no run recorded) kept as the connector's last, and the
//! last checks of every connector (for the problem counts).

use chrono::Utc;

use super::blocking;
use super::connectors::{client_of, require};
use super::coro::{client_of as coro_client, CoroSource};
use crate::checks::{self, saved, CheckReport};
use crate::context::AppContext;
use crate::error::ApiError;
use crate::model::ConnectorId;

/// Checks the connector's mapped companies now; the result is kept as its last checks.
pub async fn fresh(ctx: &AppContext, connector: ConnectorId) -> Result<CheckReport, ApiError> {
    let row = blocking(ctx, move |ctx| require(ctx, connector)).await?;
    let psa = client_of(ctx, &row).await?;
    let source = CoroSource {
        ctx,
        client: coro_client(ctx).await?,
    };
    let report = checks::fresh(
        &ctx.store,
        &psa,
        &source,
        (connector, row.name.clone()),
        Utc::now(),
    )
    .await?;
    let kept = report.clone();
    blocking(ctx, move |ctx| {
        // The copy only feeds the Connectors page's count: failing to keep it is logged, and
        // the checks are still shown.
        if let Err(e) = saved::save(&ctx.data_dir, &kept) {
            tracing::warn!("could not keep the pre-flight checks: {e}");
        }
        Ok(())
    })
    .await?;
    Ok(report)
}

/// The last checks of every connector that has been checked.
pub async fn last_all(ctx: &AppContext) -> Result<Vec<CheckReport>, ApiError> {
    blocking(ctx, |ctx| {
        let rows = crate::store::connectors::list(&ctx.store.conn()?)?;
        Ok(rows
            .into_iter()
            .filter_map(|r| saved::load(&ctx.data_dir, r.id))
            .collect())
    })
    .await
}
