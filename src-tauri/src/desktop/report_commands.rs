//! The Reconcile page: a report (fresh, or the last one kept) and its CSV export. Three lines
//! each, as the other commands; the work is [`app::report`].

use tauri::State;

use super::DesktopState;
use crate::app;
use crate::error::ApiError;
use crate::model::ConnectorId;
use crate::report::Report;

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
