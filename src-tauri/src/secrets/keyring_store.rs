//! The OS keychain through the `keyring` crate, and what its failures mean on each OS.

use super::{
    refuse_empty, service_name, SecretError, SecretKey, SecretStore, SecretsLocation, Sensitive,
};

/// The keychain this OS has.
pub fn backend_name() -> &'static str {
    match std::env::consts::OS {
        "windows" => "Windows Credential Manager",
        "macos" => "macOS Keychain",
        _ => "Secret Service",
    }
}

/// The two ways a keychain can fail that need the operator.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Cause {
    /// No keychain reachable at all.
    Unavailable,
    /// A keychain is there but refused (locked, a prompt denied, no logon session).
    Locked,
}

/// What to do about a keychain failure on `os` (`std::env::consts::OS`), in the words of that OS.
pub fn hint(os: &str, cause: Cause) -> &'static str {
    match (os, cause) {
        ("macos", Cause::Unavailable) => {
            "the macOS Keychain cannot be reached from this process (a LaunchDaemon or an SSH \
             session has no login keychain): run PSA Bridge in the user's login session (a \
             LaunchAgent), or give a server a credentials directory (--credentials-dir)"
        }
        ("macos", Cause::Locked) => {
            "the macOS Keychain access prompt was denied, or the login keychain is locked: unlock \
             it in Keychain Access and choose Allow (Always Allow for unattended runs) when macOS \
             asks whether PSA Bridge may use its entry"
        }
        ("windows", Cause::Unavailable) => {
            "Windows Credential Manager is not available to this process: a scheduled task set to \
             \"Run whether user is logged on or not\" with \"Do not store password\" has no logon \
             session and so no credential vault; store the password on the task, or give it a \
             credentials directory (--credentials-dir)"
        }
        ("windows", Cause::Locked) => {
            "Windows Credential Manager refused access: run PSA Bridge as the Windows user who \
             added the connectors, in a session with that user's password (a scheduled task needs \
             the password stored), or use a credentials directory (--credentials-dir)"
        }
        (_, Cause::Unavailable) => {
            "start a Secret Service provider such as gnome-keyring (and unlock it) in the desktop \
             session; a server without a desktop session uses a credentials directory instead \
             ($CREDENTIALS_DIRECTORY from systemd, or --credentials-dir)"
        }
        (_, Cause::Locked) => {
            "unlock it (create or unlock the login keyring, e.g. in Passwords and Keys) and try \
             again; a server without a desktop session uses a credentials directory instead \
             (--credentials-dir)"
        }
    }
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
                hint: hint(std::env::consts::OS, Cause::Unavailable),
            });
        }
        Ok(entry)
    }

    pub(super) fn map_err(&self, key: &SecretKey, err: keyring::Error) -> SecretError {
        match err {
            keyring::Error::PlatformFailure(e) => SecretError::Unavailable {
                what: e.to_string(),
                hint: hint(std::env::consts::OS, Cause::Unavailable),
            },
            keyring::Error::NoStorageAccess(e) => SecretError::Locked {
                what: e.to_string(),
                hint: hint(std::env::consts::OS, Cause::Locked),
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
    fn location(&self) -> SecretsLocation {
        SecretsLocation::Keychain {
            service: self.service.clone(),
            backend: backend_name().to_string(),
        }
    }

    fn get(&self, key: &SecretKey) -> Result<Option<Sensitive<String>>, SecretError> {
        match self.entry(key)?.get_password() {
            Ok(value) => Ok(Some(Sensitive::new(value))),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::{ApiError, ErrorCode};
    use crate::model::ConnectorId;
    use crate::store::settings;
    use crate::store::testing::temp_store;

    const VALUE: &str = "pr1v4te-K3y-never-in-sqlite";

    #[test]
    fn errors_are_plain_and_map_to_keychain() {
        let err = SecretError::Unavailable {
            what: "no D-Bus session".into(),
            hint: hint("linux", Cause::Unavailable),
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

    /// Each OS names its own cause: a denied macOS prompt, a Windows task without a logon
    /// session; never the Linux gnome-keyring hint elsewhere.
    #[test]
    fn keychain_hints_name_the_cause_per_os() {
        let mac = hint("macos", Cause::Locked);
        assert!(mac.contains("prompt was denied") && mac.contains("Keychain Access"));
        let win = hint("windows", Cause::Unavailable);
        assert!(win.contains("no logon") && win.contains("scheduled task"));
        assert!(hint("windows", Cause::Locked).contains("Credential Manager"));
        assert!(hint("macos", Cause::Unavailable).contains("LaunchDaemon"));
        for os in ["macos", "windows"] {
            for cause in [Cause::Unavailable, Cause::Locked] {
                assert!(!hint(os, cause).contains("gnome-keyring"), "{os} {cause:?}");
            }
        }
        assert!(hint("linux", Cause::Unavailable).contains("--credentials-dir"));
        // The error built at run time uses this OS's hint.
        let store = KeyringStore::new("x");
        let err = store.map_err(
            &SecretKey::CoroClientSecret,
            keyring::Error::NoStorageAccess("denied".into()),
        );
        assert!(
            err.to_string()
                .contains(hint(std::env::consts::OS, Cause::Locked)),
            "{err}"
        );
    }

    /// The real OS keychain (Secret Service inside scripts/desktop-session.sh).
    #[test]
    #[ignore = "needs a desktop session: scripts/test.sh"]
    fn real_keychain_round_trip_and_namespaces() {
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
        assert_eq!(
            one.location(),
            SecretsLocation::Keychain {
                service: service_name(&install),
                backend: backend_name().to_string()
            }
        );
    }
}
