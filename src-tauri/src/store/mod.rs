//! The local SQLite database: opening it (per-connection pragmas), upgrading its schema, and one
//! module per table group with its row type, reads and writes.
//!
//! A [`Store`] is just the database path; [`Store::conn`] opens a fresh connection with the
//! pragmas set, so each thread or task takes its own and nothing is shared behind a lock. Every
//! table function takes `&Connection`; writes that touch several rows run inside a transaction
//! (or a savepoint when the caller already holds one), so nothing is ever half-written.
//!
//! Secrets never go here: they live in the OS keychain (see [`crate::secrets`]).

pub mod cache;
mod columns;
pub mod connectors;
pub mod coro;
pub mod exclusions;
pub mod mappings;
pub mod migrate;
pub mod runs;
pub mod settings;
pub mod status;
pub mod tickets;
pub mod undos;

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use rusqlite::{Connection, ErrorCode as SqliteCode, Transaction, TransactionBehavior};

use crate::error::{ApiError, ErrorCode};

/// File name of the database inside the data folder.
pub const DB_FILE_NAME: &str = "psa-bridge.sqlite3";

/// How long a connection waits for another writer before giving up.
const BUSY_TIMEOUT: Duration = Duration::from_millis(5000);

/// What can go wrong in the store. Messages say what happened and what to do about it.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error(
        "Could not open the database {path}: {source} — check that the folder exists and is \
         writable, or choose another one with --data-dir"
    )]
    Open {
        path: PathBuf,
        source: rusqlite::Error,
    },

    #[error(
        "database was written by a newer PSA Bridge (level {found}); this build knows up to \
         {known}: upgrade the app"
    )]
    TooNew { found: i64, known: i64 },

    #[error(
        "Could not upgrade the database to level {version} ({name}): {source} — it was left \
         unchanged at level {from}; restore a backup or report this as a bug"
    )]
    Migration {
        version: i64,
        name: &'static str,
        from: i64,
        source: rusqlite::Error,
    },

    #[error("{what} was not found; it may have been deleted — refresh and try again")]
    NotFound { what: String },

    /// A uniqueness rule was broken; the message names what is in the way.
    #[error("{0}")]
    Conflict(String),

    /// The input was refused; the message names the field.
    #[error("{0}")]
    Invalid(String),

    #[error(
        "The database is busy (another PSA Bridge window or command is writing to it); wait a \
         moment and try again"
    )]
    Busy,

    #[error("Stored data is damaged: {0} — restore a backup or report this as a bug")]
    Corrupt(String),

    #[error("Database error: {0} — if it keeps happening, report it as a bug")]
    Sqlite(rusqlite::Error),

    /// The blocking thread a database call ran on stopped (it panicked or the app is quitting).
    #[error("A database task stopped unexpectedly: {0} — try again; if it keeps happening, report it as a bug")]
    Background(String),
}

impl StoreError {
    pub(crate) fn not_found(what: impl Into<String>) -> Self {
        StoreError::NotFound { what: what.into() }
    }
}

