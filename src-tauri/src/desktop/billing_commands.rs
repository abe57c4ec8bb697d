//! A connector's billing settings on its screen (issue 14, item 3): cadence, noise threshold
//! and *create missing lines*. Three lines each, as the other commands; the work is
//! [`app::cadence`].

use tauri::{AppHandle, State};

use super::commands::emit_app_event;
use super::DesktopState;
use crate::app::{self, blocking};
use crate::error::ApiError;
use crate::events::AppEvent;
use crate::model::ConnectorId;
use crate::sync::cadence::Billing;

#[tauri::command]
pub async fn get_billing(
    state: State<'_, DesktopState>,
    id: ConnectorId,
) -> Result<Billing, ApiError> {
    blocking(&state.ctx, move |ctx| app::cadence::get(ctx, id)).await
}

/// Stores the settings after checking them; a bad day or threshold is refused, nothing stored.
#[tauri::command]
pub async fn set_billing(
    app: AppHandle,
    state: State<'_, DesktopState>,
    id: ConnectorId,
    billing: Billing,
) -> Result<Billing, ApiError> {
    let b = blocking(&state.ctx, move |ctx| app::cadence::set(ctx, id, &billing)).await?;
    emit_app_event(&app, AppEvent::ConnectorsChanged);
    Ok(b)
}
