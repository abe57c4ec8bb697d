//! `connectors`: the PSA connections (ConnectWise or Autotask). `config` holds the non-secret
//! settings as a JSON object — site, company id, the ConnectWise *public* key, the Autotask
//! *username*, … — while private keys and secrets go to the keychain under
//! `SecretKey::ConnectorSecret(id)`. Ids are never reused (AUTOINCREMENT), so a new connector can
//! never pick up a deleted one's keychain entry.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;
use serde_json::Value;

use super::columns::{get_enum, get_ts, ts};
use super::{write, StoreError};
use crate::model::{ConnectorId, PsaKind};

/// One stored connector.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ConnectorRow {
    pub id: ConnectorId,
    pub kind: PsaKind,
    pub name: String,
    /// Non-secret settings, always a JSON object.
    pub config: Value,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

const COLUMNS: &str = "id, kind, name, config, created_at, updated_at";

fn from_row(row: &Row<'_>) -> rusqlite::Result<ConnectorRow> {
    let config: String = row.get(3)?;
    let config = serde_json::from_str(&config).map_err(|e| {
        rusqlite::Error::FromSqlConversionFailure(3, rusqlite::types::Type::Text, Box::new(e))
    })?;
    Ok(ConnectorRow {
        id: ConnectorId(row.get(0)?),
        kind: get_enum(row, 1, PsaKind::parse)?,
        name: row.get(2)?,
        config,
        created_at: get_ts(row, 4)?,
        updated_at: get_ts(row, 5)?,
    })
}

/// Config keys that look like they hold a secret. A guard against a caller putting a secret in
/// the database by mistake; identifiers such as `public_key` and `username` are fine.
fn secret_like(key: &str) -> bool {
    let k: String = key
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .collect::<String>()
        .to_ascii_lowercase();
    ["secret", "password", "privatekey", "token", "passphrase"]
        .iter()
        .any(|s| k.contains(s))
}

fn find_secret_key(value: &Value) -> Option<String> {
    match value {
        Value::Object(map) => map.iter().find_map(|(k, v)| {
            if secret_like(k) {
                Some(k.clone())
            } else {
                find_secret_key(v)
            }
        }),
        Value::Array(items) => items.iter().find_map(find_secret_key),
        _ => None,
    }
}

fn validate(name: &str, config: &Value) -> Result<String, StoreError> {
    let name = name.trim();
    if name.is_empty() {
        return Err(StoreError::Invalid(
            "The connector name is empty; give it a name".into(),
        ));
    }
    if !config.is_object() {
        return Err(StoreError::Invalid(
            "The connector config must be a JSON object".into(),
        ));
    }
    if let Some(key) = find_secret_key(config) {
        return Err(StoreError::Invalid(format!(
            "The connector config has a secret-looking field '{key}'; secrets belong in the OS \
             keychain, not the database"
        )));
    }
    Ok(name.to_string())
}

fn name_taken(err: rusqlite::Error, name: &str) -> StoreError {
    match err.sqlite_error_code() {
        Some(rusqlite::ErrorCode::ConstraintViolation)
            if err.to_string().contains("connectors.name") =>
        {
            StoreError::Conflict(format!(
                "A connector named '{name}' already exists; choose another name"
            ))
        }
        _ => err.into(),
    }
}

/// Stores a new connector and its status row (`untested`), atomically.
pub fn insert(
    conn: &Connection,
    kind: PsaKind,
    name: &str,
    config: &Value,
    now: DateTime<Utc>,
) -> Result<ConnectorId, StoreError> {
    let name = validate(name, config)?;
    write(conn, |tx| {
        tx.execute(
            "INSERT INTO connectors (kind, name, config, created_at, updated_at)
             VALUES (?1, ?2, ?3, ?4, ?4)",
            params![kind.as_str(), name, config.to_string(), ts(now)],
        )
        .map_err(|e| name_taken(e, &name))?;
        let id = ConnectorId(tx.last_insert_rowid());
        tx.execute(
            "INSERT INTO connector_status (connector_id) VALUES (?1)",
            [id.0],
        )?;
        Ok(id)
    })
}

