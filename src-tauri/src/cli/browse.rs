//! `psa-bridge companies CONNECTOR` and `psa-bridge products CONNECTOR`.

use clap::Args;

use super::output::{print_json, table};
use crate::app;
use crate::context::AppContext;
use crate::error::ApiError;
use crate::views::PickOption;

#[derive(Debug, Args)]
pub struct BrowseArgs {
    /// Connector id or name.
    pub connector: String,
    /// Search the PSA by name (server-side).
    #[arg(long)]
    pub search: Option<String>,
    /// Re-read the full list from the PSA instead of the local cache.
    #[arg(long)]
    pub refresh: bool,
    #[arg(long)]
    pub json: bool,
}

fn print(items: &[PickOption], json: bool, noun: &str) -> Result<(), ApiError> {
    if json {
        return print_json(&items);
    }
    let rows: Vec<Vec<String>> = items
        .iter()
        .map(|o| {
            vec![
                o.id.to_string(),
                o.name.clone(),
                o.identifier.clone().unwrap_or_default(),
            ]
        })
        .collect();
    print!("{}", table(&["ID", "NAME", "IDENTIFIER"], &rows));
    println!("{} {noun}", items.len());
    Ok(())
}

pub fn companies(ctx: &AppContext, a: &BrowseArgs) -> Result<(), ApiError> {
    let row = app::connectors::resolve(ctx, &a.connector)?;
    let items = super::runtime()?.block_on(app::browse::companies(
        ctx,
        row.id,
        a.refresh,
        a.search.as_deref(),
    ))?;
    print(&items, a.json, "companies")
}

pub fn products(ctx: &AppContext, a: &BrowseArgs) -> Result<(), ApiError> {
    let row = app::connectors::resolve(ctx, &a.connector)?;
    let items = super::runtime()?.block_on(app::browse::products(
        ctx,
        row.id,
        a.refresh,
        a.search.as_deref(),
    ))?;
    print(&items, a.json, "products")
}
