//! The app's open state, shared by the CLI and the desktop shell: the data folder, the database,
//! the keychain, and the reads the screens need (connector list, app info). No Tauri here.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::error::{ApiError, ErrorCode};
use crate::model::{AppInfo, ConnectionState, ConnectionStatus, ConnectorSummary, MappingCount};
use crate::secrets::{CredentialsDir, KeyringStore, SecretStore};
use crate::store::{self, Store};

/// Setting keys (the `settings` table).
pub mod keys {
    pub const DAILY_SYNC_PAUSED: &str = "daily_sync_paused";
}

/// Cheap to clone (a path, a path, a shared handle): async code hands a clone to a blocking
/// thread for SQLite and keychain calls ([`crate::app::blocking`]).
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

    pub fn app_info(&self, sandbox: bool) -> Result<AppInfo, ApiError> {
        let conn = self.store.conn()?;
        Ok(AppInfo {
            version: crate::build_info::VERSION.to_string(),
            commit: crate::build_info::COMMIT.to_string(),
            data_dir: self.data_dir.to_string_lossy().into_owned(),
            sandbox,
            daily_sync_paused: self.daily_sync_paused()?,
            next_sync_at: crate::app::sync::next_due(self, chrono::Utc::now())?
                .map(|t| t.to_rfc3339()),
            coro_connected: store::coro::get(&conn)?.is_some(),
        })
    }

    /// The rows of the Connectors page (PSA tab).
    pub fn connector_summaries(&self) -> Result<Vec<ConnectorSummary>, ApiError> {
        let conn = self.store.conn()?;
        let rows = store::connectors::list(&conn)?;
        // Totals come from the last Coro reads (the list never waits on the network).
        let workspace_total: u32 = store::settings::get(&conn, crate::app::coro::WORKSPACE_COUNT)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(0);
        let service_total =
            crate::coro::catalog::catalogue(crate::app::coro::seen_services(self)?).len() as u32;
        rows.into_iter()
            .map(|row| {
                let status = store::status::get(&conn, row.id)?
                    .map(|s| s.connection_status())
                    .unwrap_or(ConnectionStatus {
                        state: ConnectionState::Untested,
                        message: None,
                        checked_at: None,
                    });
                let counts = store::mappings::counts(&conn, row.id)?;
                let last_sync = store::runs::latest(&conn, row.id, false)?.map(|r| r.last_sync());
                let time_zone = row
                    .config
                    .get(crate::autotask::TIME_ZONE_KEY)
                    .and_then(serde_json::Value::as_str)
                    .map(str::to_string);
                Ok(ConnectorSummary {
                    id: row.id,
                    kind: row.kind,
                    name: row.name,
                    status,
                    workspace_mapping: MappingCount {
                        mapped: counts.workspaces,
                        total: workspace_total.max(counts.workspaces),
                    },
                    service_mapping: MappingCount {
                        mapped: counts.services,
                        total: service_total.max(counts.services),
                    },
                    last_sync,
                    time_zone,
                })
            })
            .collect()
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

/// Demo mode: a sandbox running on its own runtime plus a context on its own data folder
/// (`sandbox/` inside the normal one).
#[cfg(feature = "demo")]
pub struct Demo {
    pub sandbox: crate::sandbox::Sandbox,
    /// Keeps the sandbox's servers running; dropped last.
    _runtime: tokio::runtime::Runtime,
}

/// Opens demo mode: starts the sandbox (ports from 47800 when free, so the URLs the README
/// names work; any free ports otherwise) and a fresh demo data folder seeded by
/// [`crate::app::demo::seed`].
#[cfg(feature = "demo")]
pub fn open_demo(data_dir_flag: Option<PathBuf>) -> Result<(AppContext, Demo), ApiError> {
    let base = crate::paths::data_dir(data_dir_flag)?;
    let dir = base.join("sandbox");
    std::fs::create_dir_all(&dir).map_err(|e| {
        ApiError::new(
            ErrorCode::Storage,
            format!("could not create {}: {e}", dir.display()),
        )
    })?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("sandbox")
        .enable_all()
        .build()
        .map_err(|e| {
            ApiError::new(
                ErrorCode::Internal,
                format!("could not start the sandbox runtime: {e}"),
            )
        })?;
    let fixed = crate::sandbox::SandboxOptions {
        port_base: 47800,
        ..Default::default()
    };
    let sandbox = match runtime.block_on(crate::sandbox::start(fixed)) {
        Ok(sb) => sb,
        Err(e) => {
            tracing::warn!(error = %e, "fixed sandbox ports busy; using free ports");
            runtime
                .block_on(crate::sandbox::start(
                    crate::sandbox::SandboxOptions::default(),
                ))
                .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?
        }
    };
    // A fresh demo every launch: the sandbox's data is fresh too, and its ports may differ.
    if dir.join(crate::store::DB_FILE_NAME).exists() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    std::fs::create_dir_all(&dir).map_err(|e| {
        ApiError::new(
            ErrorCode::Storage,
            format!("could not create {}: {e}", dir.display()),
        )
    })?;
    // The demo's throwaway secrets live in memory only: the real keychain is never touched.
    let ctx = AppContext::with_secrets(&dir, Arc::new(crate::secrets::MemoryStore::volatile()))?;
    runtime.block_on(crate::app::demo::seed(&ctx, &sandbox.info))?;
    Ok((
        ctx,
        Demo {
            sandbox,
            _runtime: runtime,
        },
    ))
}

/// A build without the `demo` feature has no demo mode: nothing can be a [`Demo`].
#[cfg(not(feature = "demo"))]
pub enum Demo {}

/// A build without the `demo` feature says so when demo mode is asked for.
#[cfg(not(feature = "demo"))]
pub fn open_demo(_data_dir_flag: Option<PathBuf>) -> Result<(AppContext, Demo), ApiError> {
    Err(ApiError::new(
        ErrorCode::InvalidInput,
        "this build of PSA Bridge has no demo mode (it was built without the `demo` feature)",
    ))
}

#[cfg(not(feature = "demo"))]
impl Demo {
    pub fn defaults(&self) -> crate::views::SandboxDefaults {
        match *self {}
    }
}

#[cfg(feature = "demo")]
impl Demo {
    /// The sandbox's demo credentials, to pre-fill the forms.
    pub fn defaults(&self) -> crate::views::SandboxDefaults {
        let i = &self.sandbox.info;
        crate::views::SandboxDefaults {
            connectwise_company: i.connectwise.company.clone(),
            connectwise_site: i.connectwise.site.clone(),
            connectwise_public_key: i.connectwise.public_key.clone(),
            connectwise_private_key: i.connectwise.private_key.clone(),
            autotask_username: i.autotask.username.clone(),
            autotask_secret: i.autotask.secret.clone(),
            autotask_integration_code: i.autotask.integration_code.clone(),
            autotask_zone_url: i.autotask.zone_url.clone(),
            autotask_time_zone: i.autotask.time_zone.clone(),
            coro_region: i.coro.region.clone(),
            coro_client_id: i.coro.client_id.clone(),
            coro_client_secret: i.coro.client_secret.clone(),
            coro_channel: i.coro.channel.clone(),
        }
    }
}
