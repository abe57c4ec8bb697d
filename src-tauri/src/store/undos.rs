//! Which run undid which: each undo run is linked to the run it undoes, and each of its items to
//! the original item it reverses, so History shows the link both ways and no item is undone twice.
//!
//! Kept as one JSON record per undo run in `settings` (key `undo:<undo run id>`), written in the
//! same transaction as the undo run and its items (see [`super::write`]). A table would be the
//! natural home, but this branch may only use migration 0006, which cannot load before 0004 and
//! 0005 exist; the record is small and read by run id, so nothing depends on the storage shape
//! outside this module.

use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use super::{settings, StoreError};

const PREFIX: &str = "undo:";

/// One undo run and what it reverses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UndoLink {
    pub undo_run: i64,
    /// The run it undoes.
    pub undone_run: i64,
    /// `(undo item id, original item id)` for every item of the undo run.
    pub items: Vec<(i64, i64)>,
}

fn key(undo_run: i64) -> String {
    format!("{PREFIX}{undo_run}")
}

/// Records an undo run's link (inside the caller's transaction when there is one).
pub fn record(conn: &Connection, link: &UndoLink) -> Result<(), StoreError> {
    settings::set_json(conn, &key(link.undo_run), link)
}

/// The run `run_id` undoes, when it is an undo run.
pub fn undo_of(conn: &Connection, run_id: i64) -> Result<Option<UndoLink>, StoreError> {
    settings::get_json(conn, &key(run_id))
}

/// Every undo run of `run_id`, oldest first.
pub fn undone_by(conn: &Connection, run_id: i64) -> Result<Vec<UndoLink>, StoreError> {
    let mut stmt = conn.prepare("SELECT key, value FROM settings WHERE key LIKE 'undo:%'")?;
    let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))?;
    let mut out = Vec::new();
    for row in rows {
        let (key, text) = row?;
        let link: UndoLink = serde_json::from_str(&text)
            .map_err(|e| StoreError::Corrupt(format!("setting '{key}' is not valid ({e})")))?;
        if link.undone_run == run_id {
            out.push(link);
        }
    }
    out.sort_by_key(|l| l.undo_run);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::store::Store;

    #[test]
    fn links_are_found_both_ways() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open_in(dir.path()).unwrap();
        let conn = store.conn().unwrap();
        assert_eq!(undo_of(&conn, 7).unwrap(), None);
        assert!(undone_by(&conn, 5).unwrap().is_empty());
        let first = UndoLink {
            undo_run: 9,
            undone_run: 5,
            items: vec![(90, 50)],
        };
        let second = UndoLink {
            undo_run: 7,
            undone_run: 5,
            items: vec![(70, 51), (71, 52)],
        };
        let other = UndoLink {
            undo_run: 8,
            undone_run: 6,
            items: vec![],
        };
        for l in [&first, &second, &other] {
            record(&conn, l).unwrap();
        }
        assert_eq!(undo_of(&conn, 7).unwrap(), Some(second.clone()));
        assert_eq!(undone_by(&conn, 5).unwrap(), vec![second, first]);
        assert_eq!(undone_by(&conn, 6).unwrap(), vec![other]);
        assert!(undone_by(&conn, 9).unwrap().is_empty());
    }
}
