//! Autotask PSA REST API client (v1.0): zone discovery, the `UserName` / `Secret` /
//! `ApiIntegrationCode` headers, the query language with `nextPageUrl` paging, companies and
//! services for mapping, Recurring Service contracts with their contract services and unit
//! periods for reading billed quantities, and ContractServiceAdjustments for writing them.
//!
//! All API facts come from `shared/reference/autotask.md`; section numbers in comments refer to
//! it. Vendor DTOs (`models`) stay inside this module; callers see the [`Psa`] seam.

mod adjustments;
mod billing;
mod budget;
mod check;
mod client;
mod companies;
mod containers;
mod contracts;
mod create;
mod errors;
pub mod landing;
mod models;
mod pickers;
mod query;
mod send;
mod services;
pub mod tickets;
pub mod tz;
mod zone;

#[cfg(test)]
mod tests;

pub use adjustments::PostOutcome;
pub use billing::{decide, Candidate};
pub use budget::{pace_delay, BudgetUsage};
pub use client::{
    AutotaskClient, AutotaskConfig, ClientOptions, TodayFn, DEFAULT_DISCOVERY_URL, MAX_IN_FLIGHT,
    TIME_ZONE_KEY,
};
pub use contracts::{covering_row, RECURRING_SERVICE};
pub use landing::{judge_landing, LandedElsewhere, Landing};
pub use models::{AdjustmentBody, ContractServiceUnit, ThresholdInformation};
pub use query::{Filter, Query, Tally};
pub use zone::Zone;

use crate::model::{CompanyRef, ProductRef, PsaKind};
use crate::psa::{
    BillingLine, BillingState, CheckOutcome, CreatedLine, NewLine, Psa, PsaCompany, PsaError,
    PsaProduct, Sent, WriteReceipt,
};

/// Writes per batch: their before and after checks are one query each, and the POSTs fill the
/// thread limit (a multiple of [`MAX_IN_FLIGHT`]). Small enough that progress moves every few
/// seconds and a crash leaves at most this many writes to settle on the next run.
pub const WRITE_BATCH: usize = 96;
const _: () = assert!(WRITE_BATCH.is_multiple_of(MAX_IN_FLIGHT));

impl Psa for AutotaskClient {
    fn kind(&self) -> PsaKind {
        PsaKind::Autotask
    }

    async fn check(&self) -> Result<CheckOutcome, PsaError> {
        self.check_connection().await
    }

    async fn list_companies(&self, search: Option<&str>) -> Result<Vec<PsaCompany>, PsaError> {
        self.list_companies_counted(search, &Tally::default()).await
    }

    async fn list_products(&self, search: Option<&str>) -> Result<Vec<PsaProduct>, PsaError> {
        self.list_services_counted(search, &Tally::default()).await
    }

    async fn read_billing(
        &self,
        companies: &[CompanyRef],
        products: &[ProductRef],
    ) -> Result<BillingState, PsaError> {
        self.read_billing_on(companies, products, self.today())
            .await
    }

    async fn set_quantity(
        &self,
        line: &BillingLine,
        desired: i64,
    ) -> Result<WriteReceipt, PsaError> {
        self.set_quantity_on(line, desired, self.today()).await
    }

    async fn create_line(&self, target: &NewLine, quantity: i64) -> Result<CreatedLine, PsaError> {
        self.create_contract_service(target, quantity, self.today())
            .await
    }

    fn write_concurrency(&self) -> usize {
        MAX_IN_FLIGHT
    }

    fn write_batch(&self) -> usize {
        WRITE_BATCH
    }

    fn assume_lagging_reads(&self) {
        self.assume_units_may_lag();
    }

    fn billing_day(&self, now: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
        match self.time_zone() {
            Some(zone) => tz::local_day(now, zone),
            None => now.with_timezone(&chrono::Local).date_naive(),
        }
    }

    fn set_effective_day(&self, day: Option<chrono::NaiveDate>) {
        AutotaskClient::set_effective_day(self, day);
    }

    async fn set_quantities(
        &self,
        writes: &[(BillingLine, i64)],
        sent: Sent<'_>,
    ) -> Vec<Result<WriteReceipt, PsaError>> {
        self.set_quantities_on(writes, self.today(), sent).await
    }
}
