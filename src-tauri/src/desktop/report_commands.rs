//! The Reconcile page: a report (fresh, or the last one kept) and its CSV export; the mapping
//! pages' and the Connectors page's pre-flight checks. Three lines each, as the other commands;
//! the work is [`app::report`] and [`app::checks`].

use tauri::State;

use super::DesktopState;
use crate::app;
use crate::checks::CheckReport;
use crate::error::ApiError;
use crate::model::ConnectorId;
use crate::report::Report;
use crate::trends::Trends;

#[tauri::command]
pub async fn reconcile_report(
    state: State<'_, DesktopState>,
    connector_id: ConnectorId,
    last: bool,
) -> Result<Report, ApiError> {
    match last {
        true => app::report::last(&state.ctx, connector_id).await,
        false => app::report::fresh(&state.ctx, connector_id).await,
    }
}

#[tauri::command]
pub async fn export_reconcile_csv(
    state: State<'_, DesktopState>,
    connector_id: ConnectorId,
) -> Result<String, ApiError> {
    let path = app::report::export_csv(&state.ctx, connector_id).await?;
    Ok(path.to_string_lossy().into_owned())
}

#[tauri::command]
pub async fn preflight_check(
    state: State<'_, DesktopState>,
    connector_id: ConnectorId,
) -> Result<CheckReport, ApiError> {
    app::checks::fresh(&state.ctx, connector_id).await
}

#[tauri::command]
pub async fn last_preflight_checks(
    state: State<'_, DesktopState>,
) -> Result<Vec<CheckReport>, ApiError> {
    app::checks::last_all(&state.ctx).await
}

#[tauri::command]
pub async fn reconcile_trends(
    state: State<'_, DesktopState>,
    connector_id: ConnectorId,
) -> Result<Trends, ApiError> {
    app::trends::get(&state.ctx, connector_id).await
}
