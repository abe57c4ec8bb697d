//! PSA companies and products for the pickers and the CLI: the full lists come from a local
//! SQLite cache (filled on first use, refreshed on demand) so a picker opens instantly on 10,000+
//! companies; a search term goes to the PSA as a server-side filter. Both lists take the one
//! path [`browse`]; [`List`] says which.

use chrono::Utc;

use super::blocking;
use super::connectors::{client_of, require};
use super::PsaClient;
use crate::context::AppContext;
use crate::error::ApiError;
use crate::model::{CompanyRef, ConnectorId, ProductRef};
use crate::psa::{Psa, PsaItem};
use crate::store::cache::{self, CachedCompany, CachedProduct};
use crate::views::PickOption;

/// Every active company of the connector's PSA (cached), or the PSA's own search results.
pub async fn companies(
    ctx: &AppContext,
    id: ConnectorId,
    refresh: bool,
    search: Option<&str>,
) -> Result<Vec<PickOption>, ApiError> {
    browse(ctx, id, List::Companies, refresh, search).await
}

/// Every active, billable product (cached), or the PSA's own search results.
pub async fn products(
    ctx: &AppContext,
    id: ConnectorId,
    refresh: bool,
    search: Option<&str>,
) -> Result<Vec<PickOption>, ApiError> {
    browse(ctx, id, List::Products, refresh, search).await
}

/// Which picker list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum List {
    Companies,
    Products,
}

/// A search goes to the PSA; otherwise the cache answers (read from the PSA and kept when it
/// was never filled or `refresh` asks for it).
async fn browse(
    ctx: &AppContext,
    id: ConnectorId,
    list: List,
    refresh: bool,
    search: Option<&str>,
) -> Result<Vec<PickOption>, ApiError> {
    let row = blocking(ctx, move |ctx| require(ctx, id)).await?;
    if let Some(term) = search.map(str::trim).filter(|t| !t.is_empty()) {
        return fetch(&client_of(ctx, &row).await?, list, Some(term)).await;
    }
    if !refresh {
        if let Some(options) = blocking(ctx, move |ctx| cached(ctx, id, list)).await? {
            return Ok(options);
        }
    }
    let fresh = fetch(&client_of(ctx, &row).await?, list, None).await?;
    let kept = fresh.clone();
    blocking(ctx, move |ctx| keep(ctx, id, list, &kept)).await?;
    Ok(fresh)
}

async fn fetch(
    client: &PsaClient,
    list: List,
    term: Option<&str>,
) -> Result<Vec<PickOption>, ApiError> {
    Ok(match list {
        List::Companies => options(client.list_companies(term).await?, |r| r.0),
        List::Products => options(client.list_products(term).await?, |r| r.0),
    })
}

fn options<Id>(items: Vec<PsaItem<Id>>, raw: fn(Id) -> i64) -> Vec<PickOption> {
    items
        .into_iter()
        .map(|i| PickOption {
            id: raw(i.id),
            name: i.name,
            identifier: i.identifier,
        })
        .collect()
}

/// The cached list, or `None` when it was never filled.
fn cached(
    ctx: &AppContext,
    id: ConnectorId,
    list: List,
) -> Result<Option<Vec<PickOption>>, ApiError> {
    let conn = ctx.store.conn()?;
    let (fetched_at, options) = match list {
        List::Companies => {
            let c = cache::companies(&conn, id)?;
            let items = c.items.into_iter().map(|c| (c.id.0, c.name, c.identifier));
            (c.fetched_at, to_options(items))
        }
        List::Products => {
            let p = cache::products(&conn, id)?;
            let items = p.items.into_iter().map(|p| (p.id.0, p.name, p.identifier));
            (p.fetched_at, to_options(items))
        }
    };
    Ok(fetched_at.map(|_| options))
}

fn to_options(items: impl Iterator<Item = (i64, String, Option<String>)>) -> Vec<PickOption> {
    items
        .map(|(id, name, identifier)| PickOption {
            id,
            name,
            identifier,
        })
        .collect()
}

/// Replaces the cached list with `options`.
fn keep(
    ctx: &AppContext,
    id: ConnectorId,
    list: List,
    options: &[PickOption],
) -> Result<(), ApiError> {
    let conn = ctx.store.conn()?;
    let now = Utc::now();
    match list {
        List::Companies => {
            let rows: Vec<CachedCompany> = options
                .iter()
                .map(|o| CachedCompany {
                    id: CompanyRef(o.id),
                    name: o.name.clone(),
                    identifier: o.identifier.clone(),
                })
                .collect();
            cache::replace_companies(&conn, id, &rows, now)?;
        }
        List::Products => {
            let rows: Vec<CachedProduct> = options
                .iter()
                .map(|o| CachedProduct {
                    id: ProductRef(o.id),
                    name: o.name.clone(),
                    identifier: o.identifier.clone(),
                    description: None,
                })
                .collect();
            cache::replace_products(&conn, id, &rows, now)?;
        }
    }
    Ok(())
}
