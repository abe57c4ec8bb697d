//! The one main window. Closing it destroys the webview (the WebKit process exits and its memory
//! is returned) while the app keeps running in the tray; opening it again builds a new one.

use tauri::{AppHandle, Emitter, Manager, Runtime, WebviewUrl, WebviewWindowBuilder};

pub const MAIN: &str = "main";

/// Shows the main window, creating it if it was closed, and optionally navigates to `route`.
pub fn show<R: Runtime>(app: &AppHandle<R>, route: Option<&str>) -> tauri::Result<()> {
    if let Some(w) = app.get_webview_window(MAIN) {
        w.show()?;
        w.unminimize()?;
        w.set_focus()?;
    } else {
        let url = match route {
            Some(r) => format!("index.html#/{r}"),
            None => "index.html".to_string(),
        };
        WebviewWindowBuilder::new(app, MAIN, WebviewUrl::App(url.into()))
            .title("PSA Bridge")
            .inner_size(1180.0, 760.0)
            .min_inner_size(900.0, 560.0)
            .build()?;
        return Ok(());
    }
    if let Some(r) = route {
        app.emit_to(MAIN, "navigate", r)?;
    }
    Ok(())
}

/// Destroys the main window if it exists (the app stays in the tray).
pub fn close<R: Runtime>(app: &AppHandle<R>) -> tauri::Result<()> {
    if let Some(w) = app.get_webview_window(MAIN) {
        w.destroy()?;
    }
    Ok(())
}

/// Hands memory freed by a destroyed webview back to the OS. glibc keeps freed heap pages in its
/// arenas, so without this the tray-only app keeps the window's high-water mark as private
/// memory. Other platforms' allocators return memory on their own.
pub fn release_freed_memory() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    {
        // WebKit tears the view down over the next moments; trim once it has.
        std::thread::spawn(|| {
            std::thread::sleep(std::time::Duration::from_secs(2));
            // SAFETY: malloc_trim only walks glibc's own allocator state; it takes no pointers
            // and is safe to call from any thread at any time.
            let released = unsafe { libc::malloc_trim(0) };
            tracing::debug!(released, "heap trimmed after the window closed");
        });
    }
}
