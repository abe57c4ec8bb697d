//! `workspace_mappings` and `service_mappings`: which PSA company bills each Coro workspace, and
//! which PSA product bills each Coro service, per connector. Both are one-to-one: mapping a
//! company (or product) that is already taken is a [`StoreError::Conflict`] naming the holder;
//! mapping an already-mapped workspace (or service) again replaces its mapping.

use chrono::{DateTime, Utc};
use rusqlite::{params, Connection, OptionalExtension, Row};
use serde::{Deserialize, Serialize};

use super::columns::{get_opt_enum, get_ts, text_enum, ts};
use super::{write, StoreError};
use crate::model::{CompanyRef, ConnectorId, ProductRef, WorkspaceId};

text_enum! {
    /// What one billed unit counts.
    BillingUnit { Device => "device", User => "user", Max => "max" }
}

/// A Coro workspace billed to a PSA company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkspaceLink {
    pub workspace_id: WorkspaceId,
    pub workspace_name: String,
    pub company_id: CompanyRef,
    pub company_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkspaceMapping {
    pub connector_id: ConnectorId,
    pub link: WorkspaceLink,
    pub created_at: DateTime<Utc>,
}

/// A Coro service (by its stable key, e.g. `edr`) billed as a PSA product.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServiceLink {
    pub service_key: String,
    pub product_id: ProductRef,
    pub product_name: String,
    /// `None`: bill in the unit the service reports.
    pub unit: Option<BillingUnit>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceMapping {
    pub connector_id: ConnectorId,
    pub link: ServiceLink,
    pub created_at: DateTime<Utc>,
}

/// How many workspaces and services a connector has mapped (totals come from Coro).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
pub struct MappedCounts {
    pub workspaces: u32,
    pub services: u32,
}

fn require_connector(conn: &Connection, id: ConnectorId) -> Result<(), StoreError> {
    super::connectors::require(conn, id).map(|_| ())
}