/// Renames and/or reconfigures a connector. Its kind never changes.
pub fn update(
    conn: &Connection,
    id: ConnectorId,
    name: &str,
    config: &Value,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let name = validate(name, config)?;
    let changed = conn
        .execute(
            "UPDATE connectors SET name = ?2, config = ?3, updated_at = ?4 WHERE id = ?1",
            params![id.0, name, config.to_string(), ts(now)],
        )
        .map_err(|e| name_taken(e, &name))?;
    if changed == 0 {
        return Err(StoreError::not_found(format!("Connector {id}")));
    }
    Ok(())
}

pub fn get(conn: &Connection, id: ConnectorId) -> Result<Option<ConnectorRow>, StoreError> {
    Ok(conn
        .query_row(
            &format!("SELECT {COLUMNS} FROM connectors WHERE id = ?1"),
            [id.0],
            from_row,
        )
        .optional()?)
}

/// Like [`get`], but a missing connector is a [`StoreError::NotFound`].
pub fn require(conn: &Connection, id: ConnectorId) -> Result<ConnectorRow, StoreError> {
    get(conn, id)?.ok_or_else(|| StoreError::not_found(format!("Connector {id}")))
}

/// All connectors, by name.
pub fn list(conn: &Connection) -> Result<Vec<ConnectorRow>, StoreError> {
    let mut stmt = conn.prepare(&format!(
        "SELECT {COLUMNS} FROM connectors ORDER BY name, id"
    ))?;
    let rows = stmt
        .query_map([], from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Deletes a connector with its status, mappings, caches and run history (ON DELETE CASCADE).
/// The caller also deletes `SecretKey::ConnectorSecret(id)` from the keychain.
pub fn delete(conn: &Connection, id: ConnectorId) -> Result<(), StoreError> {
    if conn.execute("DELETE FROM connectors WHERE id = ?1", [id.0])? == 0 {
        return Err(StoreError::not_found(format!("Connector {id}")));
    }
    Ok(())
}

/// Sets `key` to `value` in the config of every `kind` connector that lacks it (or holds null):
/// the default of a setting added after those connectors were stored. Returns how many changed.
pub fn fill_config_default(
    conn: &Connection,
    kind: PsaKind,
    key: &str,
    value: &str,
) -> Result<usize, StoreError> {
    let path = format!("$.{key}");
    Ok(conn.execute(
        "UPDATE connectors SET config = json_set(config, ?2, ?3)
         WHERE kind = ?1 AND coalesce(json_type(config, ?2), 'null') = 'null'",
        params![kind.as_str(), path, value],
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::{at, temp_store};
    use serde_json::json;

    #[test]
    fn insert_get_list_update_delete() {
        let t = temp_store();
        let conn = t.store.conn().unwrap();
        let cw = insert(
            &conn,
            PsaKind::Connectwise,
            " Main CW ",
            &json!({"site": "na.myconnectwise.net", "company_id": "example", "public_key": "pub"}),
            at(0),
        )
        .unwrap();
        let at_id = insert(
            &conn,
            PsaKind::Autotask,
            "AT",
            &json!({"username": "api@x"}),
            at(1),
        )
        .unwrap();
        let row = require(&conn, cw).unwrap();
        assert_eq!(row.name, "Main CW");
        assert_eq!(row.kind, PsaKind::Connectwise);
        assert_eq!(row.config["public_key"], "pub");
        assert_eq!(
            list(&conn)
                .unwrap()
                .iter()
                .map(|r| r.id)
                .collect::<Vec<_>>(),
            vec![at_id, cw]
        );

        update(
            &conn,
            cw,
            "Renamed",
            &json!({"site": "eu.myconnectwise.net"}),
            at(3),
        )
        .unwrap();
        let row = require(&conn, cw).unwrap();
        assert_eq!(
            (row.name.as_str(), row.created_at, row.updated_at),
            ("Renamed", at(0), at(3))
        );
        assert_eq!(row.config, json!({"site": "eu.myconnectwise.net"}));

        delete(&conn, cw).unwrap();
        assert_eq!(get(&conn, cw).unwrap(), None);
        assert!(matches!(
            delete(&conn, cw),
            Err(StoreError::NotFound { .. })
        ));
        assert!(matches!(
            update(&conn, cw, "x", &json!({}), at(4)),
            Err(StoreError::NotFound { .. })
        ));
    }

    #[test]
    fn names_are_unique_ignoring_case() {
        let t = temp_store();
        let conn = t.store.conn().unwrap();
        insert(&conn, PsaKind::Connectwise, "Main", &json!({}), at(0)).unwrap();
        let other = insert(&conn, PsaKind::Autotask, "Other", &json!({}), at(0)).unwrap();
        let err = insert(&conn, PsaKind::Autotask, "main", &json!({}), at(0)).unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
        assert!(err.to_string().contains("'main' already exists"), "{err}");
        let err = update(&conn, other, "MAIN", &json!({}), at(0)).unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
        // The failed insert left no half-written status row behind.
        let n: i64 = conn
            .query_row("SELECT count(*) FROM connector_status", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 2);
    }

    #[test]
    fn ids_are_not_reused_after_delete() {
        let t = temp_store();
        let conn = t.store.conn().unwrap();
        let first = insert(&conn, PsaKind::Connectwise, "A", &json!({}), at(0)).unwrap();
        delete(&conn, first).unwrap();
        let second = insert(&conn, PsaKind::Connectwise, "B", &json!({}), at(0)).unwrap();
        assert!(second.0 > first.0);
    }

    #[test]
    fn bad_input_is_refused_by_name() {
        let t = temp_store();
        let conn = t.store.conn().unwrap();
        for (name, config, needle) in [
            ("", json!({}), "name is empty"),
            ("x", json!([1]), "JSON object"),
            ("x", json!({"private_key": "s3cr3t"}), "'private_key'"),
            ("x", json!({"auth": {"Secret": "s3cr3t"}}), "'Secret'"),
            ("x", json!({"password": "s3cr3t"}), "'password'"),
        ] {
            let err = insert(&conn, PsaKind::Autotask, name, &config, at(0)).unwrap_err();
            assert!(matches!(err, StoreError::Invalid(_)), "{err:?}");
            let msg = err.to_string();
            assert!(msg.contains(needle), "{msg}");
            assert!(!msg.contains("s3cr3t"), "{msg}");
        }
        // Identifiers are fine.
        insert(
            &conn,
            PsaKind::Connectwise,
            "ok",
            &json!({"public_key": "p", "username": "u"}),
            at(0),
        )
        .unwrap();
    }

    #[test]
    fn fill_config_default_sets_only_what_is_missing() {
        let t = temp_store();
        let conn = t.store.conn().unwrap();
        let old = insert(
            &conn,
            PsaKind::Autotask,
            "old",
            &json!({"username": "u"}),
            at(0),
        )
        .unwrap();
        let null = insert(
            &conn,
            PsaKind::Autotask,
            "null",
            &json!({"time_zone": null}),
            at(0),
        )
        .unwrap();
        let set = insert(
            &conn,
            PsaKind::Autotask,
            "set",
            &json!({"time_zone": "Pacific/Tongatapu"}),
            at(0),
        )
        .unwrap();
        let cw = insert(&conn, PsaKind::Connectwise, "cw", &json!({}), at(0)).unwrap();
        let n =
            fill_config_default(&conn, PsaKind::Autotask, "time_zone", "Europe/London").unwrap();
        assert_eq!(n, 2);
        let zone = |id| require(&conn, id).unwrap().config.get("time_zone").cloned();
        assert_eq!(zone(old), Some(json!("Europe/London")));
        assert_eq!(require(&conn, old).unwrap().config["username"], "u");
        assert_eq!(zone(null), Some(json!("Europe/London")));
        assert_eq!(zone(set), Some(json!("Pacific/Tongatapu")));
        assert_eq!(zone(cw), None);
        assert_eq!(
            fill_config_default(&conn, PsaKind::Autotask, "time_zone", "UTC").unwrap(),
            0
        );
    }
}
