//! Schema upgrades: numbered SQL files in `src-tauri/migrations/`, embedded at build time, applied
//! in order, each in its own transaction, and recorded in `schema_migrations`. Forward-only: a
//! landed file is never edited; a change is a new file. A database whose level is newer than this
//! build is refused before anything is written to it.
//!
//! Foreign keys are on for every connection, so a future migration that rebuilds a table must not
//! rely on turning them off inside its transaction (SQLite ignores that pragma there).

use rusqlite::{Connection, OptionalExtension, TransactionBehavior};

use super::StoreError;

/// One embedded migration.
#[derive(Debug, Clone, Copy)]
pub struct Migration {
    pub version: i64,
    pub name: &'static str,
    pub sql: &'static str,
}

/// Every migration this build knows, in order; versions are 1, 2, 3, … without gaps.
pub const MIGRATIONS: &[Migration] = &[
    Migration {
        version: 1,
        name: "0001_init",
        sql: include_str!("../../migrations/0001_init.sql"),
    },
    Migration {
        version: 2,
        name: "0002_psa_cache",
        sql: include_str!("../../migrations/0002_psa_cache.sql"),
    },
    Migration {
        version: 3,
        name: "0003_awaiting",
        sql: include_str!("../../migrations/0003_awaiting.sql"),
    },
    Migration {
        version: 4,
        name: "0004_units_bundles",
        sql: include_str!("../../migrations/0004_units_bundles.sql"),
    },
    Migration {
        version: 5,
        name: "0005_exclusions",
        sql: include_str!("../../migrations/0005_exclusions.sql"),
    },
    Migration {
        version: 6,
        name: "0006_item_causes",
        sql: include_str!("../../migrations/0006_item_causes.sql"),
    },
    Migration {
        version: 7,
        name: "0007_tickets",
        sql: include_str!("../../migrations/0007_tickets.sql"),
    },
];

/// The highest level this build can read and write.
pub fn latest_version() -> i64 {
    MIGRATIONS.last().map_or(0, |m| m.version)
}

/// The level the database is at (0 for an empty database). Reads only.
pub fn current_version(conn: &Connection) -> Result<i64, StoreError> {
    let has_table: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_migrations')",
        [],
        |row| row.get(0),
    )?;
    if !has_table {
        return Ok(0);
    }
    let version: Option<i64> =
        conn.query_row("SELECT max(version) FROM schema_migrations", [], |row| {
            row.get(0)
        })?;
    Ok(version.unwrap_or(0))
}

/// Brings the database up to [`latest_version`].
pub fn migrate(conn: &mut Connection) -> Result<(), StoreError> {
    migrate_to(conn, latest_version())
}

/// Brings the database up to `target` (tests use this to build an older database). Refuses a
/// database newer than this build without writing to it.
pub fn migrate_to(conn: &mut Connection, target: i64) -> Result<(), StoreError> {
    let known = latest_version();
    let found = current_version(conn)?;
    if found > known {
        return Err(StoreError::TooNew { found, known });
    }
    if found >= target {
        return Ok(());
    }
    conn.execute_batch(
        "CREATE TABLE IF NOT EXISTS schema_migrations (
            version    INTEGER PRIMARY KEY,
            name       TEXT NOT NULL,
            applied_at TEXT NOT NULL
        )",
    )?;
    loop {
        // Re-read the level inside the write lock: another process may have migrated meanwhile.
        let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        let from = current_version(&tx)?;
        if from > known {
            return Err(StoreError::TooNew { found: from, known });
        }
        if from >= target {
            return Ok(());
        }
        let Some(next) = MIGRATIONS.iter().find(|m| m.version == from + 1) else {
            return Err(StoreError::Corrupt(format!(
                "the database is at level {from} but this build has no migration {}",
                from + 1
            )));
        };
        let failed = |source| StoreError::Migration {
            version: next.version,
            name: next.name,
            from,
            source,
        };
        tx.execute_batch(next.sql).map_err(failed)?;
        tx.execute(
            "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, ?2, ?3)",
            rusqlite::params![
                next.version,
                next.name,
                super::columns::ts(chrono::Utc::now())
            ],
        )
        .map_err(failed)?;
        tx.commit().map_err(failed)?;
        tracing::info!(
            version = next.version,
            name = next.name,
            "database upgraded"
        );
    }
}

