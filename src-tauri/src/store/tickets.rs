//! `psa_tickets`: the PSA ticket open for each (connector, problem), so a later run with the same
//! problem adds a note instead of opening a second ticket, and the run without it closes it
//! (issue 14, item 4; the flow is [`crate::tickets::flow`]).

use chrono::{DateTime, Utc};
use rusqlite::{Connection, OptionalExtension};

use super::columns::{get_ts, ts};
use super::StoreError;
use crate::model::ConnectorId;

/// One remembered ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenTicket {
    pub connector_id: ConnectorId,
    /// `failed` or `held` ([`crate::tickets::Problem::as_str`]).
    pub problem: String,
    /// The PSA's ticket id.
    pub ticket_id: i64,
    pub opened_at: DateTime<Utc>,
    /// The last run that opened or noted the ticket.
    pub last_run_id: i64,
    pub last_noted_at: DateTime<Utc>,
}

pub fn get(
    conn: &Connection,
    connector: ConnectorId,
    problem: &str,
) -> Result<Option<OpenTicket>, StoreError> {
    Ok(conn
        .query_row(
            "SELECT ticket_id, opened_at, last_run_id, last_noted_at FROM psa_tickets
             WHERE connector_id = ?1 AND problem = ?2",
            rusqlite::params![connector.0, problem],
            |r| {
                Ok(OpenTicket {
                    connector_id: connector,
                    problem: problem.to_string(),
                    ticket_id: r.get(0)?,
                    opened_at: get_ts(r, 1)?,
                    last_run_id: r.get(2)?,
                    last_noted_at: get_ts(r, 3)?,
                })
            },
        )
        .optional()?)
}

/// Every remembered ticket of a connector, by problem.
pub fn list(conn: &Connection, connector: ConnectorId) -> Result<Vec<OpenTicket>, StoreError> {
    let mut stmt =
        conn.prepare("SELECT problem FROM psa_tickets WHERE connector_id = ?1 ORDER BY problem")?;
    let problems = stmt
        .query_map([connector.0], |r| r.get::<_, String>(0))?
        .collect::<Result<Vec<_>, _>>()?;
    let mut out = Vec::new();
    for p in problems {
        out.extend(get(conn, connector, &p)?);
    }
    Ok(out)
}

/// Remembers `t` (replacing the row of its connector and problem).
pub fn put(conn: &Connection, t: &OpenTicket) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO psa_tickets (connector_id, problem, ticket_id, opened_at, last_run_id, last_noted_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6)
         ON CONFLICT (connector_id, problem) DO UPDATE SET ticket_id = excluded.ticket_id,
           opened_at = excluded.opened_at, last_run_id = excluded.last_run_id,
           last_noted_at = excluded.last_noted_at",
        rusqlite::params![
            t.connector_id.0,
            t.problem,
            t.ticket_id,
            ts(t.opened_at),
            t.last_run_id,
            ts(t.last_noted_at)
        ],
    )?;
    Ok(())
}

/// Forgets the ticket of (connector, problem); returns whether there was one.
pub fn forget(
    conn: &Connection,
    connector: ConnectorId,
    problem: &str,
) -> Result<bool, StoreError> {
    Ok(conn.execute(
        "DELETE FROM psa_tickets WHERE connector_id = ?1 AND problem = ?2",
        rusqlite::params![connector.0, problem],
    )? > 0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PsaKind;
    use crate::store::testing::{at, temp_store};

    #[test]
    fn put_get_replace_forget_and_cascade() {
        let t = temp_store();
        let conn = t.store.conn().unwrap();
        let id = crate::store::connectors::insert(
            &conn,
            PsaKind::Autotask,
            "AT",
            &serde_json::json!({}),
            at(0),
        )
        .unwrap();
        assert_eq!(get(&conn, id, "failed").unwrap(), None);
        let mut row = OpenTicket {
            connector_id: id,
            problem: "failed".into(),
            ticket_id: 7865,
            opened_at: at(1),
            last_run_id: 3,
            last_noted_at: at(1),
        };
        put(&conn, &row).unwrap();
        row.last_run_id = 4;
        row.last_noted_at = at(2);
        put(&conn, &row).unwrap();
        assert_eq!(get(&conn, id, "failed").unwrap(), Some(row.clone()));
        assert_eq!(get(&conn, id, "held").unwrap(), None);
        assert_eq!(list(&conn, id).unwrap(), vec![row]);
        assert!(forget(&conn, id, "failed").unwrap());
        assert!(!forget(&conn, id, "failed").unwrap());
        put(
            &conn,
            &OpenTicket {
                connector_id: id,
                problem: "held".into(),
                ticket_id: 1,
                opened_at: at(0),
                last_run_id: 1,
                last_noted_at: at(0),
            },
        )
        .unwrap();
        crate::store::connectors::delete(&conn, id).unwrap();
        let n: i64 = conn
            .query_row("SELECT count(*) FROM psa_tickets", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0, "gone with the connector");
    }
}
