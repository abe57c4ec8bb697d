//! The app's open state, shared by the CLI and the desktop shell: the data folder, the database
//! and the keychain. State only: the reads the screens need (connector list, app info) and demo
//! mode live in `app/`, which builds on this (nothing here imports `app/`). No Tauri here.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::ApiError;
use crate::secrets::{CredentialsDir, KeyringStore, SecretStore};
use crate::store::{self, Store};

/// Setting keys (the `settings` table).
pub mod keys {
    pub const DAILY_SYNC_PAUSED: &str = "daily_sync_paused";
}

/// Cheap to clone (a path, a path, a shared handle): async code hands a clone to a blocking
/// thread for SQLite and keychain calls (the app layer's `blocking` helper).
#[derive(Clone)]
pub struct AppContext {
    pub data_dir: PathBuf,
    pub store: Store,
    pub secrets: Arc<dyn SecretStore>,
}

impl AppContext {
    /// Opens the data folder (`--data-dir`, `PSA_BRIDGE_DATA_DIR` or the OS default) with the
    /// OS keychain.
    pub fn open(data_dir_flag: Option<PathBuf>) -> Result<AppContext, ApiError> {
        AppContext::open_with(data_dir_flag, None)
    }

    /// Opens the data folder with its secrets in `credentials_dir` (`--credentials-dir`,
    /// `$CREDENTIALS_DIRECTORY`) when given, else in the OS keychain.
    pub fn open_with(
        data_dir_flag: Option<PathBuf>,
        credentials_dir: Option<PathBuf>,
    ) -> Result<AppContext, ApiError> {
        let dir = crate::paths::data_dir(data_dir_flag)?;
        match credentials_dir {
            Some(creds) => {
                let secrets: Arc<dyn SecretStore> = Arc::new(CredentialsDir::open(&creds)?);
                AppContext::with_secrets(&dir, secrets)
            }
            None => AppContext::open_at(&dir),
        }
    }

    /// Opens `dir` with the OS keychain, namespaced by this database's install id.
    pub fn open_at(dir: &Path) -> Result<AppContext, ApiError> {
        let store = Store::open_in(dir)?;
        settle_time_zones(&store)?;
        let install_id = store::settings::install_id(&store.conn()?)?;
        let secrets: Arc<dyn SecretStore> = Arc::new(KeyringStore::new(&install_id));
        Ok(AppContext {
            data_dir: dir.to_path_buf(),
            store,
            secrets,
        })
    }

    /// Opens `dir` with a caller-chosen secret store (tests use the in-memory one).
    pub fn with_secrets(dir: &Path, secrets: Arc<dyn SecretStore>) -> Result<AppContext, ApiError> {
        let store = Store::open_in(dir)?;
        settle_time_zones(&store)?;
        Ok(AppContext {
            data_dir: dir.to_path_buf(),
            store,
            secrets,
        })
    }

    pub fn daily_sync_paused(&self) -> Result<bool, ApiError> {
        let conn = self.store.conn()?;
        Ok(store::settings::get_bool(&conn, keys::DAILY_SYNC_PAUSED)?.unwrap_or(false))
    }

    pub fn set_daily_sync_paused(&self, paused: bool) -> Result<(), ApiError> {
        let conn = self.store.conn()?;
        store::settings::set_bool(&conn, keys::DAILY_SYNC_PAUSED, paused)?;
        Ok(())
    }
}

/// Gives every Autotask connector stored before time zones existed this computer's zone, so the
/// zone it syncs with is the one the operator sees (and stays put if the computer moves).
fn settle_time_zones(store: &Store) -> Result<(), ApiError> {
    let conn = store.conn()?;
    let m = crate::autotask::tz::machine_zone();
    let n = store::connectors::fill_config_default(
        &conn,
        crate::model::PsaKind::Autotask,
        crate::autotask::TIME_ZONE_KEY,
        m.zone.name(),
    )?;
    if n > 0 {
        tracing::info!(connectors = n, zone = m.zone.name(), note = ?m.note, "Autotask time zone set to this computer's");
    }
    Ok(())
}
