//! `connector_status`: one row per connector (created with it) holding the last credential check
//! (`state`, `message`, `checked_at`) and the last sync attempt (`last_attempt_at`,
//! `last_success_at`, `last_error`) — what the Connectors page and the daily catch-up read.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::Serialize;

use super::columns::{get_enum, get_opt_ts, ts};
use super::{write, StoreError};
use crate::model::{ConnectionState, ConnectionStatus, ConnectorId};

/// How a check or an attempt ended. The failure text is shown to the user; never a secret.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome<'a> {
    Success,
    Failure(&'a str),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusRow {
    pub connector_id: ConnectorId,
    pub state: ConnectionState,
    pub message: Option<String>,
    pub checked_at: Option<DateTime<Utc>>,
    pub last_attempt_at: Option<DateTime<Utc>>,
    pub last_success_at: Option<DateTime<Utc>>,
    /// Set when the last attempt failed; cleared by a success.
    pub last_error: Option<String>,
}

impl StatusRow {
    /// The UI's view of the last credential check.
    pub fn connection_status(&self) -> ConnectionStatus {
        ConnectionStatus {
            state: self.state,
            message: self.message.clone(),
            checked_at: self.checked_at.map(ts),
        }
    }
}

fn state_str(state: ConnectionState) -> &'static str {
    match state {
        ConnectionState::Connected => "connected",
        ConnectionState::Error => "error",
        ConnectionState::Untested => "untested",
    }
}

fn parse_state(s: &str) -> Option<ConnectionState> {
    match s {
        "connected" => Some(ConnectionState::Connected),
        "error" => Some(ConnectionState::Error),
        "untested" => Some(ConnectionState::Untested),
        _ => None,
    }
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<StatusRow> {
    Ok(StatusRow {
        connector_id: ConnectorId(row.get(0)?),
        state: get_enum(row, 1, parse_state)?,
        message: row.get(2)?,
        checked_at: get_opt_ts(row, 3)?,
        last_attempt_at: get_opt_ts(row, 4)?,
        last_success_at: get_opt_ts(row, 5)?,
        last_error: row.get(6)?,
    })
}

pub fn get(conn: &Connection, id: ConnectorId) -> Result<Option<StatusRow>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT connector_id, state, message, checked_at, last_attempt_at, last_success_at,
                    last_error
             FROM connector_status WHERE connector_id = ?1",
            [id.0],
            from_row,
        )
        .optional()?)
}

/// Upserts so a connector from before its status row existed still records.
fn upsert(
    conn: &Connection,
    id: ConnectorId,
    set: &str,
    values: &[&dyn rusqlite::ToSql],
) -> Result<(), StoreError> {
    write(conn, |tx| {
        if super::connectors::get(tx, id)?.is_none() {
            return Err(StoreError::not_found(format!("Connector {id}")));
        }
        tx.execute(
            "INSERT OR IGNORE INTO connector_status (connector_id) VALUES (?1)",
            [id.0],
        )?;
        let mut all: Vec<&dyn rusqlite::ToSql> = vec![&id.0];
        all.extend_from_slice(values);
        tx.execute(
            &format!("UPDATE connector_status SET {set} WHERE connector_id = ?1"),
            all.as_slice(),
        )?;
        Ok(())
    })
}

/// Records the result of a live credential check ("Test connection", or saving credentials).
pub fn record_check(
    conn: &Connection,
    id: ConnectorId,
    outcome: Outcome<'_>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let (state, message) = match outcome {
        Outcome::Success => (ConnectionState::Connected, None),
        Outcome::Failure(msg) => (ConnectionState::Error, Some(msg)),
    };
    upsert(
        conn,
        id,
        "state = ?2, message = ?3, checked_at = ?4",
        params![state_str(state), message, ts(now)],
    )
}

