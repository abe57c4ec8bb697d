//! `settings`: app-wide key/value pairs (text), with typed helpers and the install id that
//! namespaces this data folder's keychain entries.

use rusqlite::{Connection, OptionalExtension};
use serde::de::DeserializeOwned;
use serde::Serialize;

use super::StoreError;

/// Keys in use. Any other key works too; naming them here keeps them from drifting.
pub mod keys {
    /// UUID created once per data folder; see [`super::install_id`].
    pub const INSTALL_ID: &str = "install_id";
    /// `true` while the user has paused the daily sync.
    pub const DAILY_SYNC_PAUSED: &str = "daily_sync_paused";
    /// Local time of day of the daily sync, `HH:MM`.
    pub const DAILY_SYNC_TIME: &str = "daily_sync_time";
}

pub fn get(conn: &Connection, key: &str) -> Result<Option<String>, StoreError> {
    Ok(conn
        .query_row("SELECT value FROM settings WHERE key = ?1", [key], |row| {
            row.get(0)
        })
        .optional()?)
}

pub fn set(conn: &Connection, key: &str, value: &str) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO settings (key, value) VALUES (?1, ?2)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value",
        [key, value],
    )?;
    Ok(())
}

/// Removes a key; returns whether it was there.
pub fn delete(conn: &Connection, key: &str) -> Result<bool, StoreError> {
    Ok(conn.execute("DELETE FROM settings WHERE key = ?1", [key])? > 0)
}

/// Reads a value stored with [`set_json`].
pub fn get_json<T: DeserializeOwned>(
    conn: &Connection,
    key: &str,
) -> Result<Option<T>, StoreError> {
    get(conn, key)?
        .map(|text| {
            serde_json::from_str(&text)
                .map_err(|e| StoreError::Corrupt(format!("setting '{key}' is not valid ({e})")))
        })
        .transpose()
}

pub fn set_json<T: Serialize + ?Sized>(
    conn: &Connection,
    key: &str,
    value: &T,
) -> Result<(), StoreError> {
    let text = serde_json::to_string(value)
        .map_err(|e| StoreError::Invalid(format!("setting '{key}' cannot be stored: {e}")))?;
    set(conn, key, &text)
}

pub fn get_bool(conn: &Connection, key: &str) -> Result<Option<bool>, StoreError> {
    get_json(conn, key)
}

pub fn set_bool(conn: &Connection, key: &str, value: bool) -> Result<(), StoreError> {
    set_json(conn, key, &value)
}

/// This data folder's install id, created (UUID v4) on first call and stable afterwards. It names
/// the keychain namespace, so two data folders never share or overwrite each other's secrets.
pub fn install_id(conn: &Connection) -> Result<String, StoreError> {
    // INSERT OR IGNORE makes concurrent first calls agree on one id.
    conn.execute(
        "INSERT OR IGNORE INTO settings (key, value) VALUES (?1, ?2)",
        [keys::INSTALL_ID, &uuid::Uuid::new_v4().to_string()],
    )?;
    get(conn, keys::INSTALL_ID)?
        .filter(|id| !id.trim().is_empty())
        .ok_or_else(|| StoreError::Corrupt("the install id setting is empty".into()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::temp_store;

    #[test]
    fn text_values_round_trip_and_overwrite() {
        let t = temp_store();
        let conn = t.store.conn().unwrap();
        assert_eq!(get(&conn, "k").unwrap(), None);
        set(&conn, "k", "one").unwrap();
        set(&conn, "k", "two").unwrap();
        assert_eq!(get(&conn, "k").unwrap().as_deref(), Some("two"));
        assert!(delete(&conn, "k").unwrap());
        assert!(!delete(&conn, "k").unwrap());
        assert_eq!(get(&conn, "k").unwrap(), None);
    }

    #[test]
    fn typed_values_round_trip() {
        let t = temp_store();
        let conn = t.store.conn().unwrap();
        set_bool(&conn, keys::DAILY_SYNC_PAUSED, true).unwrap();
        assert_eq!(
            get_bool(&conn, keys::DAILY_SYNC_PAUSED).unwrap(),
            Some(true)
        );
        set_json(&conn, "list", &vec![1, 2, 3]).unwrap();
        assert_eq!(
            get_json::<Vec<i32>>(&conn, "list").unwrap(),
            Some(vec![1, 2, 3])
        );
        set(&conn, "broken", "not json").unwrap();
        let err = get_bool(&conn, "broken").unwrap_err();
        assert!(matches!(err, StoreError::Corrupt(_)), "{err:?}");
    }

    #[test]
    fn install_id_is_created_once() {
        let t = temp_store();
        let first = install_id(&t.store.conn().unwrap()).unwrap();
        let again = install_id(&t.store.conn().unwrap()).unwrap();
        assert_eq!(first, again);
        assert!(uuid::Uuid::parse_str(&first).is_ok(), "{first}");
        let other = temp_store();
        assert_ne!(first, install_id(&other.store.conn().unwrap()).unwrap());
    }
}