/// `applied_at` of one level, for diagnostics.
pub fn applied_at(conn: &Connection, version: i64) -> Result<Option<String>, StoreError> {
    if current_version(conn)? == 0 {
        return Ok(None);
    }
    Ok(conn
        .query_row(
            "SELECT applied_at FROM schema_migrations WHERE version = ?1",
            [version],
            |row| row.get(0),
        )
        .optional()?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::{Store, DB_FILE_NAME};

    fn table_names(conn: &Connection) -> Vec<String> {
        let mut stmt = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .unwrap();
        stmt.query_map([], |r| r.get(0))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap()
    }

    #[test]
    fn versions_are_contiguous_from_one() {
        for (i, m) in MIGRATIONS.iter().enumerate() {
            assert_eq!(m.version, i as i64 + 1, "{}", m.name);
            assert!(
                m.name.starts_with(&format!("{:04}_", m.version)),
                "{}",
                m.name
            );
        }
    }

    #[test]
    fn empty_database_is_brought_to_the_latest_level() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in(dir.path()).unwrap();
        let conn = store.conn().unwrap();
        assert_eq!(current_version(&conn).unwrap(), latest_version());
        let tables = table_names(&conn);
        for t in [
            "settings",
            "coro_connection",
            "connectors",
            "connector_status",
            "workspace_mappings",
            "service_mappings",
            "sync_runs",
            "sync_run_items",
            "psa_companies",
            "psa_products",
            "schema_migrations",
        ] {
            assert!(tables.contains(&t.to_string()), "missing {t}: {tables:?}");
        }
        assert!(applied_at(&conn, 1).unwrap().is_some());
        // Opening again is a no-op.
        Store::open_in(dir.path()).unwrap();
        let n: i64 = conn
            .query_row("SELECT count(*) FROM schema_migrations", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, latest_version());
    }

    #[test]
    fn old_level_database_is_upgraded_with_its_data_intact() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE_NAME);
        {
            let mut conn = Connection::open(&path).unwrap();
            conn.pragma_update(None, "foreign_keys", "ON").unwrap();
            migrate_to(&mut conn, 1).unwrap();
            assert_eq!(current_version(&conn).unwrap(), 1);
            assert!(!table_names(&conn).contains(&"psa_companies".to_string()));
            conn.execute_batch(
                "INSERT INTO settings (key, value) VALUES ('install_id', 'abc');
                 INSERT INTO connectors (kind, name, config, created_at, updated_at)
                   VALUES ('connectwise', 'Main CW', '{\"site\":\"na.myconnectwise.net\"}', 't', 't');
                 INSERT INTO workspace_mappings VALUES (1, 'ws_1', 'Acme', 12, 'Acme Inc', 't');",
            )
            .unwrap();
        }
        let store = Store::open(&path).unwrap();
        let conn = store.conn().unwrap();
        assert_eq!(current_version(&conn).unwrap(), latest_version());
        let install: String = conn
            .query_row(
                "SELECT value FROM settings WHERE key = 'install_id'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(install, "abc");
        let (name, config): (String, String) = conn
            .query_row(
                "SELECT name, config FROM connectors WHERE id = 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .unwrap();
        assert_eq!(name, "Main CW");
        assert!(config.contains("myconnectwise"));
        let company: i64 = conn
            .query_row(
                "SELECT company_id FROM workspace_mappings WHERE workspace_id = 'ws_1'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert_eq!(company, 12);
        // The new level's tables work against the old data.
        conn.execute(
            "INSERT INTO psa_companies (connector_id, id, name, fetched_at) VALUES (1, 12, 'Acme Inc', 't')",
            [],
        )
        .unwrap();
    }

    #[test]
    fn newer_level_database_is_refused_untouched() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE_NAME);
        {
            let mut conn = Connection::open(&path).unwrap();
            migrate(&mut conn).unwrap();
            conn.execute(
                "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?1, 'future', 't')",
                [latest_version() + 5],
            )
            .unwrap();
            conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
        }
        let before = std::fs::read(&path).unwrap();
        let err = Store::open(&path).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, StoreError::TooNew { .. }), "{err:?}");
        assert!(
            msg.contains(&format!("level {}", latest_version() + 5)),
            "{msg}"
        );
        assert!(
            msg.contains(&format!("knows up to {}", latest_version())),
            "{msg}"
        );
        assert!(msg.contains("upgrade the app"), "{msg}");
        assert_eq!(
            before,
            std::fs::read(&path).unwrap(),
            "the file was changed"
        );
        assert!(!dir.path().join(format!("{DB_FILE_NAME}-wal")).exists());
        let conn = Connection::open(&path).unwrap();
        assert_eq!(current_version(&conn).unwrap(), latest_version() + 5);
    }

    #[test]
    fn a_failing_migration_leaves_the_previous_level() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join(DB_FILE_NAME);
        let mut conn = Connection::open(&path).unwrap();
        migrate_to(&mut conn, 1).unwrap();
        // Sabotage: a table 0002 wants to create already exists.
        conn.execute_batch("CREATE TABLE psa_companies (x)")
            .unwrap();
        let err = migrate(&mut conn).unwrap_err();
        assert!(
            matches!(
                err,
                StoreError::Migration {
                    version: 2,
                    from: 1,
                    ..
                }
            ),
            "{err:?}"
        );
        assert_eq!(current_version(&conn).unwrap(), 1);
        assert!(!table_names(&conn).contains(&"psa_products".to_string()));
    }
}
