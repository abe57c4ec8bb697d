//! Tauri commands of the operator's bulk and edit jobs (issue 12): parse, call the core, map the
//! error, as in [`super::commands`].

use tauri::{AppHandle, State};

use super::commands::emit_app_event;
use super::DesktopState;
use crate::app::connector_edit::{ConnectorEdit, ConnectorSettings};
use crate::app::mapping_csv::ImportReport;
use crate::app::mapping_import::WorkspaceChange;
use crate::app::{self, blocking};
use crate::error::ApiError;
use crate::events::AppEvent;
use crate::model::{ConnectorId, ConnectorSummary};
use crate::sync::held::HeldKey;

/// Edits a connector in place (checked live when its connection changes; nothing saved on error).
#[tauri::command]
pub async fn edit_connector(
    app: AppHandle,
    state: State<'_, DesktopState>,
    id: ConnectorId,
    edit: ConnectorEdit,
) -> Result<ConnectorSummary, ApiError> {
    let s = app::connector_edit::edit(&state.ctx, id, edit).await?;
    emit_app_event(&app, AppEvent::ConnectorsChanged);
    Ok(s)
}

/// A connector's non-secret settings, to fill the edit form.
#[tauri::command]
pub async fn connector_settings(
    state: State<'_, DesktopState>,
    id: ConnectorId,
) -> Result<ConnectorSettings, ApiError> {
    blocking(&state.ctx, move |ctx| {
        app::connector_edit::settings_of(ctx, id)
    })
    .await
}

/// Review held changes: a fresh preview holding only the held items.
#[tauri::command]
pub async fn held_preview(
    state: State<'_, DesktopState>,
    connector_id: ConnectorId,
) -> Result<app::sync::PlanView, ApiError> {
    app::held_review::held_preview(&state.ctx, &state.previews, connector_id).await
}

/// Applies the approved held items of a held preview as a run of their own (the others are
/// recorded as rejected).
#[tauri::command]
pub async fn apply_held(
    app: AppHandle,
    state: State<'_, DesktopState>,
    connector_id: ConnectorId,
    plan_id: String,
    approved: Vec<HeldKey>,
) -> Result<crate::sync::RunSummary, ApiError> {
    let progress = super::syncing::progress_emitter(&app);
    let summary = app::held_review::apply_held(
        &state.ctx,
        &state.previews,
        connector_id,
        &plan_id,
        &approved,
        &progress,
    )
    .await?;
    emit_app_event(&app, AppEvent::run_finished(summary.run_id, summary.status));
    Ok(summary)
}

/// Maps or unmaps many workspaces at once, all or nothing.
#[tauri::command]
pub async fn bulk_map_workspaces(
    app: AppHandle,
    state: State<'_, DesktopState>,
    connector_id: ConnectorId,
    changes: Vec<WorkspaceChange>,
) -> Result<Vec<crate::views::WorkspaceRow>, ApiError> {
    let rows = app::mapping_import::bulk_workspaces(&state.ctx, connector_id, &changes).await?;
    emit_app_event(&app, AppEvent::ConnectorsChanged);
    Ok(rows)
}

/// The connector's mappings as CSV, saved to the exports folder; returns the file's path.
#[tauri::command]
pub async fn export_mappings(
    state: State<'_, DesktopState>,
    connector_id: ConnectorId,
) -> Result<String, ApiError> {
    let text = app::mapping_import::export(&state.ctx, connector_id).await?;
    blocking(&state.ctx, move |ctx| {
        let dir = ctx.data_dir.join("exports");
        let io = |e: std::io::Error| {
            ApiError::new(
                crate::error::ErrorCode::Storage,
                format!("could not save the export in {}: {e}", dir.display()),
            )
        };
        std::fs::create_dir_all(&dir).map_err(io)?;
        let name = format!(
            "psa-bridge-mappings-{connector_id}-{}.csv",
            chrono::Utc::now().format("%Y-%m-%d-%H%M%S")
        );
        let path = dir.join(name);
        std::fs::write(&path, text.as_bytes()).map_err(io)?;
        Ok(path.display().to_string())
    })
    .await
}

/// Checks (and unless `dry_run`, applies) a mappings CSV the operator chose; all or nothing.
#[tauri::command]
pub async fn import_mappings(
    app: AppHandle,
    state: State<'_, DesktopState>,
    connector_id: ConnectorId,
    text: String,
    dry_run: bool,
) -> Result<ImportReport, ApiError> {
    let report = app::mapping_import::import(&state.ctx, connector_id, &text, dry_run).await?;
    if report.applied {
        emit_app_event(&app, AppEvent::ConnectorsChanged);
    }
    Ok(report)
}

/// Remembers the page the window shows, for the next *Open PSA Bridge*.
#[tauri::command]
pub async fn remember_page(state: State<'_, DesktopState>, route: String) -> Result<(), ApiError> {
    blocking(&state.ctx, move |ctx| app::last_page::remember(ctx, &route)).await
}

/// Excludes one workspace × service from billing (or includes it again).
#[tauri::command]
pub async fn set_excluded(
    state: State<'_, DesktopState>,
    connector_id: ConnectorId,
    workspace_id: String,
    service_key: String,
    excluded: bool,
) -> Result<(), ApiError> {
    blocking(&state.ctx, move |ctx| {
        app::exclusions::set_excluded(ctx, connector_id, &workspace_id, &service_key, excluded)
    })
    .await
}
