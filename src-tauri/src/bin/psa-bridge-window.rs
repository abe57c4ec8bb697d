//! The window process of the desktop app: the Tauri webview, started by the tray process
//! (`psa-bridge`) when the window is opened and ended when it closes. It can also run on its own
//! (`--sandbox` demo mode, tests). See `psa_bridge::desktop`.
#![cfg_attr(all(windows, not(debug_assertions)), windows_subsystem = "windows")]

use std::process::ExitCode;

#[cfg(feature = "desktop")]
fn main() -> ExitCode {
    psa_bridge::desktop::window_main()
}

#[cfg(not(feature = "desktop"))]
fn main() -> ExitCode {
    eprintln!(
        "psa-bridge-window: this build has no desktop app (built without the `desktop` feature)"
    );
    ExitCode::from(2)
}
