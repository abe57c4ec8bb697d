//! Secrets: the only way keys, client secrets and tokens are kept. They live in the OS keychain
//! (Windows Credential Manager, macOS Keychain, Linux Secret Service) — never in SQLite, logs or
//! IPC responses — and there is no plaintext fallback: without a keychain, saving fails with a
//! message saying what to start.
//!
//! Entries are namespaced per data folder: service `psa-bridge:{install_id}` (the install id is
//! created once in the store's settings), account = the key's stable name
//! (`coro/client-secret`, `connector/{id}/secret`). Two data folders never collide.
//!
//! Keychain calls block (D-Bus on Linux, sometimes a prompt); call them from a blocking thread
//! in async code.

use std::collections::HashMap;
use std::fmt;
use std::sync::Mutex;

use serde::{Deserialize, Deserializer};

use crate::error::{ApiError, ErrorCode};
use crate::model::ConnectorId;

/// A value that must never be shown: `Debug` and `Display` print `***`, and there is no
/// `Serialize`, so it cannot leak into logs, errors or IPC responses. It can be *received*
/// (`Deserialize`) from a form. Read it with [`Sensitive::expose`] at the point of use.
#[derive(Clone, Default)]
pub struct Sensitive<T>(T);

impl<T> Sensitive<T> {
    pub fn new(value: T) -> Self {
        Sensitive(value)
    }

    /// The value itself. Use it only where it leaves for its destination (a header, the keychain).
    pub fn expose(&self) -> &T {
        &self.0
    }

    pub fn into_exposed(self) -> T {
        self.0
    }
}

impl<T> fmt::Debug for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl<T> fmt::Display for Sensitive<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("***")
    }
}

impl<T> From<T> for Sensitive<T> {
    fn from(value: T) -> Self {
        Sensitive(value)
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Sensitive<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        T::deserialize(deserializer).map(Sensitive)
    }
}

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

impl fmt::Display for SecretKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.account())
    }
}

/// The keychain service name of one data folder's secrets.
pub fn service_name(install_id: &str) -> String {
    format!("psa-bridge:{install_id}")
}

/// What can go wrong with the keychain. No variant carries a secret value.
#[derive(Debug, thiserror::Error)]
pub enum SecretError {
    #[error(
        "No OS keychain available: {what} — on Linux start a Secret Service provider such as \
         gnome-keyring (and unlock it); PSA Bridge never stores secrets in plain text"
    )]
    Unavailable { what: String },

    #[error(
        "The OS keychain is locked, has no default keyring, or refused access ({what}) — unlock \
         it (on Linux, create or unlock the login keyring, e.g. in Passwords and Keys) and try \
         again"
    )]
    Locked { what: String },

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

/// Where secrets are kept. Implementations never log or echo values.
pub trait SecretStore: Send + Sync {
    /// The secret, or `None` when none is stored.
    fn get(&self, key: &SecretKey) -> Result<Option<Sensitive<String>>, SecretError>;
    /// Stores (or replaces) a secret. Empty secrets are refused.
    fn set(&self, key: &SecretKey, value: &Sensitive<String>) -> Result<(), SecretError>;
    /// Deletes a secret; deleting one that is not there is fine.
    fn delete(&self, key: &SecretKey) -> Result<(), SecretError>;
}

fn refuse_empty(key: &SecretKey, value: &Sensitive<String>) -> Result<(), SecretError> {
    if value.expose().is_empty() {
        return Err(SecretError::Empty { key: key.account() });
    }
    Ok(())
}

/// The OS keychain through the `keyring` crate.
#[derive(Debug, Clone)]
pub struct KeyringStore {
    service: String,
}

impl KeyringStore {
    /// Secrets of the data folder with this install id (`store::settings::install_id`).
    pub fn new(install_id: &str) -> KeyringStore {
        KeyringStore {
            service: service_name(install_id),
        }
    }

    pub fn service(&self) -> &str {
        &self.service
    }

    fn entry(&self, key: &SecretKey) -> Result<keyring::Entry, SecretError> {
        let entry =
            keyring::Entry::new(&self.service, &key.account()).map_err(|e| self.map_err(key, e))?;
        // keyring falls back to an in-memory mock store on platforms it has no backend for; that
        // would silently lose secrets, so refuse it.
        if entry
            .get_credential()
            .downcast_ref::<keyring::mock::MockCredential>()
            .is_some()
        {
            return Err(SecretError::Unavailable {
                what: format!(
                    "this build has no keychain backend for {}",
                    std::env::consts::OS
                ),
            });
        }
        Ok(entry)
    }

    fn map_err(&self, key: &SecretKey, err: keyring::Error) -> SecretError {
        match err {
            keyring::Error::PlatformFailure(e) => SecretError::Unavailable {
                what: e.to_string(),
            },
            keyring::Error::NoStorageAccess(e) => SecretError::Locked {
                what: e.to_string(),
            },
            keyring::Error::BadEncoding(_) => SecretError::Unreadable { key: key.account() },
            keyring::Error::Ambiguous(_) => SecretError::Ambiguous {
                key: key.account(),
                service: self.service.clone(),
            },
            keyring::Error::TooLong(attr, limit) => SecretError::Refused {
                key: key.account(),
                what: format!("{attr} is longer than the platform limit of {limit}"),
            },
            keyring::Error::Invalid(attr, why) => SecretError::Refused {
                key: key.account(),
                what: format!("{attr} is invalid: {why}"),
            },
            // NoEntry is handled by callers; anything newer gets its (value-free) description.
            other => SecretError::Refused {
                key: key.account(),
                what: other.to_string(),
            },
        }
    }
}

