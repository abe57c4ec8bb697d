//! Secrets: the only way keys, client secrets and tokens are kept. They live in the OS keychain
//! (Windows Credential Manager, macOS Keychain, Linux Secret Service) — never in SQLite, logs or
//! IPC responses — and there is no silent plaintext fallback: without a keychain, saving fails
//! with a message saying what to start. A headless server without a keychain names a
//! credentials directory instead (systemd's `$CREDENTIALS_DIRECTORY` convention, or
//! `--credentials-dir`): one file per secret, readable by its owner only ([`CredentialsDir`]).
//!
//! Entries are namespaced per data folder: service `psa-bridge:{install_id}` (the install id is
//! created once in the store's settings), account = the key's stable name
//! (`coro/client-secret`, `connector/{id}/secret`). Two data folders never collide.
//!
//! Keychain calls block (D-Bus on Linux, sometimes a prompt); call them from a blocking thread
//! in async code.

mod credentials_dir;
mod keyring_store;
mod sensitive;

use std::collections::HashMap;
use std::fmt;
use std::path::PathBuf;
use std::sync::Mutex;

pub use credentials_dir::CredentialsDir;
pub use keyring_store::KeyringStore;
pub use sensitive::{serialize_exposed, Sensitive};

use crate::error::{ApiError, ErrorCode};
use crate::model::ConnectorId;

/// What a secret is for. Its [`SecretKey::account`] is the keychain account name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SecretKey {
    /// The Coro channel API client secret.
    CoroClientSecret,
    /// A PSA connector's secret: the ConnectWise private key or the Autotask API user's secret.
    ConnectorSecret(ConnectorId),
}

impl SecretKey {
    /// The stable account name inside the namespace.
    pub fn account(&self) -> String {
        match self {
            SecretKey::CoroClientSecret => "coro/client-secret".to_string(),
            SecretKey::ConnectorSecret(id) => format!("connector/{id}/secret"),
        }
    }
}

impl SecretKey {
    /// The file holding this secret in a credentials directory.
    pub fn file_name(&self) -> String {
        match self {
            SecretKey::CoroClientSecret => "coro-client-secret".to_string(),
            SecretKey::ConnectorSecret(id) => format!("connector-{id}-secret"),
        }
    }
}

impl fmt::Display for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.account())
    }
}

/// The keychain service name of one data folder's secrets.
pub fn service_name(install_id: &str) -> String {
    format!("psa-bridge:{install_id}")
}

/// What can go wrong with the keychain or a credentials directory. No variant carries a
/// secret value. `hint` says what to do on this operating system ([`keyring_store::hint`]).
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error(
        "No OS keychain available: {what} — {hint}; PSA Bridge never stores secrets in plain text"
    )]
    Unavailable { what: String, hint: &'static str },

    #[error("The OS keychain is locked or refused access ({what}) — {hint}")]
    Locked { what: String, hint: &'static str },

    #[error("The keychain entry '{key}' is not valid text; enter the secret again to replace it")]
    Unreadable { key: String },

    #[error(
        "More than one keychain entry matches '{key}'; remove the duplicates for service \
         '{service}' in your keychain app and enter the secret again"
    )]
    Ambiguous { key: String, service: String },

    #[error("The keychain refused the entry '{key}': {what}")]
    Refused { key: String, what: String },

    #[error("The secret for '{key}' is empty; enter it")]
    Empty { key: String },

    #[error(
        "The secret file {path} can be read by other users (mode {mode:o}); it was not used — \
         make it readable by its owner only: chmod 600 {path}"
    )]
    Exposed { path: PathBuf, mode: u32 },

    #[error("The credentials directory {path}: {what}")]
    Directory { path: PathBuf, what: String },
}

impl From<SecretError> for ApiError {
    fn from(err: SecretError) -> Self {
        let code = match err {
            SecretError::Empty { .. } => ErrorCode::InvalidInput,
            _ => ErrorCode::Keychain,
        };
        ApiError::new(code, err.to_string())
    }
}

/// Which store holds the secrets (`psa-bridge secrets where`).
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(tag = "store", rename_all = "snake_case")]
pub enum SecretsLocation {
    /// The OS keychain, entries under this service name.
    Keychain { service: String, backend: String },
    /// Files in a credentials directory.
    CredentialsDir { path: PathBuf },
    /// Process memory only (the sandbox demo, tests): forgotten on exit.
    Memory,
}

