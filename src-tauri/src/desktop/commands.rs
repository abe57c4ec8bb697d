//! Tauri commands: parse, call the core, map the error. Errors cross IPC as `{code, message}`.
//! Every command is async: none runs on the main (UI) thread, and the blocking SQLite and
//! keychain work runs on a blocking thread ([`app::blocking`]). The list the UI may call is
//! `command_list::COMMANDS`.

use tauri::{AppHandle, Runtime, State};

use super::DesktopState;
use crate::app::{self, blocking};
use crate::error::ApiError;
use crate::events::AppEvent;
use crate::model::{AppInfo, ConnectorId, ConnectorSummary};
use crate::views::{
    AutotaskInput, ConnectwiseInput, MachineTimeZone, SandboxDefaults, SettingsView,
};

/// Tells every open screen that something it shows changed.
pub fn emit_app_event<R: Runtime>(app: &AppHandle<R>, event: AppEvent) {
    super::syncing::emit(app, event);
}

#[tauri::command]
pub async fn app_info(state: State<'_, DesktopState>) -> Result<AppInfo, ApiError> {
    let sandbox = state.sandbox.is_some();
    blocking(&state.ctx, move |ctx| app::status::app_info(ctx, sandbox)).await
}

#[tauri::command]
pub async fn list_connectors(
    state: State<'_, DesktopState>,
) -> Result<Vec<ConnectorSummary>, ApiError> {
    blocking(&state.ctx, app::status::connector_summaries).await
}

#[tauri::command]
pub async fn add_connectwise(
    app: AppHandle,
    state: State<'_, DesktopState>,
    input: ConnectwiseInput,
) -> Result<ConnectorSummary, ApiError> {
    let ctx = state.ctx.clone();
    let s = app::connectors::add_connectwise(&ctx, input).await?;
    emit_app_event(&app, AppEvent::ConnectorsChanged);
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
    emit_app_event(&app, AppEvent::ConnectorsChanged);
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
    emit_app_event(&app, AppEvent::ConnectorsChanged);
    Ok(s)
}

#[tauri::command]
pub async fn remove_connector(
    app: AppHandle,
    state: State<'_, DesktopState>,
    id: ConnectorId,
) -> Result<(), ApiError> {
    blocking(&state.ctx, move |ctx| app::connectors::remove(ctx, id)).await?;
    emit_app_event(&app, AppEvent::ConnectorsChanged);
    Ok(())
}

