//! *Launch at login* from the window's Settings (the tray menu has the same toggle). The login
//! entry starts the tray process (`psa-bridge --hidden`), which sits next to this window
//! process's executable; the keychain-free, OS-specific part is [`super::autostart`].

use std::path::PathBuf;

use tauri::State;

use super::{autostart, refresh_tray, DesktopState};
use crate::error::{ApiError, ErrorCode};

/// The tray executable beside this window process (`psa-bridge`, `psa-bridge.exe` on Windows).
fn tray_exe() -> Result<PathBuf, ApiError> {
    let me = std::env::current_exe().map_err(|e| {
        ApiError::new(
            ErrorCode::Internal,
            format!("Could not find PSA Bridge's own program file: {e}"),
        )
    })?;
    Ok(me.with_file_name(format!("psa-bridge{}", std::env::consts::EXE_SUFFIX)))
}

fn entry() -> Result<auto_launch::AutoLaunch, ApiError> {
    autostart::for_exe(&tray_exe()?).map_err(failed)
}

fn failed(e: auto_launch::Error) -> ApiError {
    ApiError::new(
        ErrorCode::Internal,
        format!("Could not change Launch at login: {e}. Try the tray menu's Launch at login."),
    )
}

fn enabled() -> Result<bool, ApiError> {
    entry()?.is_enabled().map_err(failed)
}

/// Whether PSA Bridge starts (in the tray) at login.
#[tauri::command]
pub async fn launch_at_login() -> Result<bool, ApiError> {
    tauri::async_runtime::spawn_blocking(enabled)
        .await
        .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?
}

/// Turns *Launch at login* on or off; returns the state now in effect. The tray's menu follows.
#[tauri::command]
pub async fn set_launch_at_login(
    state: State<'_, DesktopState>,
    on: bool,
) -> Result<bool, ApiError> {
    let now = tauri::async_runtime::spawn_blocking(move || {
        let e = entry()?;
        let result = if on { e.enable() } else { e.disable() };
        match result {
            // Disabling an entry that is not there is done already.
            Err(auto_launch::Error::Io(err))
                if !on && err.kind() == std::io::ErrorKind::NotFound => {}
            other => other.map_err(failed)?,
        }
        e.is_enabled().map_err(failed)
    })
    .await
    .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))??;
    refresh_tray(&state);
    Ok(now)
}
