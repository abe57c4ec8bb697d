//! The crate-wide error seen by the UI and the CLI: a short closed list of codes plus a message
//! that says what was wrong and how to fix it. Layer errors (store, secrets, clients) convert into
//! it at the edge; messages never contain a secret.

/// Appended to every "could not read this vendor answer" message: the archive that shows support
/// what the vendor really sent.
pub const DIAGNOSTICS_HINT: &str =
    "run `psa-bridge diagnostics` (or Settings → Save diagnostics…) and send the archive to support";

use serde::Serialize;
use ts_rs::TS;

/// Stable codes for the UI and `--json` output. Adding one is a UI change too.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub enum ErrorCode {
    /// The input was wrong (a field, an argument); the message names it.
    InvalidInput,
    /// The thing asked for does not exist.
    NotFound,
    /// Credentials were rejected by a remote API.
    Unauthorized,
    /// Credentials were accepted but lack a permission; the message names it.
    Forbidden,
    /// A remote API could not be reached (DNS, connect, TLS, timeout).
    Unreachable,
    /// A remote API answered with an error the app cannot fix by itself.
    Remote,
    /// The OS keychain is missing or locked.
    Keychain,
    /// The local database could not be read or written.
    Storage,
    /// Another sync is already running.
    Busy,
    /// A bug: the message says what happened.
    Internal,
}

/// What crosses IPC and what `--json` prints on failure.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct ApiError {
    pub code: ErrorCode,
    pub message: String,
}

impl ApiError {
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        ApiError {
            code,
            message: message.into(),
        }
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for ApiError {}