/// Records a sync attempt (scheduled or manual): the attempt time, and either the success time
/// (clearing the error) or the error.
pub fn record_attempt(
    conn: &Connection,
    id: ConnectorId,
    outcome: Outcome<'_>,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    match outcome {
        Outcome::Success => upsert(
            conn,
            id,
            "last_attempt_at = ?2, last_success_at = ?2, last_error = NULL",
            params![ts(now)],
        ),
        Outcome::Failure(msg) => upsert(
            conn,
            id,
            "last_attempt_at = ?2, last_error = ?3",
            params![ts(now), msg],
        ),
    }
}

/// Back to `untested` (credentials changed, so the last check no longer says anything).
pub fn mark_untested(conn: &Connection, id: ConnectorId) -> Result<(), StoreError> {
    upsert(
        conn,
        id,
        "state = 'untested', message = NULL, checked_at = NULL",
        params![],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PsaKind;
    use crate::store::connectors;
    use crate::store::testing::{at, temp_store};
    use serde_json::json;

    #[test]
    fn new_connector_starts_untested() {
        let t = temp_store();
        let conn = t.store.conn().unwrap();
        let id = connectors::insert(&conn, PsaKind::Connectwise, "CW", &json!({}), at(0)).unwrap();
        let s = get(&conn, id).unwrap().unwrap();
        assert_eq!(s.state, ConnectionState::Untested);
        assert_eq!(
            s.connection_status(),
            ConnectionStatus {
                state: ConnectionState::Untested,
                message: None,
                checked_at: None
            }
        );
    }

    #[test]
    fn checks_and_attempts_are_recorded_separately() {
        let t = temp_store();
        let conn = t.store.conn().unwrap();
        let id = connectors::insert(&conn, PsaKind::Autotask, "AT", &json!({}), at(0)).unwrap();

        record_check(&conn, id, Outcome::Failure("401: API user rejected"), at(1)).unwrap();
        let s = get(&conn, id).unwrap().unwrap();
        assert_eq!(s.state, ConnectionState::Error);
        assert_eq!(s.message.as_deref(), Some("401: API user rejected"));
        assert_eq!(
            s.connection_status().checked_at.as_deref(),
            Some("2025-01-31T09:01:00.000Z")
        );
        assert_eq!(s.last_attempt_at, None);

        record_check(&conn, id, Outcome::Success, at(2)).unwrap();
        record_attempt(&conn, id, Outcome::Success, at(3)).unwrap();
        record_attempt(&conn, id, Outcome::Failure("timeout"), at(4)).unwrap();
        let s = get(&conn, id).unwrap().unwrap();
        assert_eq!(
            (s.state, s.message.clone()),
            (ConnectionState::Connected, None)
        );
        assert_eq!(s.last_attempt_at, Some(at(4)));
        assert_eq!(s.last_success_at, Some(at(3)));
        assert_eq!(s.last_error.as_deref(), Some("timeout"));

        record_attempt(&conn, id, Outcome::Success, at(5)).unwrap();
        let s = get(&conn, id).unwrap().unwrap();
        assert_eq!(
            (s.last_success_at, s.last_error.clone()),
            (Some(at(5)), None)
        );

        mark_untested(&conn, id).unwrap();
        let s = get(&conn, id).unwrap().unwrap();
        assert_eq!((s.state, s.checked_at), (ConnectionState::Untested, None));
        assert_eq!(s.last_success_at, Some(at(5)), "sync history survives");
    }

    #[test]
    fn unknown_connector_is_not_found_and_status_cascades() {
        let t = temp_store();
        let conn = t.store.conn().unwrap();
        let err = record_check(&conn, ConnectorId(99), Outcome::Success, at(0)).unwrap_err();
        assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
        let id = connectors::insert(&conn, PsaKind::Autotask, "AT", &json!({}), at(0)).unwrap();
        record_check(&conn, id, Outcome::Success, at(1)).unwrap();
        connectors::delete(&conn, id).unwrap();
        assert_eq!(get(&conn, id).unwrap(), None);
    }
}
