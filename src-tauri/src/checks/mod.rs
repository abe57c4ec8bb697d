//! Pre-flight checks: per mapped company, before any sync, what will stop a line from being
//! billed — no line for a mapped product Coro counts, several candidate lines, an agreement /
//! contract ending within 30 days or ended, a closed one still holding a product, an inactive
//! company.
//!
//! The data is the sync's own gather with [`Scope::checks`] (the same requests, plus the closed
//! agreements ConnectWise's sync read leaves out and the PSA's company list); the PSA is only
//! read (the client is wrapped in [`ReadOnly`]). The decisions are the pure [`find::find`].

pub mod find;
pub mod model;
pub mod saved;

#[cfg(test)]
mod tests;

use chrono::{DateTime, Utc};

pub use model::{CheckReport, Problem, ProblemKind};

use crate::model::ConnectorId;
use crate::psa::Psa;
use crate::report::ReadOnly;
use crate::store::Store;
use crate::sync::gather::{gather_scoped, Mappings, Scope, UsageSource};
use crate::sync::SyncError;

/// Reads Coro and the PSA as the sync would (plus what the checks need) and checks every
/// mapped company. Writes nothing anywhere.
pub async fn fresh<P: Psa, U: UsageSource>(
    store: &Store,
    psa: &P,
    source: &U,
    connector: (ConnectorId, String),
    now: DateTime<Utc>,
) -> Result<CheckReport, SyncError> {
    let (connector_id, connector_name) = connector;
    let maps = store
        .call(move |conn| Mappings::load(conn, connector_id))
        .await?;
    let scope = Scope {
        checks: true,
        ..Scope::default()
    };
    let psa = ReadOnly(psa);
    let gathered = gather_scoped(&psa, source, maps, scope)
        .await
        .map_err(SyncError::Gather)?;
    let today = psa.billing_day(now);
    let mut companies: Vec<_> = gathered
        .mappings
        .workspaces
        .iter()
        .map(|w| w.company_id)
        .collect();
    companies.sort_unstable();
    companies.dedup();
    Ok(CheckReport {
        connector_id,
        connector_name,
        checked_at: now,
        companies: companies.len() as u32,
        problems: find::find(&gathered, today),
        psa_requests: gathered.billing.requests,
    })
}
