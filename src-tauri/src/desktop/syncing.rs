//! Syncs seen from the window process: *Sync now* goes to the tray process when there is one
//! (it runs the sync, the window shows the progress it sends); a window on its own runs the sync
//! itself through the same [`runner`].

use std::sync::Arc;

use tauri::{AppHandle, Emitter, Manager, Runtime};

use super::runner::{self, Notice, SyncHost, SyncState};
use super::{link, DesktopState};
use crate::context::AppContext;
use crate::error::{ApiError, ErrorCode};
use crate::events::{AppEvent, APP_EVENT};
use crate::sync::{Progress, Trigger};

/// Sends an [`AppEvent`] to the window.
pub fn emit<R: Runtime>(app: &AppHandle<R>, event: AppEvent) {
    if let Err(e) = app.emit(APP_EVENT, event) {
        tracing::debug!(error = %e, "event not delivered");
    }
}

pub fn progress_emitter<R: Runtime>(
    app: &AppHandle<R>,
) -> impl Fn(Progress) + Send + Sync + 'static {
    let app = app.clone();
    move |p: Progress| emit(&app, AppEvent::progress(&p))
}

/// The [`SyncHost`] of a window running on its own.
struct WindowHost<R: Runtime> {
    app: AppHandle<R>,
    ctx: Arc<AppContext>,
}

impl<R: Runtime> Clone for WindowHost<R> {
    fn clone(&self) -> Self {
        WindowHost {
            app: self.app.clone(),
            ctx: self.ctx.clone(),
        }
    }
}

impl<R: Runtime> SyncHost for WindowHost<R> {
    fn ctx(&self) -> Arc<AppContext> {
        self.ctx.clone()
    }
    fn sync_state(&self) -> &SyncState {
        // The state lives as long as the app; the host only exists while the app does.
        &self.app.state::<DesktopState>().inner().sync
    }
    fn emit(&self, event: AppEvent) {
        emit(&self.app, event);
    }
    fn notify(&self, notice: &Notice) {
        let app = self.app.clone();
        super::notify::show(notice, move |run| {
            let route = format!("history/{run}");
            if let Err(e) = super::window::show(&app, Some(&route)) {
                tracing::warn!(error = %e, "could not open the run from the notification");
            }
        });
    }
    fn refresh(&self) {}
}

/// *Sync now* from the window: by the tray process when there is one, else here.
pub async fn sync_now<R: Runtime>(app: &AppHandle<R>) -> Result<(), ApiError> {
    let state = app
        .try_state::<DesktopState>()
        .ok_or_else(|| ApiError::new(ErrorCode::Internal, "app state missing"))?;
    if let Some(dir) = state.tray.clone() {
        return tauri::async_runtime::spawn_blocking(move || {
            link::request(&dir, &link::Request::SyncNow)
        })
        .await
        .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?
        .map_err(ApiError::from);
    }
    let host = WindowHost {
        app: app.clone(),
        ctx: state.ctx.clone(),
    };
    runner::start_all(&host, &tokio::runtime::Handle::current(), Trigger::Ui)
}