/// Sets an Autotask connector's time zone (IANA name).
#[tauri::command]
pub async fn set_time_zone(
    app: AppHandle,
    state: State<'_, DesktopState>,
    id: ConnectorId,
    zone: String,
) -> Result<ConnectorSummary, ApiError> {
    let s = blocking(&state.ctx, move |ctx| {
        app::connectors::set_time_zone(ctx, id, &zone)
    })
    .await?;
    emit_app_event(&app, AppEvent::ConnectorsChanged);
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
pub async fn get_settings(state: State<'_, DesktopState>) -> Result<SettingsView, ApiError> {
    blocking(&state.ctx, app::settings::get).await
}

#[tauri::command]
pub async fn save_settings(
    app: AppHandle,
    state: State<'_, DesktopState>,
    settings: SettingsView,
) -> Result<SettingsView, ApiError> {
    let saved = blocking(&state.ctx, move |ctx| app::settings::save(ctx, &settings)).await?;
    super::refresh_tray(&state);
    emit_app_event(&app, AppEvent::SettingsChanged);
    Ok(saved)
}

#[tauri::command]
pub async fn sync_now(app: AppHandle) -> Result<(), ApiError> {
    super::syncing::sync_now(&app).await
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
    emit_app_event(&app, AppEvent::run_finished(summary.run_id, summary.status));
    Ok(summary)
}

#[tauri::command]
pub async fn list_runs(
    state: State<'_, DesktopState>,
    connector_id: Option<ConnectorId>,
    limit: u32,
) -> Result<Vec<crate::sync::RunSummary>, ApiError> {
    blocking(&state.ctx, move |ctx| {
        app::sync::list_runs(ctx, connector_id, limit)
    })
    .await
}

#[tauri::command]
pub async fn run_detail(
    state: State<'_, DesktopState>,
    run_id: i64,
    workspace: Option<String>,
) -> Result<app::sync::RunDetail, ApiError> {
    blocking(&state.ctx, move |ctx| {
        app::sync::run_detail(ctx, run_id, workspace.as_deref())
    })
    .await
}

/// Settings → *Save diagnostics…*: the support archive, written to the data folder (the app has
/// no file-dialog plugin); the UI shows the path.
#[tauri::command]
pub async fn save_diagnostics(
    state: State<'_, DesktopState>,
    names: bool,
) -> Result<app::diagnostics::DiagnosticsSaved, ApiError> {
    app::diagnostics::save(&state.ctx, None, names).await
}

#[tauri::command]
pub async fn export_run_csv(
    state: State<'_, DesktopState>,
    run_id: i64,
) -> Result<String, ApiError> {
    blocking(&state.ctx, move |ctx| {
        Ok(app::sync::export_csv(ctx, run_id)?
            .to_string_lossy()
            .into_owned())
    })
    .await
}

#[tauri::command]
pub async fn coro_status(
    state: State<'_, DesktopState>,
) -> Result<crate::views::CoroStatus, ApiError> {
    blocking(&state.ctx, app::coro::status).await
}

#[tauri::command]
pub async fn coro_connect(
    app: AppHandle,
    state: State<'_, DesktopState>,
    input: crate::views::CoroInput,
) -> Result<crate::views::CoroStatus, ApiError> {
    let ctx = state.ctx.clone();
    let s = app::coro::connect(&ctx, input).await?;
    emit_app_event(&app, AppEvent::SettingsChanged);
    emit_app_event(&app, AppEvent::ConnectorsChanged);
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
    emit_app_event(&app, AppEvent::ConnectorsChanged);
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
    emit_app_event(&app, AppEvent::ConnectorsChanged);
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
    emit_app_event(&app, AppEvent::ConnectorsChanged);
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
    emit_app_event(&app, AppEvent::ConnectorsChanged);
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeSet;

    use super::super::command_list::COMMANDS;

    fn src(path: &str) -> String {
        let full = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path);
        std::fs::read_to_string(&full).unwrap_or_else(|e| panic!("{}: {e}", full.display()))
    }

    /// The capability allows exactly the commands the UI calls, each through the permission the
    /// app manifest generates for it; nothing else but listening to events.
    #[test]
    fn capability_allows_exactly_what_the_ui_calls() {
        let ipc = src("../ui/src/ipc/index.ts");
        // Every `call<T>('name'` / `call('name'` in the IPC module.
        let called: BTreeSet<String> = ipc
            .split("call")
            .skip(1)
            .filter_map(|rest| {
                let rest = rest
                    .strip_prefix('<')
                    .map_or(Some(rest), |r| r.find(">(").map(|i| &r[i + 1..]))?;
                let name = rest.strip_prefix("('")?;
                let end = name.find('\'')?;
                Some(name[..end].to_string())
            })
            .collect();
        let listed: BTreeSet<String> = COMMANDS.iter().map(|c| c.to_string()).collect();
        assert_eq!(called, listed, "ui/src/ipc/index.ts vs command_list.rs");

        let cap: serde_json::Value =
            serde_json::from_str(&src("capabilities/default.json")).unwrap();
        let allowed: BTreeSet<String> = cap["permissions"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(|p| p.as_str())
            .map(str::to_string)
            .collect();
        let mut want: BTreeSet<String> = COMMANDS
            .iter()
            .map(|c| format!("allow-{}", c.replace('_', "-")))
            .collect();
        want.insert("core:event:allow-listen".into());
        want.insert("core:event:allow-unlisten".into());
        assert_eq!(allowed, want);
    }
}
