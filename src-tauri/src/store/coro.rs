//! `coro_connection`: the single stored Coro channel connection (where to reach the API and as
//! whom). The client secret is not here; it is `SecretKey::CoroClientSecret` in the keychain.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

use super::columns::{get_ts, ts};
use super::StoreError;

/// What the user enters (or discovery fills in) for the Coro connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoroSettings {
    pub region: String,
    pub base_url: String,
    pub client_id: String,
    pub channel_workspace_id: String,
    pub channel_name: Option<String>,
}

/// The stored row.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CoroConnection {
    pub settings: CoroSettings,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<CoroConnection> {
    Ok(CoroConnection {
        settings: CoroSettings {
            region: row.get(0)?,
            base_url: row.get(1)?,
            client_id: row.get(2)?,
            channel_workspace_id: row.get(3)?,
            channel_name: row.get(4)?,
        },
        created_at: get_ts(row, 5)?,
        updated_at: get_ts(row, 6)?,
    })
}

pub fn get(conn: &Connection) -> Result<Option<CoroConnection>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT region, base_url, client_id, channel_workspace_id, channel_name, created_at,
                    updated_at
             FROM coro_connection WHERE id = 1",
            [],
            from_row,
        )
        .optional()?)
}

/// Stores (or replaces) the connection; `created_at` survives a replace.
pub fn save(conn: &Connection, s: &CoroSettings, now: DateTime<Utc>) -> Result<(), StoreError> {
    for (field, value) in [
        ("region", &s.region),
        ("base URL", &s.base_url),
        ("client id", &s.client_id),
        ("channel workspace id", &s.channel_workspace_id),
    ] {
        if value.trim().is_empty() {
            return Err(StoreError::Invalid(format!(
                "The Coro {field} is empty; fill it in"
            )));
        }
    }
    conn.execute(
        "INSERT INTO coro_connection
           (id, region, base_url, client_id, channel_workspace_id, channel_name, created_at,
            updated_at)
         VALUES (1, ?1, ?2, ?3, ?4, ?5, ?6, ?6)
         ON CONFLICT (id) DO UPDATE SET
           region = excluded.region, base_url = excluded.base_url,
           client_id = excluded.client_id, channel_workspace_id = excluded.channel_workspace_id,
           channel_name = excluded.channel_name, updated_at = excluded.updated_at",
        params![
            s.region,
            s.base_url,
            s.client_id,
            s.channel_workspace_id,
            s.channel_name,
            ts(now)
        ],
    )?;
    Ok(())
}

/// Forgets the connection; returns whether one was stored. The caller also deletes the secret.
pub fn delete(conn: &Connection) -> Result<bool, StoreError> {
    Ok(conn.execute("DELETE FROM coro_connection WHERE id = 1", [])? > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::testing::{at, temp_store};

    fn sample() -> CoroSettings {
        CoroSettings {
            region: "us".into(),
            base_url: "https://api.secure.coro.net".into(),
            client_id: "client-123".into(),
            channel_workspace_id: "channelWS_1".into(),
            channel_name: Some("Example MSP".into()),
        }
    }

    #[test]
    fn save_get_replace_delete() {
        let t = temp_store();
        let conn = t.store.conn().unwrap();
        assert_eq!(get(&conn).unwrap(), None);
        save(&conn, &sample(), at(0)).unwrap();
        let mut changed = sample();
        changed.region = "eu".into();
        changed.channel_name = None;
        save(&conn, &changed, at(5)).unwrap();
        let row = get(&conn).unwrap().unwrap();
        assert_eq!(row.settings, changed);
        assert_eq!(row.created_at, at(0));
        assert_eq!(row.updated_at, at(5));
        let rows: i64 = conn
            .query_row("SELECT count(*) FROM coro_connection", [], |r| r.get(0))
            .unwrap();
        assert_eq!(rows, 1);
        assert!(delete(&conn).unwrap());
        assert_eq!(get(&conn).unwrap(), None);
    }

    #[test]
    fn empty_fields_are_refused_by_name() {
        let t = temp_store();
        let conn = t.store.conn().unwrap();
        let mut s = sample();
        s.client_id = " ".into();
        let err = save(&conn, &s, at(0)).unwrap_err();
        assert!(err.to_string().contains("client id"), "{err}");
    }
}