/// Maps a workspace to a company (replacing the workspace's previous company, if any).
pub fn map_workspace(
    conn: &Connection,
    connector: ConnectorId,
    link: &WorkspaceLink,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    write(conn, |tx| {
        require_connector(tx, connector)?;
        let holder: Option<(String, String)> = tx
            .query_row(
                "SELECT workspace_id, workspace_name FROM workspace_mappings
                 WHERE connector_id = ?1 AND company_id = ?2 AND workspace_id <> ?3",
                params![connector.0, link.company_id.0, link.workspace_id.0],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        if let Some((ws_id, ws_name)) = holder {
            return Err(StoreError::Conflict(format!(
                "Company '{}' (id {}) is already mapped to workspace '{ws_name}' ({ws_id}); \
                 unmap that workspace first",
                link.company_name, link.company_id.0
            )));
        }
        tx.execute(
            "INSERT INTO workspace_mappings
               (connector_id, workspace_id, workspace_name, company_id, company_name, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (connector_id, workspace_id) DO UPDATE SET
               workspace_name = excluded.workspace_name, company_id = excluded.company_id,
               company_name = excluded.company_name, created_at = excluded.created_at",
            params![
                connector.0,
                link.workspace_id.0,
                link.workspace_name,
                link.company_id.0,
                link.company_name,
                ts(now)
            ],
        )?;
        Ok(())
    })
}

/// Removes a workspace's mapping; returns whether there was one.
pub fn unmap_workspace(
    conn: &Connection,
    connector: ConnectorId,
    workspace: &WorkspaceId,
) -> Result<bool, StoreError> {
    Ok(conn.execute(
        "DELETE FROM workspace_mappings WHERE connector_id = ?1 AND workspace_id = ?2",
        params![connector.0, workspace.0],
    )? > 0)
}

fn workspace_from_row(row: &Row<'_>) -> rusqlite::Result<WorkspaceMapping> {
    Ok(WorkspaceMapping {
        connector_id: ConnectorId(row.get(0)?),
        link: WorkspaceLink {
            workspace_id: WorkspaceId(row.get(1)?),
            workspace_name: row.get(2)?,
            company_id: CompanyRef(row.get(3)?),
            company_name: row.get(4)?,
        },
        created_at: get_ts(row, 5)?,
    })
}

/// A connector's workspace mappings, by workspace name.
pub fn list_workspaces(
    conn: &Connection,
    connector: ConnectorId,
) -> Result<Vec<WorkspaceMapping>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT connector_id, workspace_id, workspace_name, company_id, company_name, created_at
         FROM workspace_mappings WHERE connector_id = ?1
         ORDER BY workspace_name COLLATE NOCASE, workspace_id",
    )?;
    let rows = stmt
        .query_map([connector.0], workspace_from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

/// Maps a service to a product (replacing the service's previous product, if any).
pub fn map_service(
    conn: &Connection,
    connector: ConnectorId,
    link: &ServiceLink,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    if link.service_key.trim().is_empty() {
        return Err(StoreError::Invalid("The service key is empty".into()));
    }
    write(conn, |tx| {
        require_connector(tx, connector)?;
        let holder: Option<String> = tx
            .query_row(
                "SELECT service_key FROM service_mappings
                 WHERE connector_id = ?1 AND product_id = ?2 AND service_key <> ?3",
                params![connector.0, link.product_id.0, link.service_key],
                |r| r.get(0),
            )
            .optional()?;
        if let Some(key) = holder {
            return Err(StoreError::Conflict(format!(
                "Product '{}' (id {}) is already mapped to service '{key}'; unmap that service \
                 first",
                link.product_name, link.product_id.0
            )));
        }
        tx.execute(
            "INSERT INTO service_mappings
               (connector_id, service_key, product_id, product_name, unit, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (connector_id, service_key) DO UPDATE SET
               product_id = excluded.product_id, product_name = excluded.product_name,
               unit = excluded.unit, created_at = excluded.created_at",
            params![
                connector.0,
                link.service_key,
                link.product_id.0,
                link.product_name,
                link.unit.map(BillingUnit::as_str),
                ts(now)
            ],
        )?;
        Ok(())
    })
}

/// Removes a service's mapping; returns whether there was one.
pub fn unmap_service(
    conn: &Connection,
    connector: ConnectorId,
    service_key: &str,
) -> Result<bool, StoreError> {
    Ok(conn.execute(
        "DELETE FROM service_mappings WHERE connector_id = ?1 AND service_key = ?2",
        params![connector.0, service_key],
    )? > 0)
}

fn service_from_row(row: &Row<'_>) -> rusqlite::Result<ServiceMapping> {
    Ok(ServiceMapping {
        connector_id: ConnectorId(row.get(0)?),
        link: ServiceLink {
            service_key: row.get(1)?,
            product_id: ProductRef(row.get(2)?),
            product_name: row.get(3)?,
            unit: get_opt_enum(row, 4, BillingUnit::parse)?,
        },
        created_at: get_ts(row, 5)?,
    })
}

/// A connector's service mappings, by service key.
pub fn list_services(
    conn: &Connection,
    connector: ConnectorId,
) -> Result<Vec<ServiceMapping>, StoreError> {
    let mut stmt = conn.prepare(
        "SELECT connector_id, service_key, product_id, product_name, unit, created_at
         FROM service_mappings WHERE connector_id = ?1 ORDER BY service_key",
    )?;
    let rows = stmt
        .query_map([connector.0], service_from_row)?
        .collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

pub fn counts(conn: &Connection, connector: ConnectorId) -> Result<MappedCounts, StoreError> {
    Ok(conn.query_row(
        "SELECT (SELECT count(*) FROM workspace_mappings WHERE connector_id = ?1),
                (SELECT count(*) FROM service_mappings WHERE connector_id = ?1)",
        [connector.0],
        |r| {
            Ok(MappedCounts {
                workspaces: r.get(0)?,
                services: r.get(1)?,
            })
        },
    )?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::PsaKind;
    use crate::store::connectors;
    use crate::store::testing::{at, temp_store};
    use serde_json::json;

    fn ws(id: &str, name: &str, company: i64, company_name: &str) -> WorkspaceLink {
        WorkspaceLink {
            workspace_id: WorkspaceId(id.into()),
            workspace_name: name.into(),
            company_id: CompanyRef(company),
            company_name: company_name.into(),
        }
    }

    fn svc(key: &str, product: i64, unit: Option<BillingUnit>) -> ServiceLink {
        ServiceLink {
            service_key: key.into(),
            product_id: ProductRef(product),
            product_name: format!("P{product}"),
            unit,
        }
    }

    #[test]
    fn workspace_map_remap_unmap() {
        let t = temp_store();
        let conn = t.store.conn().unwrap();
        let c = connectors::insert(&conn, PsaKind::Connectwise, "CW", &json!({}), at(0)).unwrap();
        map_workspace(&conn, c, &ws("ws_b", "Beta", 2, "Beta LLC"), at(0)).unwrap();
        map_workspace(&conn, c, &ws("ws_a", "alpha", 1, "Alpha Inc"), at(0)).unwrap();
        // Remap ws_a to another company, then back to the same one (idempotent).
        map_workspace(&conn, c, &ws("ws_a", "alpha", 3, "Gamma"), at(1)).unwrap();
        map_workspace(&conn, c, &ws("ws_a", "alpha", 3, "Gamma"), at(2)).unwrap();
        let list = list_workspaces(&conn, c).unwrap();
        assert_eq!(list.len(), 2);
        assert_eq!(list[0].link, ws("ws_a", "alpha", 3, "Gamma"));
        assert_eq!(list[0].created_at, at(2));
        assert_eq!(
            counts(&conn, c).unwrap(),
            MappedCounts {
                workspaces: 2,
                services: 0
            }
        );
        // Company 1 is free again after the remap.
        map_workspace(&conn, c, &ws("ws_c", "Cee", 1, "Alpha Inc"), at(3)).unwrap();
        assert!(unmap_workspace(&conn, c, &WorkspaceId("ws_c".into())).unwrap());
        assert!(!unmap_workspace(&conn, c, &WorkspaceId("ws_c".into())).unwrap());
    }

    #[test]
    fn company_taken_is_a_conflict_naming_the_workspace() {
        let t = temp_store();
        let conn = t.store.conn().unwrap();
        let c = connectors::insert(&conn, PsaKind::Connectwise, "CW", &json!({}), at(0)).unwrap();
        let other = connectors::insert(&conn, PsaKind::Autotask, "AT", &json!({}), at(0)).unwrap();
        map_workspace(&conn, c, &ws("ws_a", "Alpha", 7, "Acme Inc"), at(0)).unwrap();
        let err = map_workspace(&conn, c, &ws("ws_b", "Beta", 7, "Acme Inc"), at(0)).unwrap_err();
        assert!(matches!(err, StoreError::Conflict(_)), "{err:?}");
        let msg = err.to_string();
        assert!(
            msg.contains("'Acme Inc' (id 7)") && msg.contains("workspace 'Alpha' (ws_a)"),
            "{msg}"
        );
        assert_eq!(
            list_workspaces(&conn, c).unwrap().len(),
            1,
            "nothing written"
        );
        // Another connector may bill the same company id independently.
        map_workspace(&conn, other, &ws("ws_b", "Beta", 7, "Acme"), at(0)).unwrap();
    }

    #[test]
    fn service_map_conflict_and_unit_override() {
        let t = temp_store();
        let conn = t.store.conn().unwrap();
        let c = connectors::insert(&conn, PsaKind::Autotask, "AT", &json!({}), at(0)).unwrap();
        map_service(&conn, c, &svc("edr", 10, None), at(0)).unwrap();
        map_service(&conn, c, &svc("email", 11, Some(BillingUnit::User)), at(0)).unwrap();
        let err = map_service(&conn, c, &svc("mdm", 10, None), at(0)).unwrap_err();
        let msg = err.to_string();
        assert!(matches!(err, StoreError::Conflict(_)));
        assert!(
            msg.contains("'P10' (id 10)") && msg.contains("service 'edr'"),
            "{msg}"
        );
        map_service(&conn, c, &svc("edr", 12, Some(BillingUnit::Device)), at(1)).unwrap();
        let list = list_services(&conn, c).unwrap();
        assert_eq!(
            list.iter().map(|m| m.link.clone()).collect::<Vec<_>>(),
            vec![
                svc("edr", 12, Some(BillingUnit::Device)),
                svc("email", 11, Some(BillingUnit::User)),
            ]
        );
        assert_eq!(
            counts(&conn, c).unwrap(),
            MappedCounts {
                workspaces: 0,
                services: 2
            }
        );
        assert!(unmap_service(&conn, c, "edr").unwrap());
        assert!(matches!(
            map_service(&conn, c, &svc(" ", 1, None), at(0)),
            Err(StoreError::Invalid(_))
        ));
    }

    #[test]
    fn unknown_connector_is_not_found_and_deletes_cascade() {
        let t = temp_store();
        let conn = t.store.conn().unwrap();
        let err = map_workspace(&conn, ConnectorId(42), &ws("ws", "W", 1, "C"), at(0)).unwrap_err();
        assert!(matches!(err, StoreError::NotFound { .. }), "{err:?}");
        let c = connectors::insert(&conn, PsaKind::Autotask, "AT", &json!({}), at(0)).unwrap();
        map_workspace(&conn, c, &ws("ws", "W", 1, "C"), at(0)).unwrap();
        map_service(&conn, c, &svc("edr", 1, None), at(0)).unwrap();
        connectors::delete(&conn, c).unwrap();
        let left: i64 = conn
            .query_row("SELECT (SELECT count(*) FROM workspace_mappings) + (SELECT count(*) FROM service_mappings)", [], |r| r.get(0))
            .unwrap();
        assert_eq!(left, 0);
    }

    /// Migration 0004 rebuilds the table so `max` is allowed, keeping every row.
    #[test]
    fn max_unit_is_stored_and_older_rows_survive_the_rebuild() {
        use crate::store::migrate::{migrate, migrate_to};
        let dir = tempfile::tempdir().unwrap();
        let mut conn = Connection::open(dir.path().join("db.sqlite3")).unwrap();
        conn.pragma_update(None, "foreign_keys", "ON").unwrap();
        migrate_to(&mut conn, 3).unwrap();
        conn.execute_batch(
            "INSERT INTO connectors (kind, name, config, created_at, updated_at)
               VALUES ('connectwise', 'CW', '{}', '2026-01-01T00:00:00Z', '2026-01-01T00:00:00Z');
             INSERT INTO service_mappings
               VALUES (1, 'edr', 801, 'Coro EDR', 'user', '2026-01-01T00:00:00Z');",
        )
        .unwrap();
        assert!(conn
            .execute(
                "INSERT INTO service_mappings VALUES (1, 'mdm', 802, 'MDM', 'max', '2026-01-01T00:00:00Z')",
                []
            )
            .is_err());
        migrate(&mut conn).unwrap();
        let id = ConnectorId(1);
        let rows = list_services(&conn, id).unwrap();
        assert_eq!(
            rows[0].link,
            svc_named("edr", 801, "Coro EDR", Some(BillingUnit::User))
        );
        map_service(&conn, id, &svc("mdm", 802, Some(BillingUnit::Max)), at(1)).unwrap();
        let rows = list_services(&conn, id).unwrap();
        assert_eq!(rows[1].link.unit, Some(BillingUnit::Max));
        assert!(conn
            .execute(
                "UPDATE service_mappings SET unit = 'most' WHERE service_key = 'mdm'",
                []
            )
            .is_err());
    }

    fn svc_named(key: &str, product: i64, name: &str, unit: Option<BillingUnit>) -> ServiceLink {
        ServiceLink {
            product_name: name.into(),
            ..svc(key, product, unit)
        }
    }
}