impl fmt::Display for SecretsLocation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            SecretsLocation::Keychain { service, backend } => {
                write!(
                    f,
                    "the OS keychain ({backend}), entries of service '{service}'"
                )
            }
            SecretsLocation::CredentialsDir { path } => write!(
                f,
                "the credentials directory {} (files coro-client-secret and connector-<ID>-secret)",
                path.display()
            ),
            SecretsLocation::Memory => f.write_str("process memory only (forgotten on exit)"),
        }
    }
}

/// Where secrets are kept. Implementations never log or echo values. Calls may block (D-Bus, a
/// keychain prompt, a disk): async code calls them on a blocking thread.
pub trait SecretStore: Send + Sync {
    /// Which store this is.
    fn location(&self) -> SecretsLocation;
    /// The secret, or `None` when none is stored.
    fn get(&self, key: &SecretKey) -> Result<Option<Sensitive<String>>, SecretError>;
    /// Stores (or replaces) a secret. Empty secrets are refused.
    fn set(&self, key: &SecretKey, value: &Sensitive<String>) -> Result<(), SecretError>;
    /// Deletes a secret; deleting one that is not there is fine.
    fn delete(&self, key: &SecretKey) -> Result<(), SecretError>;
}

pub(crate) fn refuse_empty(key: &SecretKey, value: &Sensitive<String>) -> Result<(), SecretError> {
    if value.expose().is_empty() {
        return Err(SecretError::Empty { key: key.account() });
    }
    Ok(())
}

/// Secrets in process memory only, forgotten when dropped: for unit tests and the sandbox demo,
/// never for real credentials.
#[derive(Debug, Default)]
pub struct MemoryStore {
    values: Mutex<HashMap<String, Sensitive<String>>>,
}

impl MemoryStore {
    /// An empty store that forgets everything when dropped.
    pub fn volatile() -> MemoryStore {
        MemoryStore::default()
    }

    fn values(&self) -> std::sync::MutexGuard<'_, HashMap<String, Sensitive<String>>> {
        // A panic elsewhere while holding the lock cannot leave a map half-updated.
        self.values
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

impl SecretStore for MemoryStore {
    fn location(&self) -> SecretsLocation {
        SecretsLocation::Memory
    }

    fn get(&self, key: &SecretKey) -> Result<Option<Sensitive<String>>, SecretError> {
        Ok(self.values().get(&key.account()).cloned())
    }

    fn set(&self, key: &SecretKey, value: &Sensitive<String>) -> Result<(), SecretError> {
        refuse_empty(key, value)?;
        self.values().insert(key.account(), value.clone());
        Ok(())
    }

    fn delete(&self, key: &SecretKey) -> Result<(), SecretError> {
        self.values().remove(&key.account());
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const VALUE: &str = "pr1v4te-K3y-never-in-sqlite";

    #[test]
    fn keys_have_stable_account_names() {
        assert_eq!(SecretKey::CoroClientSecret.account(), "coro/client-secret");
        assert_eq!(
            SecretKey::ConnectorSecret(ConnectorId(7)).account(),
            "connector/7/secret"
        );
        assert_eq!(service_name("abc"), "psa-bridge:abc");
        assert_eq!(
            SecretKey::CoroClientSecret.file_name(),
            "coro-client-secret"
        );
        assert_eq!(
            SecretKey::ConnectorSecret(ConnectorId(7)).file_name(),
            "connector-7-secret"
        );
        assert_eq!(KeyringStore::new("abc").service(), "psa-bridge:abc");
    }

    #[test]
    fn memory_store_round_trip() {
        let store = MemoryStore::volatile();
        let key = SecretKey::ConnectorSecret(ConnectorId(1));
        assert!(store.get(&key).unwrap().is_none());
        store.set(&key, &Sensitive::new(VALUE.into())).unwrap();
        store
            .set(
                &SecretKey::CoroClientSecret,
                &Sensitive::new("other".into()),
            )
            .unwrap();
        assert_eq!(store.get(&key).unwrap().unwrap().expose(), VALUE);
        store.delete(&key).unwrap();
        store.delete(&key).unwrap();
        assert!(store.get(&key).unwrap().is_none());
        assert_eq!(
            store
                .get(&SecretKey::CoroClientSecret)
                .unwrap()
                .unwrap()
                .expose(),
            "other"
        );
        let err = store.set(&key, &Sensitive::new(String::new())).unwrap_err();
        assert_eq!(ApiError::from(err).code, ErrorCode::InvalidInput);
    }
}
