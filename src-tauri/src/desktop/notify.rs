//! Native notifications (D-Bus org.freedesktop.Notifications on Linux, Notification Center on
//! macOS, toasts on Windows). A notice about a run carries that run: on Linux clicking the
//! notification opens it (notify-rust's default action); elsewhere the tray's error state does,
//! since tauri-plugin-notification reports no clicks on desktop.

use tauri::{AppHandle, Runtime};
use tauri_plugin_notification::NotificationExt;

/// One notification: short title, one-line body, and the run it is about. Never a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub title: String,
    pub body: String,
    /// The run to open when the operator clicks the notification.
    pub run_id: Option<i64>,
}

/// Shows `notice`; a platform failure is logged, not raised — a missing notification daemon must
/// not fail a sync.
pub fn show<R: Runtime>(app: &AppHandle<R>, notice: &Notice) -> bool {
    #[cfg(all(unix, not(target_os = "macos")))]
    if let Some(run_id) = notice.run_id {
        if show_with_click(app, notice, run_id) {
            return true;
        }
    }
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

/// The default action ("clicked") opens the run in the window.
#[cfg(all(unix, not(target_os = "macos")))]
fn show_with_click<R: Runtime>(app: &AppHandle<R>, notice: &Notice, run_id: i64) -> bool {
    let shown = notify_rust::Notification::new()
        .appname("PSA Bridge")
        .summary(&notice.title)
        .body(&notice.body)
        .action("default", "Open run")
        .show();
    match shown {
        Ok(handle) => {
            let app = app.clone();
            // wait_for_action blocks until the notification is clicked or closed.
            std::thread::spawn(move || {
                handle.wait_for_action(|action| {
                    if action == "default" {
                        super::syncing::take_unseen_problem(&app);
                        let route = format!("history/{run_id}");
                        if let Err(e) = super::window::show(&app, Some(&route)) {
                            tracing::warn!(error = %e, "could not open the run from the notification");
                        }
                    }
                });
            });
            true
        }
        Err(e) => {
            tracing::warn!(error = %e, "notification with a click action failed; showing a plain one");
            false
        }
    }
}