impl From<rusqlite::Error> for StoreError {
    fn from(err: rusqlite::Error) -> Self {
        match err.sqlite_error_code() {
            Some(SqliteCode::DatabaseBusy | SqliteCode::DatabaseLocked) => StoreError::Busy,
            _ => StoreError::Sqlite(err),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(err: StoreError) -> Self {
        let code = match &err {
            StoreError::NotFound { .. } => ErrorCode::NotFound,
            StoreError::Conflict(_) | StoreError::Invalid(_) => ErrorCode::InvalidInput,
            StoreError::Open { .. }
            | StoreError::TooNew { .. }
            | StoreError::Migration { .. }
            | StoreError::Busy
            | StoreError::Corrupt(_)
            | StoreError::Sqlite(_)
            | StoreError::Background(_) => ErrorCode::Storage,
        };
        ApiError::new(code, err.to_string())
    }
}

/// The database at one path. Cheap to clone; hand out connections with [`Store::conn`].
#[derive(Debug, Clone)]
pub struct Store {
    path: PathBuf,
}

impl Store {
    /// Opens (creating if missing) the database file at `path` and brings its schema up to the
    /// level this build knows. A database from a newer build is refused without being changed.
    pub fn open(path: impl Into<PathBuf>) -> Result<Store, StoreError> {
        let store = Store { path: path.into() };
        store.refuse_if_too_new()?;
        let mut conn = store.conn()?;
        migrate::migrate(&mut conn)?;
        Ok(store)
    }

    /// Opens `psa-bridge.sqlite3` inside the data folder (see [`crate::paths::data_dir`]).
    pub fn open_in(data_dir: &Path) -> Result<Store, StoreError> {
        Store::open(data_dir.join(DB_FILE_NAME))
    }

    /// Checks the schema level before any pragma is set, so a newer database is left byte for
    /// byte as it was.
    fn refuse_if_too_new(&self) -> Result<(), StoreError> {
        if !self.path.exists() {
            return Ok(());
        }
        let open_err = |source| StoreError::Open {
            path: self.path.clone(),
            source,
        };
        let conn = Connection::open(&self.path).map_err(open_err)?;
        conn.busy_timeout(BUSY_TIMEOUT).map_err(open_err)?;
        let found = migrate::current_version(&conn)?;
        let known = migrate::latest_version();
        if found > known {
            return Err(StoreError::TooNew { found, known });
        }
        Ok(())
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Runs `f` with a new connection on a blocking thread. SQLite waits on the disk and, up to
    /// the busy timeout, on other writers; async code (the sync engine, the app's services)
    /// calls the database through this so it never stalls an async worker or the UI thread.
    pub async fn call<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        self.call_owned(move |store| f(&store.conn()?)).await
    }

    /// A connection for a stretch of async work that writes often (the sync engine's journal),
    /// opened on a blocking thread; each [`SharedConn::call`] runs on one too.
    pub async fn shared(&self) -> Result<SharedConn, StoreError> {
        let conn = self.call_owned(|store| store.conn()).await?;
        Ok(SharedConn(Arc::new(Mutex::new(conn))))
    }

    async fn call_owned<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(Store) -> Result<T, StoreError> + Send + 'static,
    {
        let store = self.clone();
        background(move || f(store)).await
    }

    /// A new connection with WAL, foreign keys, a 5 s busy timeout and `synchronous=NORMAL`.
    pub fn conn(&self) -> Result<Connection, StoreError> {
        let open_err = |source| StoreError::Open {
            path: self.path.clone(),
            source,
        };
        let conn = Connection::open(&self.path).map_err(open_err)?;
        configure(&conn).map_err(open_err)?;
        Ok(conn)
    }
}

/// `f` on a blocking thread.
async fn background<T, F>(f: F) -> Result<T, StoreError>
where
    T: Send + 'static,
    F: FnOnce() -> Result<T, StoreError> + Send + 'static,
{
    tokio::task::spawn_blocking(f)
        .await
        .map_err(|e| StoreError::Background(e.to_string()))?
}

/// One open connection that async code uses from blocking threads, one call at a time.
#[derive(Clone)]
pub struct SharedConn(Arc<Mutex<Connection>>);

impl SharedConn {
    /// Runs `f` with the connection on a blocking thread.
    pub async fn call<T, F>(&self, f: F) -> Result<T, StoreError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> Result<T, StoreError> + Send + 'static,
    {
        let conn = Arc::clone(&self.0);
        background(move || {
            let guard = conn
                .lock()
                .map_err(|_| StoreError::Background("a database call panicked".into()))?;
            f(&guard)
        })
        .await
    }
}

/// Sets the per-connection pragmas. The busy timeout goes first so the switch to WAL waits for
/// other writers instead of failing.
fn configure(conn: &Connection) -> rusqlite::Result<()> {
    conn.busy_timeout(BUSY_TIMEOUT)?;
    let mode: String =
        conn.pragma_update_and_check(None, "journal_mode", "WAL", |row| row.get(0))?;
    if !mode.eq_ignore_ascii_case("wal") {
        // Some network file systems cannot do WAL; SQLite then keeps the old journal, which is
        // slower with several readers but still correct.
        tracing::warn!(journal_mode = %mode, "SQLite could not switch to WAL; continuing");
    }
    conn.pragma_update(None, "foreign_keys", "ON")?;
    conn.pragma_update(None, "synchronous", "NORMAL")?;
    Ok(())
}

/// Runs `f` atomically: in an immediate transaction, or in a savepoint when the caller is already
/// inside a transaction (so table functions compose into larger atomic writes).
pub(crate) fn write<T>(
    conn: &Connection,
    f: impl FnOnce(&Connection) -> Result<T, StoreError>,
) -> Result<T, StoreError> {
    if conn.is_autocommit() {
        let tx = Transaction::new_unchecked(conn, TransactionBehavior::Immediate)?;
        let out = f(&tx)?;
        tx.commit()?;
        Ok(out)
    } else {
        conn.execute_batch("SAVEPOINT psa_bridge_write")?;
        match f(conn) {
            Ok(out) => {
                conn.execute_batch("RELEASE psa_bridge_write")?;
                Ok(out)
            }
            Err(err) => {
                // Best effort: if even the rollback fails, the caller's transaction is rolled
                // back when it is dropped with the error we return.
                let _ =
                    conn.execute_batch("ROLLBACK TO psa_bridge_write; RELEASE psa_bridge_write");
                Err(err)
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod testing {
    //! A store on a fresh temporary file, shared by the table tests.

    use chrono::{DateTime, TimeZone, Utc};

    use super::Store;

    pub struct TempStore {
        pub store: Store,
        pub dir: tempfile::TempDir,
    }

    pub fn temp_store() -> TempStore {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in(dir.path()).unwrap();
        TempStore { store, dir }
    }

    /// A fixed instant plus `minutes`, so tests never read the clock.
    pub fn at(minutes: i64) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2025, 1, 31, 9, 0, 0).unwrap() + chrono::Duration::minutes(minutes)
    }
}

#[cfg(test)]
mod tests {
    use super::testing::temp_store;
    use super::*;

    #[test]
    fn pragmas_are_set_on_every_connection() {
        let t = temp_store();
        for _ in 0..3 {
            let conn = t.store.conn().unwrap();
            let fk: i64 = conn
                .query_row("PRAGMA foreign_keys", [], |r| r.get(0))
                .unwrap();
            let mode: String = conn
                .query_row("PRAGMA journal_mode", [], |r| r.get(0))
                .unwrap();
            let busy: i64 = conn
                .query_row("PRAGMA busy_timeout", [], |r| r.get(0))
                .unwrap();
            let sync: i64 = conn
                .query_row("PRAGMA synchronous", [], |r| r.get(0))
                .unwrap();
            assert_eq!(fk, 1);
            assert_eq!(mode, "wal");
            assert_eq!(busy, 5000);
            assert_eq!(sync, 1, "NORMAL");
        }
    }

    #[test]
    fn open_in_a_missing_folder_says_what_to_do() {
        let dir = tempfile::tempdir().unwrap();
        let err = Store::open(dir.path().join("nope").join("db.sqlite3")).unwrap_err();
        assert!(matches!(err, StoreError::Open { .. }), "{err:?}");
        assert!(err.to_string().contains("--data-dir"), "{err}");
        let api: ApiError = err.into();
        assert_eq!(api.code, ErrorCode::Storage);
    }

    #[test]
    fn write_rolls_back_everything_on_error() {
        let t = temp_store();
        let conn = t.store.conn().unwrap();
        let res: Result<(), StoreError> = write(&conn, |c| {
            c.execute("INSERT INTO settings (key, value) VALUES ('a', '1')", [])?;
            Err(StoreError::Invalid("stop".into()))
        });
        assert!(res.is_err());
        let n: i64 = conn
            .query_row("SELECT count(*) FROM settings WHERE key = 'a'", [], |r| {
                r.get(0)
            })
            .unwrap();
        assert_eq!(n, 0);
    }

    #[test]
    fn write_nests_inside_a_caller_transaction() {
        let t = temp_store();
        let mut conn = t.store.conn().unwrap();
        let tx = conn.transaction().unwrap();
        write(&tx, |c| {
            c.execute("INSERT INTO settings (key, value) VALUES ('kept', '1')", [])?;
            Ok(())
        })
        .unwrap();
        let inner: Result<(), StoreError> = write(&tx, |c| {
            c.execute(
                "INSERT INTO settings (key, value) VALUES ('dropped', '1')",
                [],
            )?;
            Err(StoreError::Invalid("stop".into()))
        });
        assert!(inner.is_err());
        tx.commit().unwrap();
        let keys: Vec<String> = conn
            .prepare("SELECT key FROM settings WHERE key IN ('kept', 'dropped')")
            .unwrap()
            .query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        assert_eq!(keys, vec!["kept".to_string()]);
    }

    #[test]
    fn errors_map_to_api_codes() {
        let cases = [
            (StoreError::not_found("connector 3"), ErrorCode::NotFound),
            (StoreError::Conflict("x".into()), ErrorCode::InvalidInput),
            (StoreError::Invalid("x".into()), ErrorCode::InvalidInput),
            (
                StoreError::TooNew { found: 9, known: 2 },
                ErrorCode::Storage,
            ),
            (StoreError::Busy, ErrorCode::Storage),
        ];
        for (err, code) in cases {
            assert_eq!(ApiError::from(err).code, code);
        }
    }
}
