//! Reconcile: what Coro usage is worth against what the PSA bills, what is not billed at all
//! (unmapped workspaces with usage), what is billed to nobody Coro knows (orphan lines), and what
//! the sync would skip and where that is fixed.
//!
//! A fresh report is the sync's own gather ([`crate::sync::gather::gather_scoped`]) read a little
//! wider, and the sync's own pure planner: no second read path, and nothing is ever written to
//! the PSA (the client is wrapped in [`ReadOnly`], which refuses writes). The last fresh report
//! of each connector is kept in the data folder, so `--last` can show it again without a read.

pub mod build;
pub mod csv;
pub mod model;
pub mod saved;

#[cfg(test)]
mod tests;

use std::future::Future;

use chrono::{DateTime, Utc};

pub use model::Report;

use crate::model::{CompanyRef, ConnectorId, ProductRef, PsaKind};
use crate::psa::{
    BillingLine, BillingState, CheckOutcome, Psa, PsaCompany, PsaError, PsaProduct, WriteReceipt,
};
use crate::store::Store;
use crate::sync::gather::{gather_scoped, GatherError, Mappings, Scope, UsageSource};
use crate::sync::{awaiting, exclusions, plan, PlanPolicy, SyncError};

/// A PSA that can only be read: every write is refused before it reaches the PSA.
pub struct ReadOnly<'a, P>(pub &'a P);

impl<P: Psa> Psa for ReadOnly<'_, P> {
    fn kind(&self) -> PsaKind {
        self.0.kind()
    }

    fn check(&self) -> impl Future<Output = Result<CheckOutcome, PsaError>> + Send {
        self.0.check()
    }

    fn list_companies(
        &self,
        search: Option<&str>,
    ) -> impl Future<Output = Result<Vec<PsaCompany>, PsaError>> + Send {
        self.0.list_companies(search)
    }

    fn list_products(
        &self,
        search: Option<&str>,
    ) -> impl Future<Output = Result<Vec<PsaProduct>, PsaError>> + Send {
        self.0.list_products(search)
    }

    fn read_billing(
        &self,
        companies: &[CompanyRef],
        products: &[ProductRef],
    ) -> impl Future<Output = Result<BillingState, PsaError>> + Send {
        self.0.read_billing(companies, products)
    }

    fn read_billing_for_checks(
        &self,
        companies: &[CompanyRef],
        products: &[ProductRef],
    ) -> impl Future<Output = Result<BillingState, PsaError>> + Send {
        self.0.read_billing_for_checks(companies, products)
    }

    fn inactive_companies(
        &self,
        companies: &[CompanyRef],
    ) -> impl Future<Output = Result<std::collections::HashMap<CompanyRef, String>, PsaError>> + Send
    {
        self.0.inactive_companies(companies)
    }

    fn billing_day(&self, now: DateTime<Utc>) -> chrono::NaiveDate {
        self.0.billing_day(now)
    }

    async fn set_quantity(
        &self,
        _line: &BillingLine,
        _desired: i64,
    ) -> Result<WriteReceipt, PsaError> {
        Err(PsaError::InvalidConfig(
            "The reconciliation report only reads: it never writes to the PSA".into(),
        ))
    }

    async fn create_line(
        &self,
        _target: &crate::psa::NewLine,
        _quantity: i64,
    ) -> Result<crate::psa::CreatedLine, PsaError> {
        Err(PsaError::InvalidConfig(
            "The reconciliation report only reads: it never creates a PSA line".into(),
        ))
    }
}

/// What a fresh report needs.
pub struct ReportInput<'a, P, U> {
    pub store: &'a Store,
    pub psa: &'a P,
    pub source: &'a U,
    pub connector_id: ConnectorId,
    pub connector_name: String,
    pub policy: PlanPolicy,
    pub now: DateTime<Utc>,
}

/// Reads Coro and the PSA (the sync's gather, wider: every workspace's usage and the mapped
/// products on every company), plans as the sync would, and reports. Writes nothing anywhere:
/// no run is recorded, the PSA is only read.
pub async fn fresh<P: Psa, U: UsageSource>(
    input: &ReportInput<'_, P, U>,
) -> Result<Report, SyncError> {
    let connector = input.connector_id;
    let (maps, waiting, excluded) = input
        .store
        .call(move |conn| {
            Ok((
                Mappings::load(conn, connector)?,
                awaiting::awaiting_items(conn, connector)?,
                crate::store::exclusions::list(conn, connector)?,
            ))
        })
        .await?;
    let scope = Scope {
        unmapped_workspaces: true,
        unmapped_companies: true,
        checks: false,
    };
    let psa = ReadOnly(input.psa);
    let mut gathered = gather_scoped(&psa, input.source, maps, scope)
        .await
        .map_err(|e: GatherError| SyncError::Gather(e))?;
    gathered.awaiting = awaiting::by_pair(&waiting);
    let mut the_plan = plan::plan(&gathered, &input.policy, input.now);
    exclusions::apply(&mut the_plan, &excluded);
    Ok(build::build(
        &gathered,
        &the_plan,
        &input.connector_name,
        input.now,
    ))
}
