//! Export and import of a connector's mappings as CSV (see [`super::mapping_csv`] for the file
//! and its checks): the rows and PSA lists are read as the mapping screens read them, and a valid
//! import is written in one transaction — nothing is written unless every row is valid.

use chrono::Utc;

use super::mapping_csv::{self, ImportReport, Op};
use super::{blocking, browse, mappings};
use crate::context::AppContext;
use crate::error::{ApiError, ErrorCode};
use crate::model::Unit;
use crate::model::{CompanyRef, ConnectorId, ProductRef, WorkspaceId};
use crate::store::{
    self,
    mappings::{BillingUnit, ServiceLink, WorkspaceLink},
};

/// The mappings CSV of connector `id` (every workspace and service, mapped or not).
pub async fn export(ctx: &AppContext, id: ConnectorId) -> Result<String, ApiError> {
    let workspaces = mappings::workspace_rows(ctx, id).await?;
    let services = mappings::service_rows(ctx, id).await?;
    mapping_csv::export(&workspaces, &services).map_err(|e| ApiError::new(ErrorCode::Internal, e))
}

/// Checks `text` and, unless `dry_run` or any row is invalid, writes its changes at once.
pub async fn import(
    ctx: &AppContext,
    id: ConnectorId,
    text: &str,
    dry_run: bool,
) -> Result<ImportReport, ApiError> {
    let workspaces = mappings::workspace_rows(ctx, id).await?;
    let services = mappings::service_rows(ctx, id).await?;
    let companies = browse::companies(ctx, id, false, None).await?;
    let products = browse::products(ctx, id, false, None).await?;
    let (ops, mut report) =
        mapping_csv::plan_import(text, &workspaces, &services, &companies, &products);
    if dry_run || !report.errors.is_empty() || ops.is_empty() {
        return Ok(report);
    }
    let n = ops.len();
    blocking(ctx, move |ctx| {
        let conn = ctx.store.conn()?;
        Ok(store::write(&conn, |c| write_ops(c, id, &ops))?)
    })
    .await?;
    tracing::info!(connector = %id, changes = n, "mappings imported");
    report.applied = true;
    Ok(report)
}

/// Unmaps every row the import touches first, then maps: the end state was checked one-to-one,
/// so the order of the file never trips the per-row conflict check.
fn write_ops(
    c: &rusqlite::Connection,
    id: ConnectorId,
    ops: &[Op],
) -> Result<(), store::StoreError> {
    for op in ops {
        match op {
            Op::MapWorkspace { workspace_id, .. } | Op::UnmapWorkspace(workspace_id) => {
                store::mappings::unmap_workspace(c, id, &WorkspaceId(workspace_id.clone()))?;
            }
            Op::MapService { service_key, .. } | Op::UnmapService(service_key) => {
                store::mappings::unmap_service(c, id, service_key)?;
            }
        }
    }
    let now = Utc::now();
    for op in ops {
        match op {
            Op::MapWorkspace {
                workspace_id,
                workspace_name,
                company,
            } => store::mappings::map_workspace(
                c,
                id,
                &WorkspaceLink {
                    workspace_id: WorkspaceId(workspace_id.clone()),
                    workspace_name: workspace_name.clone(),
                    company_id: CompanyRef(company.id),
                    company_name: company.name.clone(),
                },
                now,
            )?,
            Op::MapService {
                service_key,
                product,
                unit,
            } => store::mappings::map_service(
                c,
                id,
                &ServiceLink {
                    service_key: service_key.clone(),
                    product_id: ProductRef(product.id),
                    product_name: product.name.clone(),
                    unit: unit.map(|u| match u {
                        Unit::Device => BillingUnit::Device,
                        Unit::User => BillingUnit::User,
                        Unit::Max => BillingUnit::Max,
                    }),
                },
                now,
            )?,
            Op::UnmapWorkspace(_) | Op::UnmapService(_) => {}
        }
    }
    Ok(())
}

/// One workspace's wanted company in a bulk change (`None`: unmap).
#[derive(Debug, Clone, serde::Deserialize, ts_rs::TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct WorkspaceChange {
    pub workspace_id: String,
    #[ts(type = "number | null")]
    pub company_id: Option<i64>,
}

/// Maps or unmaps many workspaces at once (*Accept all suggestions*, bulk map/unmap of the
/// filtered rows): checked exactly as an import (one-to-one on the end state, every company
/// known) and written in one transaction, or not at all. Returns the rows after.
pub async fn bulk_workspaces(
    ctx: &AppContext,
    id: ConnectorId,
    changes: &[WorkspaceChange],
) -> Result<Vec<crate::views::WorkspaceRow>, ApiError> {
    let mut text = mapping_csv::HEADER.join(",");
    for c in changes {
        if c.workspace_id.contains([',', '"', '\n', '\r']) {
            return Err(ApiError::new(
                ErrorCode::InvalidInput,
                format!("{:?} is not a Coro workspace id", c.workspace_id),
            ));
        }
        let company = c.company_id.map(|n| n.to_string()).unwrap_or_default();
        text.push_str(&format!("\nworkspace,{},,{company},,", c.workspace_id));
    }
    let report = import(ctx, id, &text, false).await?;
    if !report.errors.is_empty() {
        let reasons: Vec<&str> = report.errors.iter().map(|e| e.message.as_str()).collect();
        return Err(ApiError::new(
            ErrorCode::InvalidInput,
            format!("Nothing was changed: {}", reasons.join("; ")),
        ));
    }
    mappings::workspace_rows(ctx, id).await
}
