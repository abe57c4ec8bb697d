//! Trends for the Reconcile page: the journal's billed quantities per service and month, valued
//! with the unit prices of the connector's last reconciliation report.

use std::collections::HashMap;

use chrono::Utc;

use super::blocking;
use super::connectors::require;
use crate::error::{ApiError, ErrorCode};
use crate::model::ConnectorId;
use crate::report::saved;
use crate::trends::{aggregate, journal, Trends};

/// How many months the chart shows, the current one included.
pub const MONTHS: u32 = 12;

pub async fn get(
    ctx: &crate::context::AppContext,
    connector: ConnectorId,
) -> Result<Trends, ApiError> {
    blocking(ctx, move |ctx| {
        require(ctx, connector)?;
        let now = Utc::now();
        let items = journal(&ctx.store.conn()?, connector)?;
        let report = saved::load(&ctx.data_dir, connector, now)
            .map_err(|e| ApiError::new(ErrorCode::Storage, e.to_string()))?;
        let prices: HashMap<_, _> = report
            .iter()
            .flat_map(|r| r.rows.iter())
            .filter_map(|row| Some(((row.company_id, row.product_id), row.unit_price_cents?)))
            .collect();
        let months = aggregate::monthly(&items, &prices, now, MONTHS);
        let mut service_names = HashMap::new();
        for m in &months {
            for p in &m.points {
                service_names
                    .entry(p.service_key.clone())
                    .or_insert_with(|| crate::coro::catalog::service_info(&p.service_key).name);
            }
        }
        Ok(Trends {
            connector_id: connector,
            service_names,
            months,
            priced: report.is_some(),
        })
    })
    .await
}
