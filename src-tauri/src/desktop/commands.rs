//! Tauri commands: parse, call the core, map the error. Errors cross IPC as `{code, message}`.

use tauri::{AppHandle, Emitter, Runtime, State};

use super::DesktopState;
use crate::app;
use crate::error::ApiError;
use crate::model::{AppInfo, ConnectorId, ConnectorSummary};
use crate::views::{AutotaskInput, ConnectwiseInput, SandboxDefaults, SettingsView};

/// Tells every open screen that something it shows changed.
pub fn emit_app_event<R: Runtime>(app: &AppHandle<R>, kind: &str) {
    if let Err(e) = app.emit("app-event", serde_json::json!({ "kind": kind })) {
        tracing::debug!(error = %e, kind, "event not delivered");
    }
}

#[tauri::command]
pub fn app_info(state: State<'_, DesktopState>) -> Result<AppInfo, ApiError> {
    state.ctx.app_info(state.sandbox.is_some())
}

#[tauri::command]
pub fn list_connectors(state: State<'_, DesktopState>) -> Result<Vec<ConnectorSummary>, ApiError> {
    state.ctx.connector_summaries()
}

#[tauri::command]
pub async fn add_connectwise(
    app: AppHandle,
    state: State<'_, DesktopState>,
    input: ConnectwiseInput,
) -> Result<ConnectorSummary, ApiError> {
    let ctx = state.ctx.clone();
    let s = app::connectors::add_connectwise(&ctx, input).await?;
    emit_app_event(&app, "connectors_changed");
    Ok(s)
}

#[tauri::command]
pub async fn add_autotask(
    app: AppHandle,
    state: State<'_, DesktopState>,
    input: AutotaskInput,
) -> Result<ConnectorSummary, ApiError> {
    let ctx = state.ctx.clone();
    let s = app::connectors::add_autotask(&ctx, input).await?;
    emit_app_event(&app, "connectors_changed");
    Ok(s)
}

#[tauri::command]
pub async fn test_connector(
    app: AppHandle,
    state: State<'_, DesktopState>,
    id: ConnectorId,
) -> Result<ConnectorSummary, ApiError> {
    let ctx = state.ctx.clone();
    let s = app::connectors::test(&ctx, id).await?;
    emit_app_event(&app, "connectors_changed");
    Ok(s)
}

#[tauri::command]
pub fn remove_connector(app: AppHandle, state: State<'_, DesktopState>, id: ConnectorId) -> Result<(), ApiError> {
    app::connectors::remove(&state.ctx, id)?;
    emit_app_event(&app, "connectors_changed");
    Ok(())
}

/// Demo credentials for the forms in `--sandbox` mode; `null` otherwise.
#[tauri::command]
pub fn sandbox_defaults(state: State<'_, DesktopState>) -> Option<SandboxDefaults> {
    state.sandbox.as_ref().map(|d| d.defaults())
}

#[tauri::command]
pub fn get_settings(state: State<'_, DesktopState>) -> Result<SettingsView, ApiError> {
    app::settings::get(&state.ctx)
}

#[tauri::command]
pub fn save_settings(
    app: AppHandle,
    state: State<'_, DesktopState>,
    settings: SettingsView,
) -> Result<SettingsView, ApiError> {
    let saved = app::settings::save(&state.ctx, &settings)?;
    super::refresh_tray(&app);
    emit_app_event(&app, "settings_changed");
    Ok(saved)
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
