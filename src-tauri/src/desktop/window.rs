//! The one main window of the window process. Closing it ends the process (and with it WebKit
//! and its memory); the tray process starts a new one when the window is opened again.

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
