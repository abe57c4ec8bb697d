//! The PSA ticket settings in a connector's Billing settings dialog (issue 14, item 4): read and
//! store them, and list the boards / queues from the PSA. Three lines each; the work is
//! [`app::tickets`].

use tauri::{AppHandle, State};

use super::commands::emit_app_event;
use super::DesktopState;
use crate::app::{self, blocking};
use crate::error::ApiError;
use crate::events::AppEvent;
use crate::model::ConnectorId;
use crate::tickets::{TicketQueue, TicketSettings};

#[tauri::command]
pub async fn get_tickets(
    state: State<'_, DesktopState>,
    id: ConnectorId,
) -> Result<app::tickets::TicketsView, ApiError> {
    blocking(&state.ctx, move |ctx| app::tickets::get(ctx, id)).await
}

/// Stores the settings after checking them; on without a board / queue is refused.
#[tauri::command]
pub async fn set_tickets(
    app: AppHandle,
    state: State<'_, DesktopState>,
    id: ConnectorId,
    settings: TicketSettings,
) -> Result<app::tickets::TicketsView, ApiError> {
    let v = blocking(&state.ctx, move |ctx| app::tickets::set(ctx, id, &settings)).await?;
    emit_app_event(&app, AppEvent::ConnectorsChanged);
    Ok(v)
}

/// The ConnectWise service boards / Autotask queues, read from the PSA.
#[tauri::command]
pub async fn ticket_queues(
    state: State<'_, DesktopState>,
    id: ConnectorId,
) -> Result<Vec<TicketQueue>, ApiError> {
    app::tickets::queues(&state.ctx, id).await
}
