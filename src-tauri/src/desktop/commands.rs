//! Tauri commands: parse, call the core, map the error. Errors cross IPC as `{code, message}`.

use tauri::{AppHandle, Emitter, Runtime, State};

use super::DesktopState;
use crate::app;
use crate::error::ApiError;
use crate::model::{AppInfo, ConnectorId, ConnectorSummary};
use crate::views::{
    AutotaskInput, ConnectwiseInput, MachineTimeZone, SandboxDefaults, SettingsView,
};

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
pub fn remove_connector(
    app: AppHandle,
    state: State<'_, DesktopState>,
    id: ConnectorId,
) -> Result<(), ApiError> {
    app::connectors::remove(&state.ctx, id)?;
    emit_app_event(&app, "connectors_changed");
    Ok(())
}

/// Sets an Autotask connector's time zone (IANA name).
#[tauri::command]
pub fn set_time_zone(
    app: AppHandle,
    state: State<'_, DesktopState>,
    id: ConnectorId,
    zone: String,
) -> Result<ConnectorSummary, ApiError> {
    let s = app::connectors::set_time_zone(&state.ctx, id, &zone)?;
    emit_app_event(&app, "connectors_changed");
    Ok(s)
}

/// This computer's time zone: the add dialog's default.
#[tauri::command]
pub fn machine_time_zone() -> MachineTimeZone {
    app::connectors::machine_time_zone()
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
    super::syncing::start_all(&app, crate::sync::Trigger::Ui)
}

#[tauri::command]
pub async fn sync_preview(
    state: State<'_, DesktopState>,
    connector_id: ConnectorId,
) -> Result<app::sync::PlanView, ApiError> {
    let ctx = state.ctx.clone();
    app::sync::preview(&ctx, &state.previews, connector_id).await
}

#[tauri::command]
pub async fn sync_apply(
    app: AppHandle,
    state: State<'_, DesktopState>,
    connector_id: ConnectorId,
    plan_id: String,
    approve_held: bool,
) -> Result<crate::sync::RunSummary, ApiError> {
    let ctx = state.ctx.clone();
    let progress = super::syncing::progress_emitter(&app);
    let summary = app::sync::apply(
        &ctx,
        &state.previews,
        connector_id,
        &plan_id,
        approve_held,
        &progress,
    )
    .await?;
    if let Err(e) = app.emit(
        "app-event",
        serde_json::json!({"kind": "run_finished", "run_id": summary.run_id, "status": summary.status}),
    ) {
        tracing::debug!(error = %e, "event not delivered");
    }
    Ok(summary)
}

#[tauri::command]
pub fn list_runs(
    state: State<'_, DesktopState>,
    connector_id: Option<ConnectorId>,
    limit: u32,
) -> Result<Vec<crate::sync::RunSummary>, ApiError> {
    app::sync::list_runs(&state.ctx, connector_id, limit)
}

#[tauri::command]
pub fn run_detail(
    state: State<'_, DesktopState>,
    run_id: i64,
    workspace: Option<String>,
) -> Result<app::sync::RunDetail, ApiError> {
    app::sync::run_detail(&state.ctx, run_id, workspace.as_deref())
}

#[tauri::command]
pub fn export_run_csv(state: State<'_, DesktopState>, run_id: i64) -> Result<String, ApiError> {
    Ok(app::sync::export_csv(&state.ctx, run_id)?
        .to_string_lossy()
        .into_owned())
}

#[tauri::command]
pub fn coro_status(state: State<'_, DesktopState>) -> Result<crate::views::CoroStatus, ApiError> {
    app::coro::status(&state.ctx)
}

#[tauri::command]
pub async fn coro_connect(
    app: AppHandle,
    state: State<'_, DesktopState>,
    input: crate::views::CoroInput,
) -> Result<crate::views::CoroStatus, ApiError> {
    let ctx = state.ctx.clone();
    let s = app::coro::connect(&ctx, input).await?;
    emit_app_event(&app, "settings_changed");
    emit_app_event(&app, "connectors_changed");
    Ok(s)
}

#[tauri::command]
pub async fn companies(
    state: State<'_, DesktopState>,
    connector_id: ConnectorId,
    refresh: bool,
) -> Result<Vec<crate::views::PickOption>, ApiError> {
    let ctx = state.ctx.clone();
    app::browse::companies(&ctx, connector_id, refresh, None).await
}

#[tauri::command]
pub async fn products(
    state: State<'_, DesktopState>,
    connector_id: ConnectorId,
    refresh: bool,
) -> Result<Vec<crate::views::PickOption>, ApiError> {
    let ctx = state.ctx.clone();
    app::browse::products(&ctx, connector_id, refresh, None).await
}

#[tauri::command]
pub async fn workspace_rows(
    state: State<'_, DesktopState>,
    connector_id: ConnectorId,
) -> Result<Vec<crate::views::WorkspaceRow>, ApiError> {
    let ctx = state.ctx.clone();
    app::mappings::workspace_rows(&ctx, connector_id).await
}

#[tauri::command]
pub async fn map_workspace(
    app: AppHandle,
    state: State<'_, DesktopState>,
    req: crate::views::MapWorkspace,
) -> Result<Vec<crate::views::WorkspaceRow>, ApiError> {
    let ctx = state.ctx.clone();
    let rows = app::mappings::map_workspace(&ctx, &req).await?;
    emit_app_event(&app, "connectors_changed");
    Ok(rows)
}

#[tauri::command]
pub async fn unmap_workspace(
    app: AppHandle,
    state: State<'_, DesktopState>,
    connector_id: ConnectorId,
    workspace_id: String,
) -> Result<Vec<crate::views::WorkspaceRow>, ApiError> {
    let ctx = state.ctx.clone();
    let rows = app::mappings::unmap_workspace(&ctx, connector_id, &workspace_id).await?;
    emit_app_event(&app, "connectors_changed");
    Ok(rows)
}

#[tauri::command]
pub async fn service_rows(
    state: State<'_, DesktopState>,
    connector_id: ConnectorId,
) -> Result<Vec<crate::views::ServiceRow>, ApiError> {
    let ctx = state.ctx.clone();
    app::mappings::service_rows(&ctx, connector_id).await
}

#[tauri::command]
pub async fn map_service(
    app: AppHandle,
    state: State<'_, DesktopState>,
    req: crate::views::MapService,
) -> Result<Vec<crate::views::ServiceRow>, ApiError> {
    let ctx = state.ctx.clone();
    let rows = app::mappings::map_service(&ctx, &req).await?;
    emit_app_event(&app, "connectors_changed");
    Ok(rows)
}

#[tauri::command]
pub async fn unmap_service(
    app: AppHandle,
    state: State<'_, DesktopState>,
    connector_id: ConnectorId,
    service_key: String,
) -> Result<Vec<crate::views::ServiceRow>, ApiError> {
    let ctx = state.ctx.clone();
    let rows = app::mappings::unmap_service(&ctx, connector_id, &service_key).await?;
    emit_app_event(&app, "connectors_changed");
    Ok(rows)
}
