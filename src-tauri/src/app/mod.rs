//! Application services shared by the CLI and the desktop commands: each function takes the
//! [`AppContext`](crate::context::AppContext), does one operator-level job (add a connector,
//! connect Coro, map a workspace…) and returns view types. Tauri commands and CLI commands are
//! thin wrappers around these.

pub mod browse;
pub mod bundle_overlap;
pub mod cadence;
pub mod checks;
pub mod connector_account;
pub mod connector_edit;
pub mod connectors;
pub mod coro;
#[cfg(feature = "demo")]
pub mod demo;
#[cfg(not(feature = "demo"))]
#[path = "no_demo.rs"]
pub mod demo;
pub mod diagnostics;
mod diagnostics_redact;
pub mod exclusions;
pub mod held_review;
pub mod last_page;
pub mod mapping_csv;
pub mod mapping_import;
pub mod mappings;
pub mod psa_client;
pub mod report;
pub mod seen;
pub mod settings;
pub mod status;
pub mod sync;
pub mod tickets;
pub mod trends;
pub mod undo;

pub use psa_client::PsaClient;

use crate::context::AppContext;
use crate::error::{ApiError, ErrorCode};

/// Runs `f` (SQLite and keychain calls, which block: a disk, D-Bus, an unlock prompt) on a
/// blocking thread, so async callers never stall the runtime or the UI thread.
pub async fn blocking<T, F>(ctx: &AppContext, f: F) -> Result<T, ApiError>
where
    T: Send + 'static,
    F: FnOnce(&AppContext) -> Result<T, ApiError> + Send + 'static,
{
    let ctx = ctx.clone();
    tokio::task::spawn_blocking(move || f(&ctx))
        .await
        .map_err(|e| {
            ApiError::new(
                ErrorCode::Internal,
                format!("a background task stopped unexpectedly: {e}"),
            )
        })?
}
