//! Where PSA Bridge keeps its data folder (the SQLite database and nothing secret): the
//! `--data-dir` flag wins, then `PSA_BRIDGE_DATA_DIR`, else the OS app-data folder
//! (Windows `%APPDATA%\PSA Bridge\PSA Bridge\data`, macOS
//! `~/Library/Application Support/net.psabridge.app` — the bundle identifier, as macOS expects —
//! Linux `$XDG_DATA_HOME/psabridge`). The choice is a pure function; only [`data_dir`] reads
//! the environment.
//!
//! Before the first packaged release the macOS folder was `net.PSA-Bridge.PSA-Bridge`; a
//! folder found there is moved to the new name once ([`adopt_legacy`]), keeping the database
//! and its install id, and so the keychain entries named after it.

use std::io;
use std::path::{Path, PathBuf};

use crate::error::{ApiError, ErrorCode};

/// Environment variable naming the data folder (below `--data-dir`, above the OS default).
pub const DATA_DIR_ENV: &str = "PSA_BRIDGE_DATA_DIR";

#[derive(Debug, thiserror::Error)]
pub enum PathError {
    #[error(
        "Could not find an app-data folder for this user (no home folder?); pass --data-dir \
         <folder> or set {DATA_DIR_ENV}"
    )]
    NoDefault,

    #[error(
        "Could not create the data folder {path}: {source} — check its permissions, or pass \
         --data-dir <folder> or set {DATA_DIR_ENV}"
    )]
    Create { path: PathBuf, source: io::Error },

    #[error("The data folder {path} exists but is not a folder; pass --data-dir <folder>")]
    NotAFolder { path: PathBuf },
}

impl From<PathError> for ApiError {
    fn from(err: PathError) -> Self {
        ApiError::new(ErrorCode::Storage, err.to_string())
    }
}

/// Resolves the data folder from the flag, `PSA_BRIDGE_DATA_DIR` and the OS default, creating it
/// if missing. Returns an absolute path.
pub fn data_dir(flag: Option<PathBuf>) -> Result<PathBuf, PathError> {
    let env = std::env::var_os(DATA_DIR_ENV).map(PathBuf::from);
    let chosen = choose_data_dir(flag, env, os_data_dir()).ok_or(PathError::NoDefault)?;
    ensure_dir(&chosen)
}

/// The pure choice: flag, then env, then OS default. Empty values count as unset.
pub fn choose_data_dir(
    flag: Option<PathBuf>,
    env: Option<PathBuf>,
    os_default: Option<PathBuf>,
) -> Option<PathBuf> {
    [flag, env, os_default]
        .into_iter()
        .flatten()
        .find(|p| !p.as_os_str().is_empty())
}

/// The bundle identifier (`tauri.conf.json`); on macOS also the data folder's name.
pub const BUNDLE_IDENTIFIER: &str = "net.psabridge.app";

/// The OS app-data folder for PSA Bridge, if the user has a home folder.
pub fn os_data_dir() -> Option<PathBuf> {
    if cfg!(target_os = "macos") {
        let base = directories::BaseDirs::new()?.data_dir().to_path_buf();
        let current = base.join(BUNDLE_IDENTIFIER);
        // The folder an earlier build used (`ProjectDirs` naming), adopted once.
        let legacy = directories::ProjectDirs::from("net", "PSA Bridge", "PSA Bridge")
            .map(|d| d.data_dir().to_path_buf());
        if let Some(legacy) = legacy {
            if let Err(e) = adopt_legacy(&legacy, &current) {
                tracing::warn!(error = %e, "could not move the old data folder; using it as is");
                return Some(legacy);
            }
        }
        return Some(current);
    }
    directories::ProjectDirs::from("net", "PSA Bridge", "PSA Bridge")
        .map(|d| d.data_dir().to_path_buf())
}

/// Moves a data folder from its old name to `current` when only the old one exists. Returns
/// whether it moved anything. A rename within one folder: atomic, nothing copied.
pub fn adopt_legacy(legacy: &Path, current: &Path) -> io::Result<bool> {
    if current.exists() || !legacy.is_dir() || legacy == current {
        return Ok(false);
    }
    if let Some(parent) = current.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::rename(legacy, current)?;
    Ok(true)
}