impl SecretStore for KeyringStore {
    fn get(&self, key: &SecretKey) -> Result<Option<Sensitive<String>>, SecretError> {
        match self.entry(key)?.get_password() {
            Ok(value) => Ok(Some(Sensitive(value))),
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(self.map_err(key, e)),
        }
    }

    fn set(&self, key: &SecretKey, value: &Sensitive<String>) -> Result<(), SecretError> {
        refuse_empty(key, value)?;
        self.entry(key)?
            .set_password(value.expose())
            .map_err(|e| self.map_err(key, e))
    }

    fn delete(&self, key: &SecretKey) -> Result<(), SecretError> {
        match self.entry(key)?.delete_credential() {
            Ok(()) | Err(keyring::Error::NoEntry) => Ok(()),
            Err(e) => Err(self.map_err(key, e)),
        }
    }
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
    use crate::store::settings;
    use crate::store::testing::temp_store;

    const VALUE: &str = "pr1v4te-K3y-never-in-sqlite";

    #[test]
    fn sensitive_redacts_debug_and_display() {
        let s = Sensitive::new(VALUE.to_string());
        assert_eq!(format!("{s:?}"), "***");
        assert_eq!(format!("{s}"), "***");
        assert_eq!(format!("{:?}", Some(&s)), "Some(***)");
        assert_eq!(s.expose(), VALUE);
        let from_form: Sensitive<String> = serde_json::from_str(&format!("\"{VALUE}\"")).unwrap();
        assert_eq!(from_form.into_exposed(), VALUE);
    }

    #[test]
    fn keys_have_stable_account_names() {
        assert_eq!(SecretKey::CoroClientSecret.account(), "coro/client-secret");
        assert_eq!(
            SecretKey::ConnectorSecret(ConnectorId(7)).account(),
            "connector/7/secret"
        );
        assert_eq!(service_name("abc"), "psa-bridge:abc");
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

    #[test]
    fn errors_are_plain_and_map_to_keychain() {
        let err = SecretError::Unavailable {
            what: "no D-Bus session".into(),
        };
        let msg = err.to_string();
        assert!(
            msg.starts_with("No OS keychain available: no D-Bus session"),
            "{msg}"
        );
        assert!(
            msg.contains("gnome-keyring") && msg.contains("never stores secrets in plain text"),
            "{msg}"
        );
        assert_eq!(ApiError::from(err).code, ErrorCode::Keychain);
        let store = KeyringStore::new("x");
        let key = SecretKey::CoroClientSecret;
        let mapped = store.map_err(&key, keyring::Error::BadEncoding(VALUE.as_bytes().to_vec()));
        assert!(matches!(mapped, SecretError::Unreadable { .. }));
        assert!(!format!("{mapped} {mapped:?}").contains(VALUE));
        let locked = store.map_err(&key, keyring::Error::NoStorageAccess("locked".into()));
        assert!(matches!(locked, SecretError::Locked { .. }), "{locked:?}");
    }

    /// The real OS keychain. Runs only with `PSA_BRIDGE_KEYRING_TESTS=1` (CI sets it inside
    /// `dbus-run-session` with an unlocked gnome-keyring); otherwise it says why and passes.
    #[test]
    fn real_keychain_round_trip_and_namespaces() {
        if std::env::var("PSA_BRIDGE_KEYRING_TESTS").as_deref() != Ok("1") {
            eprintln!("skipped: set PSA_BRIDGE_KEYRING_TESTS=1 with an unlocked keychain to run");
            return;
        }
        let t = temp_store();
        let install = settings::install_id(&t.store.conn().unwrap()).unwrap();
        let one = KeyringStore::new(&install);
        let two = KeyringStore::new(&format!("{install}-other"));
        let key = SecretKey::ConnectorSecret(ConnectorId(1));

        one.delete(&key).unwrap();
        assert!(one.get(&key).unwrap().is_none());
        one.set(&key, &Sensitive::new("first".into())).unwrap();
        one.set(&key, &Sensitive::new("second".into())).unwrap();
        two.set(&key, &Sensitive::new("other-namespace".into()))
            .unwrap();
        assert_eq!(one.get(&key).unwrap().unwrap().expose(), "second");
        assert_eq!(two.get(&key).unwrap().unwrap().expose(), "other-namespace");
        one.delete(&key).unwrap();
        assert!(one.get(&key).unwrap().is_none());
        assert_eq!(two.get(&key).unwrap().unwrap().expose(), "other-namespace");
        two.delete(&key).unwrap();
        one.delete(&key).unwrap();

        crate::store::secrets_at_rest::secret_stays_out_of_the_database(&one, VALUE);
        assert!(one.get(&key).unwrap().is_none());
    }
}
