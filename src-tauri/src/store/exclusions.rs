//! `billing_exclusions` (migration 0004): workspace × service pairs of a connector the operator
//! excluded from billing, with who and when. The planner skips them
//! ([`crate::sync::exclusions`]).

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection};

use super::columns::{get_ts, ts};
use super::StoreError;
use crate::model::ConnectorId;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Exclusion {
    pub workspace_id: String,
    pub service_key: String,
    pub excluded_by: String,
    pub excluded_at: DateTime<Utc>,
}

/// Excludes a pair (again: the newer who and when win).
pub fn exclude(
    conn: &Connection,
    connector: ConnectorId,
    workspace_id: &str,
    service_key: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if workspace_id.trim().is_empty() || service_key.trim().is_empty() {
        return Err(StoreError::Invalid(
            "Only a workspace × service line can be excluded from billing".into(),
        ));
    }
    super::connectors::require(conn, connector)?;
    conn.execute(
        "INSERT INTO billing_exclusions (connector_id, workspace_id, service_key, excluded_by, excluded_at)
         VALUES (?1, ?2, ?3, ?4, ?5)
         ON CONFLICT (connector_id, workspace_id, service_key) DO UPDATE SET
           excluded_by = excluded.excluded_by, excluded_at = excluded.excluded_at",
        params![connector.0, workspace_id, service_key, by, ts(now)],
    )?;
    Ok(())
}

/// Includes a pair again; returns whether it was excluded.
pub fn include(
    conn: &Connection,
    connector: ConnectorId,
    workspace_id: &str,
    service_key: &str,
) -> Result<bool, StoreError> {
    Ok(conn.execute(
        "DELETE FROM billing_exclusions
         WHERE connector_id = ?1 AND workspace_id = ?2 AND service_key = ?3",
        params![connector.0, workspace_id, service_key],
    )? > 0)
}

pub fn list(conn: &Connection, connector: ConnectorId) -> Result<Vec<Exclusion>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT workspace_id, service_key, excluded_by, excluded_at FROM billing_exclusions
         WHERE connector_id = ?1 ORDER BY workspace_id, service_key",
    )?;
    let rows = stmt
        .query_map([connector.0], |r| {
            Ok(Exclusion {
                workspace_id: r.get(0)?,
                service_key: r.get(1)?,
                excluded_by: r.get(2)?,
                excluded_at: get_ts(r, 3)?,
            })
        })?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PsaKind;
    use crate::store::testing::{at, temp_store};

    #[test]
    fn exclude_list_include_and_cascade() {
        let t = temp_store();
        let conn = t.store.conn().unwrap();
        let id = crate::store::connectors::insert(
            &conn,
            PsaKind::Connectwise,
            "CW",
            &serde_json::json!({}),
            at(0),
        )
        .unwrap();
        exclude(&conn, id, "ws1", "edr", "ann", at(1)).unwrap();
        exclude(&conn, id, "ws1", "edr", "bob", at(2)).unwrap();
        assert!(exclude(&conn, id, "ws1", " ", "bob", at(2)).is_err());
        let l = list(&conn, id).unwrap();
        assert_eq!(l.len(), 1);
        assert_eq!(
            (l[0].excluded_by.as_str(), l[0].excluded_at),
            ("bob", at(2))
        );
        assert!(include(&conn, id, "ws1", "edr").unwrap());
        assert!(!include(&conn, id, "ws1", "edr").unwrap());
        exclude(&conn, id, "ws2", "edr", "ann", at(1)).unwrap();
        crate::store::connectors::delete(&conn, id).unwrap();
        let n: i64 = conn
            .query_row("SELECT count(*) FROM billing_exclusions", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0, "gone with the connector");
    }
}
