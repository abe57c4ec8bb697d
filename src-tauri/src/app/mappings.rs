//! The two mapping screens: Coro workspaces ↔ PSA companies and Coro services ↔ PSA products.
//! Rows combine the live Coro list, the stored mappings and the cached PSA lists; stale
//! mappings (the PSA side disappeared) are flagged, never dropped; suggestions are offered, never
//! applied.

use std::collections::{HashMap, HashSet};

use chrono::Utc;

use super::{blocking, browse, coro};
use crate::context::AppContext;
use crate::coro::catalog;
use crate::error::{ApiError, ErrorCode};
use crate::mapping;
use crate::model::Unit;
use crate::model::{ConnectorId, WorkspaceId};
use crate::store::{
    self,
    mappings::{BillingUnit, ServiceLink, WorkspaceLink},
};
use crate::views::{MapService, MapWorkspace, PickOption, ServiceRow, WorkspaceRow};

fn to_unit(u: BillingUnit) -> Unit {
    match u {
        BillingUnit::Device => Unit::Device,
        BillingUnit::User => Unit::User,
        BillingUnit::Max => Unit::Max,
    }
}

fn to_billing_unit(u: Unit) -> BillingUnit {
    match u {
        Unit::Device => BillingUnit::Device,
        Unit::User => BillingUnit::User,
        Unit::Max => BillingUnit::Max,
    }
}

/// The PSA option a mapping is being made to, from the PSA's current list: both screens refuse
/// an id the PSA does not list (inactive, deleted, or added since the list was cached).
fn listed_option<'a>(
    options: &'a [PickOption],
    id: i64,
    noun: &str,
) -> Result<&'a PickOption, ApiError> {
    options.iter().find(|o| o.id == id).ok_or_else(|| {
        ApiError::new(
            ErrorCode::NotFound,
            format!(
                "The PSA has no active {noun} {id} (refresh the {noun} list if it was just added)"
            ),
        )
    })
}

/// The stored side of a row's mapping, as the picker shows it.
fn mapped_option(id: i64, name: &str) -> PickOption {
    PickOption {
        id,
        name: name.to_string(),
        identifier: None,
    }
}

/// Unmapping something that was not mapped is an error the operator sees, not a silent no-op.
fn was_mapped(removed: bool, what: impl FnOnce() -> String) -> Result<(), ApiError> {
    if removed {
        Ok(())
    } else {
        Err(ApiError::new(ErrorCode::NotFound, what()))
    }
}

pub async fn workspace_rows(
    ctx: &AppContext,
    id: ConnectorId,
) -> Result<Vec<WorkspaceRow>, ApiError> {
    let workspaces = coro::workspaces(ctx).await?;
    let companies = browse::companies(ctx, id, false, None).await?;
    let links = blocking(ctx, move |ctx| {
        Ok(store::mappings::list_workspaces(&ctx.store.conn()?, id)?)
    })
    .await?;
    Ok(build_workspace_rows(
        &workspaces,
        &companies,
        &links.iter().map(|m| m.link.clone()).collect::<Vec<_>>(),
    ))
}

