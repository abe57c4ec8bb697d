//! Secrets as files in a directory, for servers without a keychain: systemd's credentials
//! convention (`LoadCredential=`/`SetCredential=` put them in `$CREDENTIALS_DIRECTORY`), or any
//! folder named with `--credentials-dir`. One file per secret — `coro-client-secret`,
//! `connector-<ID>-secret` — holding the value (a trailing newline is ignored). A file that
//! group or others may read is refused, never used: the operator fixes its mode first.

use std::fs;
use std::io::{ErrorKind, Write};
use std::path::{Path, PathBuf};

use super::{refuse_empty, SecretError, SecretKey, SecretStore, SecretsLocation, Sensitive};

#[derive(Debug, Clone)]
pub struct CredentialsDir {
    dir: PathBuf,
}

impl CredentialsDir {
    /// The directory `dir`, which must exist.
    pub fn open(dir: &Path) -> Result<CredentialsDir, SecretError> {
        match fs::metadata(dir) {
            Ok(m) if m.is_dir() => Ok(CredentialsDir {
                dir: dir.to_path_buf(),
            }),
            Ok(_) => Err(SecretError::Directory {
                path: dir.to_path_buf(),
                what: "is not a directory".into(),
            }),
            Err(e) => Err(SecretError::Directory {
                path: dir.to_path_buf(),
                what: format!("cannot be opened: {}", e.kind()),
            }),
        }
    }

    pub fn path(&self) -> &Path {
        &self.dir
    }

    fn file(&self, key: &SecretKey) -> PathBuf {
        self.dir.join(key.file_name())
    }

    fn io_error(&self, path: &Path, doing: &str, e: &std::io::Error) -> SecretError {
        let why = if e.kind() == ErrorKind::PermissionDenied || e.raw_os_error() == Some(30) {
            format!(
                "{} (a systemd $CREDENTIALS_DIRECTORY is read-only: put the secret in the \
                 service's LoadCredential= file instead)",
                e.kind()
            )
        } else {
            e.kind().to_string()
        };
        SecretError::Directory {
            path: self.dir.clone(),
            what: format!("could not {doing} {}: {why}", path.display()),
        }
    }
}

/// Refuses a file group or others may read (Unix permission bits; on Windows the folder's ACL is
/// the operator's to set, as for any credentials file).
fn check_private(path: &Path, meta: &fs::Metadata) -> Result<(), SecretError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = meta.permissions().mode() & 0o777;
        if mode & 0o077 != 0 {
            return Err(SecretError::Exposed {
                path: path.to_path_buf(),
                mode,
            });
        }
    }
    #[cfg(not(unix))]
    let _ = (path, meta);
    Ok(())
}

impl SecretStore for CredentialsDir {
    fn location(&self) -> SecretsLocation {
        SecretsLocation::CredentialsDir {
            path: self.dir.clone(),
        }
    }

    fn get(&self, key: &SecretKey) -> Result<Option<Sensitive<String>>, SecretError> {
        let path = self.file(key);
        let meta = match fs::metadata(&path) {
            Ok(m) => m,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(self.io_error(&path, "read", &e)),
        };
        check_private(&path, &meta)?;
        let bytes = Sensitive::new(fs::read(&path).map_err(|e| self.io_error(&path, "read", &e))?);
        let text = std::str::from_utf8(bytes.expose()).map_err(|_| SecretError::Unreadable {
            key: key.file_name(),
        })?;
        let value = text.trim_end_matches(['\r', '\n']);
        if value.is_empty() {
            return Err(SecretError::Empty {
                key: key.file_name(),
            });
        }
        Ok(Some(Sensitive::new(value.to_string())))
    }

    /// Writes the file readable by its owner only (a new file renamed into place, so a reader
    /// never sees half a secret).
    fn set(&self, key: &SecretKey, value: &Sensitive<String>) -> Result<(), SecretError> {
        refuse_empty(key, value)?;
        let path = self.file(key);
        let tmp = self
            .dir
            .join(format!(".{}.{}.tmp", key.file_name(), std::process::id()));
        let mut opts = fs::OpenOptions::new();
        opts.write(true).create_new(true);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut opts, 0o600);
        let written = opts.open(&tmp).and_then(|mut f| {
            f.write_all(value.expose().as_bytes())?;
            f.sync_all()
        });
        if let Err(e) = written.and_then(|()| fs::rename(&tmp, &path)) {
            let _ = fs::remove_file(&tmp);
            return Err(self.io_error(&path, "write", &e));
        }
        Ok(())
    }

    fn delete(&self, key: &SecretKey) -> Result<(), SecretError> {
        let path = self.file(key);
        match fs::remove_file(&path) {
            Ok(()) => Ok(()),
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(()),
            Err(e) => Err(self.io_error(&path, "delete", &e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ConnectorId;

    #[test]
    fn round_trip_with_owner_only_files() {
        let dir = tempfile::tempdir().unwrap();
        let store = CredentialsDir::open(dir.path()).unwrap();
        let key = SecretKey::ConnectorSecret(ConnectorId(3));
        assert!(store.get(&key).unwrap().is_none());
        store.set(&key, &Sensitive::new("s3cret".into())).unwrap();
        assert!(dir.path().join("connector-3-secret").is_file());
        assert_eq!(store.get(&key).unwrap().unwrap().expose(), "s3cret");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = fs::metadata(dir.path().join("connector-3-secret"))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        // A file written by hand with a trailing newline.
        fs::write(dir.path().join("coro-client-secret"), "abc\n").unwrap();
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let p = dir.path().join("coro-client-secret");
            fs::set_permissions(&p, fs::Permissions::from_mode(0o400)).unwrap();
        }
        let coro = store.get(&SecretKey::CoroClientSecret).unwrap().unwrap();
        assert_eq!(coro.expose(), "abc");
        store.delete(&key).unwrap();
        store.delete(&key).unwrap();
        assert!(store.get(&key).unwrap().is_none());
    }

    #[cfg(unix)]
    #[test]
    fn group_or_world_readable_files_are_refused() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let store = CredentialsDir::open(dir.path()).unwrap();
        let p = dir.path().join("coro-client-secret");
        for mode in [0o644, 0o640, 0o604] {
            fs::write(&p, "abc").unwrap();
            fs::set_permissions(&p, fs::Permissions::from_mode(mode)).unwrap();
            let err = store.get(&SecretKey::CoroClientSecret).unwrap_err();
            let msg = err.to_string();
            assert!(
                matches!(err, SecretError::Exposed { .. }),
                "{mode:o}: {msg}"
            );
            assert!(msg.contains("chmod 600") && !msg.contains("abc"), "{msg}");
        }
    }

    #[test]
    fn a_missing_directory_is_named() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope");
        let err = CredentialsDir::open(&missing).unwrap_err().to_string();
        assert!(
            err.contains("nope") && err.contains("cannot be opened"),
            "{err}"
        );
    }
}
