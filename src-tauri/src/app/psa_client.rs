//! One value for "the PSA client of a connector", whichever PSA it is, so callers can hold a
//! connector's client without generics. Each method delegates to the PSA's own client.

use crate::autotask::AutotaskClient;
use crate::connectwise::ConnectWiseClient;
use crate::model::{CompanyRef, ProductRef, PsaKind};
use crate::psa::{
    BillingLine, BillingState, CheckOutcome, CreatedLine, NewLine, Psa, PsaCompany, PsaError,
    PsaProduct, Sent, WriteReceipt,
};

pub enum PsaClient {
    Connectwise(ConnectWiseClient),
    Autotask(AutotaskClient),
}

impl Psa for PsaClient {
    fn kind(&self) -> PsaKind {
        match self {
            PsaClient::Connectwise(c) => c.kind(),
            PsaClient::Autotask(c) => c.kind(),
        }
    }

    async fn check(&self) -> Result<CheckOutcome, PsaError> {
        match self {
            PsaClient::Connectwise(c) => c.check().await,
            PsaClient::Autotask(c) => c.check().await,
        }
    }

    async fn list_companies(&self, search: Option<&str>) -> Result<Vec<PsaCompany>, PsaError> {
        match self {
            PsaClient::Connectwise(c) => c.list_companies(search).await,
            PsaClient::Autotask(c) => c.list_companies(search).await,
        }
    }

    async fn list_products(&self, search: Option<&str>) -> Result<Vec<PsaProduct>, PsaError> {
        match self {
            PsaClient::Connectwise(c) => c.list_products(search).await,
            PsaClient::Autotask(c) => c.list_products(search).await,
        }
    }

    async fn read_billing(
        &self,
        companies: &[CompanyRef],
        products: &[ProductRef],
    ) -> Result<BillingState, PsaError> {
        match self {
            PsaClient::Connectwise(c) => c.read_billing(companies, products).await,
            PsaClient::Autotask(c) => c.read_billing(companies, products).await,
        }
    }

    async fn read_billing_for_checks(
        &self,
        companies: &[CompanyRef],
        products: &[ProductRef],
    ) -> Result<BillingState, PsaError> {
        match self {
            PsaClient::Connectwise(c) => c.read_billing_for_checks(companies, products).await,
            PsaClient::Autotask(c) => c.read_billing_for_checks(companies, products).await,
        }
    }

    async fn inactive_companies(
        &self,
        companies: &[CompanyRef],
    ) -> Result<std::collections::HashMap<CompanyRef, String>, PsaError> {
        match self {
            PsaClient::Connectwise(c) => c.inactive_companies(companies).await,
            PsaClient::Autotask(c) => c.inactive_companies(companies).await,
        }
    }

    fn write_concurrency(&self) -> usize {
        match self {
            PsaClient::Connectwise(c) => c.write_concurrency(),
            PsaClient::Autotask(c) => c.write_concurrency(),
        }
    }

    fn write_batch(&self) -> usize {
        match self {
            PsaClient::Connectwise(c) => c.write_batch(),
            PsaClient::Autotask(c) => c.write_batch(),
        }
    }

    fn assume_lagging_reads(&self) {
        match self {
            PsaClient::Connectwise(c) => c.assume_lagging_reads(),
            PsaClient::Autotask(c) => c.assume_lagging_reads(),
        }
    }

    fn billing_day(&self, now: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
        match self {
            PsaClient::Connectwise(c) => c.billing_day(now),
            PsaClient::Autotask(c) => c.billing_day(now),
        }
    }

    fn set_effective_day(&self, day: Option<chrono::NaiveDate>) {
        match self {
            PsaClient::Connectwise(c) => c.set_effective_day(day),
            PsaClient::Autotask(c) => Psa::set_effective_day(c, day),
        }
    }

    async fn set_quantity(
        &self,
        line: &BillingLine,
        desired: i64,
    ) -> Result<WriteReceipt, PsaError> {
        match self {
            PsaClient::Connectwise(c) => c.set_quantity(line, desired).await,
            PsaClient::Autotask(c) => c.set_quantity(line, desired).await,
        }
    }

    async fn create_line(&self, target: &NewLine, quantity: i64) -> Result<CreatedLine, PsaError> {
        match self {
            PsaClient::Connectwise(c) => c.create_line(target, quantity).await,
            PsaClient::Autotask(c) => c.create_line(target, quantity).await,
        }
    }

    async fn set_quantities(
        &self,
        writes: &[(BillingLine, i64)],
        sent: Sent<'_>,
    ) -> Vec<Result<WriteReceipt, PsaError>> {
        match self {
            PsaClient::Connectwise(c) => c.set_quantities(writes, sent).await,
            PsaClient::Autotask(c) => c.set_quantities(writes, sent).await,
        }
    }
}

impl PsaClient {
    /// Hands every answer body the client reads to `capture` (diagnostics).
    pub fn capture_into(&self, capture: crate::http::capture::Capture) {
        match self {
            PsaClient::Connectwise(c) => c.capture_into(capture),
            PsaClient::Autotask(c) => c.capture_into(capture),
        }
    }
}