/// Pure assembly of the workspace rows (tested without I/O).
pub fn build_workspace_rows(
    workspaces: &[crate::coro::workspaces::CoroWorkspace],
    companies: &[PickOption],
    links: &[WorkspaceLink],
) -> Vec<WorkspaceRow> {
    let by_ws: HashMap<&str, &WorkspaceLink> = links
        .iter()
        .map(|l| (l.workspace_id.0.as_str(), l))
        .collect();
    let present: HashSet<i64> = companies.iter().map(|c| c.id).collect();
    let taken: HashSet<i64> = links.iter().map(|l| l.company_id.0).collect();
    let unmapped: Vec<(String, String)> = workspaces
        .iter()
        .filter(|w| !by_ws.contains_key(w.id.as_str()) && !w.archived)
        .map(|w| (w.id.clone(), w.name.clone()))
        .collect();
    let mut suggestions = mapping::suggest_companies(&unmapped, companies, &taken);
    let mut rows: Vec<WorkspaceRow> = workspaces
        .iter()
        .map(|w| {
            let link = by_ws.get(w.id.as_str());
            WorkspaceRow {
                workspace_id: w.id.clone(),
                name: w.name.clone(),
                status: w.status.clone(),
                archived: w.archived,
                company: link.map(|l| mapped_option(l.company_id.0, &l.company_name)),
                stale: link
                    .is_some_and(|l| !companies.is_empty() && !present.contains(&l.company_id.0)),
                suggestion: suggestions.remove(&w.id),
            }
        })
        .collect();
    // Mappings of workspaces Coro no longer lists stay visible (flagged), not silently dropped.
    let listed: HashSet<&str> = workspaces.iter().map(|w| w.id.as_str()).collect();
    for l in links
        .iter()
        .filter(|l| !listed.contains(l.workspace_id.0.as_str()))
    {
        rows.push(WorkspaceRow {
            workspace_id: l.workspace_id.0.clone(),
            name: l.workspace_name.clone(),
            status: "not found in Coro".into(),
            archived: false,
            company: Some(mapped_option(l.company_id.0, &l.company_name)),
            stale: true,
            suggestion: None,
        });
    }
    rows.sort_by_key(|r| r.name.to_lowercase());
    rows
}

pub async fn map_workspace(
    ctx: &AppContext,
    req: &MapWorkspace,
) -> Result<Vec<WorkspaceRow>, ApiError> {
    let workspaces = coro::workspaces(ctx).await?;
    let ws = workspaces
        .iter()
        .find(|w| w.id == req.workspace_id)
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::NotFound,
                format!(
                    "Coro has no child workspace {:?} under this channel",
                    req.workspace_id
                ),
            )
        })?;
    let companies = browse::companies(ctx, req.connector_id, false, None).await?;
    let company = listed_option(&companies, req.company_id.0, "company")?;
    let link = WorkspaceLink {
        workspace_id: WorkspaceId(ws.id.clone()),
        workspace_name: ws.name.clone(),
        company_id: req.company_id,
        company_name: company.name.clone(),
    };
    let connector = req.connector_id;
    blocking(ctx, move |ctx| {
        Ok(store::mappings::map_workspace(
            &ctx.store.conn()?,
            connector,
            &link,
            Utc::now(),
        )?)
    })
    .await?;
    workspace_rows(ctx, connector).await
}

pub async fn unmap_workspace(
    ctx: &AppContext,
    id: ConnectorId,
    workspace_id: &str,
) -> Result<Vec<WorkspaceRow>, ApiError> {
    let workspace = WorkspaceId(workspace_id.to_string());
    let removed = blocking(ctx, move |ctx| {
        Ok(store::mappings::unmap_workspace(
            &ctx.store.conn()?,
            id,
            &workspace,
        )?)
    })
    .await?;
    was_mapped(removed, || {
        format!("Workspace {workspace_id:?} is not mapped")
    })?;
    workspace_rows(ctx, id).await
}

pub async fn service_rows(ctx: &AppContext, id: ConnectorId) -> Result<Vec<ServiceRow>, ApiError> {
    let seen = coro::service_keys(ctx).await?;
    let products = browse::products(ctx, id, false, None).await?;
    let links: Vec<ServiceLink> = blocking(ctx, move |ctx| {
        Ok(store::mappings::list_services(&ctx.store.conn()?, id)?)
    })
    .await?
    .into_iter()
    .map(|m| m.link)
    .collect();
    let in_use = blocking(ctx, |ctx| Ok(super::seen::totals(&super::seen::load(ctx)?))).await?;
    let mut rows = build_service_rows(&seen, &products, &links);
    for r in &mut rows {
        r.in_use = in_use.get(&r.service_key).copied();
    }
    Ok(rows)
}

