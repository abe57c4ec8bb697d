//! Native notifications through notify-rust (D-Bus org.freedesktop.Notifications on Linux,
//! Notification Center on macOS, toasts on Windows), used by both roles without Tauri. A notice
//! about a run carries that run: on Linux clicking the notification opens it (the default
//! action); elsewhere the tray's error state does (opening the app shows the run).

use super::runner::Notice;

/// Shows `notice`; `open_run` is called with the run when the operator clicks it. A platform
/// failure is logged, not raised: a missing notification daemon must not fail a sync.
pub fn show<F>(notice: &Notice, open_run: F) -> bool
where
    F: FnOnce(i64) + Send + 'static,
{
    let mut n = notify_rust::Notification::new();
    n.summary(&notice.title).body(&notice.body);
    #[cfg(all(unix, not(target_os = "macos")))]
    {
        n.appname("PSA Bridge");
        if let Some(run_id) = notice.run_id {
            n.action("default", "Open run");
            match n.show() {
                Ok(handle) => {
                    // wait_for_action blocks until the notification is clicked or closed.
                    std::thread::spawn(move || {
                        handle.wait_for_action(|action| {
                            if action == "default" {
                                open_run(run_id);
                            }
                        });
                    });
                    return true;
                }
                Err(e) => {
                    tracing::warn!(error = %e, title = %notice.title, "notification could not be shown");
                    return false;
                }
            }
        }
    }
    let _ = open_run;
    match n.show() {
        Ok(_) => true,
        Err(e) => {
            tracing::warn!(error = %e, title = %notice.title, "notification could not be shown");
            false
        }
    }
}
