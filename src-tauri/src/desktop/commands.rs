//! Tauri commands: parse, call the core, map the error. Errors cross IPC as `{code, message}`.

use tauri::{AppHandle, Runtime, State};

use super::DesktopState;
use crate::error::ApiError;
use crate::model::{AppInfo, ConnectorSummary};

#[tauri::command]
pub fn app_info(state: State<'_, DesktopState>) -> Result<AppInfo, ApiError> {
    state.ctx.app_info(state.sandbox.is_some())
}

#[tauri::command]
pub fn list_connectors(state: State<'_, DesktopState>) -> Result<Vec<ConnectorSummary>, ApiError> {
    state.ctx.connector_summaries()
}

#[tauri::command]
pub fn sync_now(app: AppHandle) -> Result<(), ApiError> {
    start_sync(&app, "ui")
}

/// Starts a sync run for every connector (tray and UI share this).
pub fn start_sync<R: Runtime>(_app: &AppHandle<R>, trigger: &str) -> Result<(), ApiError> {
    Err(ApiError::new(
        crate::error::ErrorCode::InvalidInput,
        format!("nothing to sync yet ({trigger}): add a PSA connector and map workspaces first"),
    ))
}
