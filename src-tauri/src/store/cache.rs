//! `psa_companies` and `psa_products` (migration 0002): per-connector browse caches of the PSA's
//! companies and products, so the mapping pages open instantly. Each refresh replaces a
//! connector's whole list atomically; the age is the oldest `fetched_at`.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, Row};
use serde::{Deserialize, Serialize};

use super::columns::{get_opt_ts, ts};
use super::{write, StoreError};
use crate::model::{CompanyRef, ConnectorId, ProductRef};

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachedCompany {
    pub id: CompanyRef,
    pub name: String,
    /// The PSA's short code (ConnectWise `identifier`, Autotask account number), if any.
    pub identifier: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CachedProduct {
    pub id: ProductRef,
    pub name: String,
    pub identifier: Option<String>,
    pub description: Option<String>,
}

/// A cached list and when it was fetched (`None` when never fetched).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Cached<T> {
    pub items: Vec<T>,
    pub fetched_at: Option<DateTime<Utc>>,
}

/// Forgets a connector's cached companies and products (it now reaches another PSA account).
pub fn forget(conn: &Connection, connector: ConnectorId) -> Result<(), StoreError> {
    conn.execute(
        "DELETE FROM psa_companies WHERE connector_id = ?1",
        [connector.0],
    )?;
    conn.execute(
        "DELETE FROM psa_products WHERE connector_id = ?1",
        [connector.0],
    )?;
    Ok(())
}

/// Replaces a connector's cached companies.
pub fn replace_companies(
    conn: &Connection,
    connector: ConnectorId,
    companies: &[CachedCompany],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    write(conn, |tx| {
        super::connectors::require(tx, connector)?;
        tx.execute(
            "DELETE FROM psa_companies WHERE connector_id = ?1",
            [connector.0],
        )?;
        let mut stmt = tx.prepare(
            "INSERT OR REPLACE INTO psa_companies (connector_id, id, name, identifier, fetched_at)
             VALUES (?1, ?2, ?3, ?4, ?5)",
        )?;
        let now = ts(now);
        for c in companies {
            stmt.execute(params![connector.0, c.id.0, c.name, c.identifier, now])?;
        }
        Ok(())
    })
}

/// Replaces a connector's cached products.
pub fn replace_products(
    conn: &Connection,
    connector: ConnectorId,
    products: &[CachedProduct],
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    write(conn, |tx| {
        super::connectors::require(tx, connector)?;
        tx.execute(
            "DELETE FROM psa_products WHERE connector_id = ?1",
            [connector.0],
        )?;
        let mut stmt = tx.prepare(
            "INSERT OR REPLACE INTO psa_products
               (connector_id, id, name, identifier, description, fetched_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?;
        let now = ts(now);
        for p in products {
            stmt.execute(params![
                connector.0,
                p.id.0,
                p.name,
                p.identifier,
                p.description,
                now
            ])?;
        }
        Ok(())
    })
}

fn oldest(
    conn: &Connection,
    table: &str,
    connector: ConnectorId,
) -> Result<Option<DateTime<Utc>>, StoreError> {
    Ok(conn.query_row(
        &format!("SELECT min(fetched_at) FROM {table} WHERE connector_id = ?1"),
        [connector.0],
        |row| get_opt_ts(row, 0),
    )?)
}

fn company_from_row(row: &Row<'_>) -> rusqlite::Result<CachedCompany> {
    Ok(CachedCompany {
        id: CompanyRef(row.get(0)?),
        name: row.get(1)?,
        identifier: row.get(2)?,
    })
}

fn product_from_row(row: &Row<'_>) -> rusqlite::Result<CachedProduct> {
    Ok(CachedProduct {
        id: ProductRef(row.get(0)?),
        name: row.get(1)?,
        identifier: row.get(2)?,
        description: row.get(3)?,
    })
}

/// A connector's cached companies by name.
pub fn companies(
    conn: &Connection,
    connector: ConnectorId,
) -> Result<Cached<CachedCompany>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT id, name, identifier FROM psa_companies WHERE connector_id = ?1
         ORDER BY name COLLATE NOCASE, id",
    )?;
    let items = stmt
        .query_map([connector.0], company_from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Cached {
        items,
        fetched_at: oldest(conn, "psa_companies", connector)?,
    })
}

/// A connector's cached products by name.
pub fn products(
    conn: &Connection,
    connector: ConnectorId,
) -> Result<Cached<CachedProduct>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT id, name, identifier, description FROM psa_products WHERE connector_id = ?1
         ORDER BY name COLLATE NOCASE, id",
    )?;
    let items = stmt
        .query_map([connector.0], product_from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(Cached {
        items,
        fetched_at: oldest(conn, "psa_products", connector)?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PsaKind;
    use crate::store::connectors;
    use crate::store::testing::{at, temp_store};
    use serde_json::json;

    fn company(id: i64, name: &str) -> CachedCompany {
        CachedCompany {
            id: CompanyRef(id),
            name: name.into(),
            identifier: Some(format!("C{id}")),
        }
    }

    #[test]
    fn companies_are_replaced_wholesale() {
        let t = temp_store();
        let conn = t.store.conn().unwrap();
        let c = connectors::insert(&conn, PsaKind::Connectwise, "CW", &json!({}), at(0)).unwrap();
        assert_eq!(
            companies(&conn, c).unwrap(),
            Cached {
                items: vec![],
                fetched_at: None
            }
        );
        replace_companies(&conn, c, &[company(2, "beta"), company(1, "Alpha")], at(1)).unwrap();
        replace_companies(&conn, c, &[company(3, "Gamma"), company(1, "Alpha")], at(2)).unwrap();
        let got = companies(&conn, c).unwrap();
        assert_eq!(got.items, vec![company(1, "Alpha"), company(3, "Gamma")]);
        assert_eq!(got.fetched_at, Some(at(2)));
    }

    #[test]
    fn products_round_trip_and_cascade() {
        let t = temp_store();
        let conn = t.store.conn().unwrap();
        let c = connectors::insert(&conn, PsaKind::Autotask, "AT", &json!({}), at(0)).unwrap();
        let p = CachedProduct {
            id: ProductRef(5),
            name: "Coro EDR".into(),
            identifier: None,
            description: Some("per device".into()),
        };
        replace_products(&conn, c, std::slice::from_ref(&p), at(1)).unwrap();
        assert_eq!(products(&conn, c).unwrap().items, vec![p]);
        connectors::delete(&conn, c).unwrap();
        let n: i64 = conn
            .query_row("SELECT count(*) FROM psa_products", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 0);
        let err = replace_products(&conn, c, &[], at(2)).unwrap_err();
        assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
    }
}