/// Creates `path` (and parents) if missing and makes it absolute.
pub fn ensure_dir(path: &Path) -> Result<PathBuf, PathError> {
    let create_err = |source| PathError::Create {
        path: path.to_path_buf(),
        source,
    };
    let abs = std::path::absolute(path).map_err(create_err)?;
    if abs.exists() && !abs.is_dir() {
        return Err(PathError::NotAFolder { path: abs });
    }
    std::fs::create_dir_all(&abs).map_err(create_err)?;
    Ok(abs)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn p(s: &str) -> Option<PathBuf> {
        Some(PathBuf::from(s))
    }

    #[test]
    fn flag_wins_then_env_then_os_default() {
        assert_eq!(choose_data_dir(p("/flag"), p("/env"), p("/os")), p("/flag"));
        assert_eq!(choose_data_dir(None, p("/env"), p("/os")), p("/env"));
        assert_eq!(choose_data_dir(None, None, p("/os")), p("/os"));
        assert_eq!(choose_data_dir(p(""), p(""), p("/os")), p("/os"));
        assert_eq!(choose_data_dir(None, None, None), None);
    }

    #[test]
    fn ensure_dir_creates_nested_folders_and_is_idempotent() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("a").join("b");
        let made = ensure_dir(&target).unwrap();
        assert!(made.is_dir() && made.is_absolute());
        assert_eq!(ensure_dir(&target).unwrap(), made);
    }

    #[test]
    fn a_file_in_the_way_is_a_clear_error() {
        let tmp = tempfile::tempdir().unwrap();
        let file = tmp.path().join("file");
        std::fs::write(&file, b"x").unwrap();
        let err = ensure_dir(&file).unwrap_err();
        assert!(matches!(err, PathError::NotAFolder { .. }), "{err:?}");
        assert!(err.to_string().contains("--data-dir"));
        assert_eq!(ApiError::from(err).code, ErrorCode::Storage);
    }

    #[test]
    fn data_dir_uses_the_flag_and_creates_it() {
        let tmp = tempfile::tempdir().unwrap();
        let target = tmp.path().join("flagged");
        assert_eq!(data_dir(Some(target.clone())).unwrap(), target);
        assert!(target.is_dir());
    }

    #[test]
    fn an_old_data_folder_is_moved_to_the_new_name_once() {
        let tmp = tempfile::tempdir().unwrap();
        let legacy = tmp.path().join("net.PSA-Bridge.PSA-Bridge");
        let current = tmp.path().join(BUNDLE_IDENTIFIER);
        std::fs::create_dir_all(&legacy).unwrap();
        std::fs::write(legacy.join("psa-bridge.sqlite3"), b"db").unwrap();
        assert!(adopt_legacy(&legacy, &current).unwrap());
        assert_eq!(
            std::fs::read(current.join("psa-bridge.sqlite3")).unwrap(),
            b"db"
        );
        assert!(!legacy.exists());
        // Nothing left to move; and an existing new folder is never replaced.
        assert!(!adopt_legacy(&legacy, &current).unwrap());
        std::fs::create_dir_all(&legacy).unwrap();
        assert!(!adopt_legacy(&legacy, &current).unwrap());
        assert!(legacy.exists() && current.join("psa-bridge.sqlite3").exists());
    }

    #[test]
    fn the_bundle_identifier_is_the_one_tauri_conf_declares() {
        let conf: serde_json::Value =
            serde_json::from_str(include_str!("../tauri.conf.json")).unwrap();
        assert_eq!(conf["identifier"], BUNDLE_IDENTIFIER);
        if cfg!(target_os = "macos") {
            assert!(os_data_dir().unwrap().ends_with(BUNDLE_IDENTIFIER));
        }
    }

    #[test]
    fn os_default_names_psa_bridge() {
        // Every CI OS has a home folder.
        let dir = os_data_dir().unwrap();
        let s = dir.to_string_lossy().to_lowercase();
        assert!(s.contains("psa") && s.contains("bridge"), "{s}");
    }
}
