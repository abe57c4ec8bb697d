//! The reads behind the app's status: the About/status facts ([`app_info`]) and the rows of the
//! Connectors page ([`connector_summaries`]). They sit here, not on the context, because they
//! use the app's own services (the next daily sync, what Coro was last seen to bill).

use crate::context::AppContext;
use crate::error::ApiError;
use crate::model::{AppInfo, ConnectionState, ConnectionStatus, ConnectorSummary, MappingCount};
use crate::store;

/// Version, data folder, demo mode, daily-sync state and whether Coro is connected.
pub fn app_info(ctx: &AppContext, sandbox: bool) -> Result<AppInfo, ApiError> {
    let conn = ctx.store.conn()?;
    Ok(AppInfo {
        version: crate::build_info::VERSION.to_string(),
        commit: crate::build_info::COMMIT.to_string(),
        data_dir: ctx.data_dir.to_string_lossy().into_owned(),
        sandbox,
        daily_sync_paused: ctx.daily_sync_paused()?,
        next_sync_at: super::sync::next_due(ctx, chrono::Utc::now())?.map(|t| t.to_rfc3339()),
        coro_connected: store::coro::get(&conn)?.is_some(),
    })
}

/// The rows of the Connectors page (PSA tab).
pub fn connector_summaries(ctx: &AppContext) -> Result<Vec<ConnectorSummary>, ApiError> {
    let conn = ctx.store.conn()?;
    let rows = store::connectors::list(&conn)?;
    // Totals come from the last Coro reads (the list never waits on the network).
    let workspace_total: u32 = store::settings::get(&conn, super::coro::WORKSPACE_COUNT)?
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let service_total =
        crate::coro::catalog::catalogue(super::coro::seen_services(ctx)?).len() as u32;
    rows.into_iter()
        .map(|row| {
            let status = store::status::get(&conn, row.id)?
                .map(|s| s.connection_status())
                .unwrap_or(ConnectionStatus {
                    state: ConnectionState::Untested,
                    message: None,
                    checked_at: None,
                });
            let counts = store::mappings::counts(&conn, row.id)?;
            let last_sync = store::runs::latest(&conn, row.id, false)?.map(|r| r.last_sync());
            let time_zone = row
                .config
                .get(crate::autotask::TIME_ZONE_KEY)
                .and_then(serde_json::Value::as_str)
                .map(str::to_string);
            Ok(ConnectorSummary {
                id: row.id,
                kind: row.kind,
                name: row.name,
                status,
                workspace_mapping: MappingCount {
                    mapped: counts.workspaces,
                    total: workspace_total.max(counts.workspaces),
                },
                service_mapping: MappingCount {
                    mapped: counts.services,
                    total: service_total.max(counts.services),
                },
                last_sync,
                time_zone,
            })
        })
        .collect()
}
