//! Native notifications (tauri-plugin-notification: D-Bus org.freedesktop.Notifications on Linux,
//! Notification Center on macOS, toast on Windows). Later issues call [`show`] for failed runs and
//! runs that hold changes for approval.

use tauri::{AppHandle, Runtime};
use tauri_plugin_notification::NotificationExt;

/// One notification: short title, one-line body. Never put a secret in either.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub title: String,
    pub body: String,
}

/// Shows `notice`; a platform failure is logged, not raised — a missing notification daemon must
/// not fail a sync.
pub fn show<R: Runtime>(app: &AppHandle<R>, notice: &Notice) -> bool {
    match app
        .notification()
        .builder()
        .title(&notice.title)
        .body(&notice.body)
        .show()
    {
        Ok(()) => true,
        Err(e) => {
            tracing::warn!(error = %e, title = %notice.title, "notification could not be shown");
            false
        }
    }
}
