//! The run page's *Undo this run…*: preview (`dry_run`), then apply. Three lines each, as the
//! other commands; the work is [`app::undo::undo_run`].

use tauri::{AppHandle, State};

use super::DesktopState;
use crate::app;
use crate::error::ApiError;
use crate::events::AppEvent;
use crate::sync::undo::UndoOutcome;
use crate::sync::Trigger;

#[tauri::command]
pub async fn undo_run(
    app: AppHandle,
    state: State<'_, DesktopState>,
    run_id: i64,
    items: Vec<i64>,
    dry_run: bool,
) -> Result<UndoOutcome, ApiError> {
    let ctx = state.ctx.clone();
    let progress = super::syncing::progress_emitter(&app);
    let out = app::undo::undo_run(&ctx, run_id, items, dry_run, Trigger::Ui, &progress).await?;
    if let Some(summary) = &out.summary {
        super::syncing::emit(&app, AppEvent::run_finished(summary.run_id, summary.status));
    }
    Ok(out)
}
