//! PSA companies and products for the pickers and the CLI: the full lists come from a local
//! SQLite cache (filled on first use, refreshed on demand) so a picker opens instantly on 10,000+
//! companies; a search term goes to the PSA as a server-side filter.

use chrono::Utc;

use super::blocking;
use super::connectors::{client_of, require};
use crate::context::AppContext;
use crate::error::ApiError;
use crate::model::ConnectorId;
use crate::psa::Psa;
use crate::store::cache::{self, CachedCompany, CachedProduct};
use crate::views::PickOption;

fn company_option(c: &CachedCompany) -> PickOption {
    PickOption {
        id: c.id.0,
        name: c.name.clone(),
        identifier: c.identifier.clone(),
    }
}

fn product_option(p: &CachedProduct) -> PickOption {
    PickOption {
        id: p.id.0,
        name: p.name.clone(),
        identifier: p.identifier.clone(),
    }
}

/// Every active company of the connector's PSA (cached), or the PSA's own search results.
pub async fn companies(
    ctx: &AppContext,
    id: ConnectorId,
    refresh: bool,
    search: Option<&str>,
) -> Result<Vec<PickOption>, ApiError> {
    let row = blocking(ctx, move |ctx| require(ctx, id)).await?;
    if let Some(term) = search.map(str::trim).filter(|t| !t.is_empty()) {
        let client = client_of(ctx, &row).await?;
        let found = client.list_companies(Some(term)).await?;
        return Ok(found
            .iter()
            .map(|c| PickOption {
                id: c.id.0,
                name: c.name.clone(),
                identifier: c.identifier.clone(),
            })
            .collect());
    }
    let cached = blocking(ctx, move |ctx| {
        Ok(cache::companies(&ctx.store.conn()?, id)?)
    })
    .await?;
    if !refresh && cached.fetched_at.is_some() {
        return Ok(cached.items.iter().map(company_option).collect());
    }
    let client = client_of(ctx, &row).await?;
    let fresh: Vec<CachedCompany> = client
        .list_companies(None)
        .await?
        .into_iter()
        .map(|c| CachedCompany {
            id: c.id,
            name: c.name,
            identifier: c.identifier,
        })
        .collect();
    let options = fresh.iter().map(company_option).collect();
    blocking(ctx, move |ctx| {
        Ok(cache::replace_companies(
            &ctx.store.conn()?,
            id,
            &fresh,
            Utc::now(),
        )?)
    })
    .await?;
    Ok(options)
}

/// Every active, billable product (cached), or the PSA's own search results.
pub async fn products(
    ctx: &AppContext,
    id: ConnectorId,
    refresh: bool,
    search: Option<&str>,
) -> Result<Vec<PickOption>, ApiError> {
    let row = blocking(ctx, move |ctx| require(ctx, id)).await?;
    if let Some(term) = search.map(str::trim).filter(|t| !t.is_empty()) {
        let client = client_of(ctx, &row).await?;
        let found = client.list_products(Some(term)).await?;
        return Ok(found
            .iter()
            .map(|p| PickOption {
                id: p.id.0,
                name: p.name.clone(),
                identifier: p.identifier.clone(),
            })
            .collect());
    }
    let cached = blocking(ctx, move |ctx| Ok(cache::products(&ctx.store.conn()?, id)?)).await?;
    if !refresh && cached.fetched_at.is_some() {
        return Ok(cached.items.iter().map(product_option).collect());
    }
    let client = client_of(ctx, &row).await?;
    let fresh: Vec<CachedProduct> = client
        .list_products(None)
        .await?
        .into_iter()
        .map(|p| CachedProduct {
            id: p.id,
            name: p.name,
            identifier: p.identifier,
            description: None,
        })
        .collect();
    let options = fresh.iter().map(product_option).collect();
    blocking(ctx, move |ctx| {
        Ok(cache::replace_products(
            &ctx.store.conn()?,
            id,
            &fresh,
            Utc::now(),
        )?)
    })
    .await?;
    Ok(options)
}