/// Pure assembly of the service rows.
pub fn build_service_rows(
    seen: &[String],
    products: &[PickOption],
    links: &[ServiceLink],
) -> Vec<ServiceRow> {
    let keys = seen
        .iter()
        .cloned()
        .chain(links.iter().map(|l| l.service_key.clone()));
    let services = catalog::catalogue(keys);
    let by_key: HashMap<&str, &ServiceLink> =
        links.iter().map(|l| (l.service_key.as_str(), l)).collect();
    let present: HashSet<i64> = products.iter().map(|p| p.id).collect();
    let taken: HashSet<i64> = links.iter().map(|l| l.product_id.0).collect();
    let unmapped: Vec<(String, String)> = services
        .iter()
        .filter(|s| !by_key.contains_key(s.key.as_str()))
        .map(|s| (s.key.clone(), s.name.clone()))
        .collect();
    let mut suggestions = mapping::suggest_products(&unmapped, products, &taken);
    services
        .into_iter()
        .map(|s| {
            let link = by_key.get(s.key.as_str());
            ServiceRow {
                unit: link
                    .and_then(|l| l.unit)
                    .map(to_unit)
                    .unwrap_or(s.default_unit),
                product: link.map(|l| mapped_option(l.product_id.0, &l.product_name)),
                stale: link
                    .is_some_and(|l| !products.is_empty() && !present.contains(&l.product_id.0)),
                suggestion: suggestions.remove(&s.key),
                in_use: None,
                service_key: s.key,
                name: s.name,
                known: s.known,
                default_unit: s.default_unit,
            }
        })
        .collect()
}

pub async fn map_service(ctx: &AppContext, req: &MapService) -> Result<Vec<ServiceRow>, ApiError> {
    let products = browse::products(ctx, req.connector_id, false, None).await?;
    let product = listed_option(&products, req.product_id.0, "product")?;
    let key = req.service_key.trim();
    if key.is_empty() {
        return Err(ApiError::new(
            ErrorCode::InvalidInput,
            "The service key is empty: `psa-bridge services` lists them",
        ));
    }
    // A bundle key in any spelling (`bundle:CORO_COMPLETE`) is stored the way usage reads it.
    let key = crate::coro::bundles::canonical_key(key);
    let link = ServiceLink {
        service_key: key,
        product_id: req.product_id,
        product_name: product.name.clone(),
        unit: req.unit.map(to_billing_unit),
    };
    let connector = req.connector_id;
    blocking(ctx, move |ctx| {
        Ok(store::mappings::map_service(
            &ctx.store.conn()?,
            connector,
            &link,
            Utc::now(),
        )?)
    })
    .await?;
    service_rows(ctx, connector).await
}

pub async fn unmap_service(
    ctx: &AppContext,
    id: ConnectorId,
    service_key: &str,
) -> Result<Vec<ServiceRow>, ApiError> {
    let key = crate::coro::bundles::canonical_key(service_key);
    let removed = blocking(ctx, move |ctx| {
        Ok(store::mappings::unmap_service(
            &ctx.store.conn()?,
            id,
            &key,
        )?)
    })
    .await?;
    was_mapped(removed, || format!("Service {service_key:?} is not mapped"))?;
    service_rows(ctx, id).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_mapping_is_made_only_to_an_option_the_psa_lists() {
        let options = vec![mapped_option(7, "Acme"), mapped_option(9, "Globex")];
        assert_eq!(
            listed_option(&options, 9, "company").unwrap().name,
            "Globex"
        );
        let e = listed_option(&options, 8, "product").unwrap_err();
        assert_eq!(e.code, ErrorCode::NotFound);
        assert_eq!(
            e.message,
            "The PSA has no active product 8 (refresh the product list if it was just added)"
        );
        assert!(listed_option(&[], 7, "company").is_err());
    }

    #[test]
    fn unmapping_what_is_not_mapped_says_so() {
        assert!(was_mapped(true, || unreachable!("no message when it was mapped")).is_ok());
        let e = was_mapped(false, || "Service \"edr\" is not mapped".into()).unwrap_err();
        assert_eq!(e.code, ErrorCode::NotFound);
        assert_eq!(e.message, "Service \"edr\" is not mapped");
    }
}
