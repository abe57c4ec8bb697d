//! *Open folder* beside a saved file (a run's CSV, the mappings CSV, the reconciliation CSV, a
//! diagnostics archive): the folder opens in the OS's file manager. The UI names the folder by
//! kind, never by path, so the webview cannot have any other path opened.

use std::path::{Path, PathBuf};

use serde::Deserialize;
use tauri::State;
use ts_rs::TS;

use super::DesktopState;
use crate::error::{ApiError, ErrorCode};

/// The folders of the data folder the app saves files into.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub enum SavedFolder {
    /// `exports/`: CSV exports (runs, mappings, reconciliation).
    Exports,
    /// `diagnostics/`: support archives.
    Diagnostics,
}

/// The folder on disk (created if it is not there yet).
pub fn folder(data_dir: &Path, which: SavedFolder) -> Result<PathBuf, ApiError> {
    let dir = data_dir.join(match which {
        SavedFolder::Exports => "exports",
        SavedFolder::Diagnostics => "diagnostics",
    });
    std::fs::create_dir_all(&dir).map_err(|e| {
        ApiError::new(
            ErrorCode::Internal,
            format!("Could not create the folder {}: {e}", dir.display()),
        )
    })?;
    Ok(dir)
}

/// Opens the folder with the OS's file manager.
fn open(dir: &Path) -> Result<(), String> {
    // Tests and benchmarks can name the program instead (it gets the folder as its argument).
    #[cfg(feature = "bench-hooks")]
    if let Ok(program) = std::env::var("PSA_BRIDGE_OPEN_WITH") {
        return std::process::Command::new(program)
            .arg(dir)
            .status()
            .map_err(|e| e.to_string())
            .and_then(|s| {
                if s.success() {
                    Ok(())
                } else {
                    Err(s.to_string())
                }
            });
    }
    opener::open(dir).map_err(|e| e.to_string())
}

#[tauri::command]
pub async fn open_saved_folder(
    state: State<'_, DesktopState>,
    which: SavedFolder,
) -> Result<(), ApiError> {
    let dir = folder(&state.ctx.data_dir, which)?;
    tauri::async_runtime::spawn_blocking(move || {
        open(&dir).map_err(|e| {
            ApiError::new(
                ErrorCode::Internal,
                format!(
                    "Could not open {} in the file manager ({e}); the file is saved there",
                    dir.display()
                ),
            )
        })
    })
    .await
    .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn each_kind_names_its_own_folder_and_creates_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let exports = folder(dir.path(), SavedFolder::Exports).expect("exports");
        assert_eq!(exports, dir.path().join("exports"));
        assert!(exports.is_dir());
        let diag = folder(dir.path(), SavedFolder::Diagnostics).expect("diagnostics");
        assert_eq!(diag, dir.path().join("diagnostics"));
        assert!(diag.is_dir());
        // The UI can only name a kind, never a path.
        assert!(serde_json::from_str::<SavedFolder>("\"../../etc\"").is_err());
    }
}
