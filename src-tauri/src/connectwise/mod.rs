//! ConnectWise Manage (ConnectWise PSA) REST client: site normalisation and codebase discovery,
//! companies and catalog items for the mapping pickers, agreement additions for billing reads,
//! and JSON-Patch quantity writes — behind the crate's [`Psa`] trait.
//!
//! Everything here follows `shared/reference/connectwise.md`; section numbers in comments refer
//! to it. Vendor DTOs live in `models`, and are converted to the domain types of [`crate::psa`]
//! at the edge.

mod additions;
mod agreements;
mod auth;
mod billing;
mod catalog;
mod client;
mod companies;
mod containers;
mod create;
pub mod domain;
mod errors;
pub mod models;
mod new_lines;
mod paging;
mod pickers;
mod query;
pub mod tickets;
mod transport;

#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};

pub use billing::{activity, Activity};
pub use client::{ClientOptions, ConnectWiseClient, API_VERSION, FALLBACK_CODEBASE, MAX_PAGE_SIZE};
pub use domain::normalise_site;
pub use errors::{BAD_KEYS, NO_CLIENT_ID};

use crate::model::{CompanyRef, ProductRef, PsaKind};
use crate::psa::{
    BillingLine, BillingState, CheckOutcome, CreatedLine, NewLine, Psa, PsaCompany, PsaError,
    PsaProduct, WriteReceipt,
};

/// What the operator enters for a ConnectWise connector (the private key is kept apart, in the
/// keychain, and passed to [`ConnectWiseClient::new`] as a `Sensitive`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectWiseConfig {
    /// Host or full URL as entered (`na.myconnectwise.net`, `https://api-eu…`, an on-premise host).
    pub site: String,
    /// The "Company" value of the ConnectWise login screen.
    pub company: String,
    /// The API member's public key.
    pub public_key: String,
    /// The integration's clientId GUID (developer.connectwise.com).
    pub client_id: String,
}

impl Psa for ConnectWiseClient {
    fn kind(&self) -> PsaKind {
        PsaKind::Connectwise
    }

    async fn check(&self) -> Result<CheckOutcome, PsaError> {
        self.check_connection().await
    }

    async fn list_companies(&self, search: Option<&str>) -> Result<Vec<PsaCompany>, PsaError> {
        self.companies(search).await
    }

    async fn list_products(&self, search: Option<&str>) -> Result<Vec<PsaProduct>, PsaError> {
        self.catalog_items(search).await
    }

    async fn read_billing(
        &self,
        companies: &[CompanyRef],
        products: &[ProductRef],
    ) -> Result<BillingState, PsaError> {
        // The only place "today" is read; the logic below takes it as a parameter.
        let today = (self.inner.today)();
        self.read_billing_on(companies, products, today).await
    }

    async fn read_billing_for_checks(
        &self,
        companies: &[CompanyRef],
        products: &[ProductRef],
    ) -> Result<BillingState, PsaError> {
        let today = (self.inner.today)();
        self.read_billing_scoped(companies, products, today, true)
            .await
    }

    async fn inactive_companies(
        &self,
        companies: &[CompanyRef],
    ) -> Result<std::collections::HashMap<CompanyRef, String>, PsaError> {
        self.inactive_of(companies).await
    }

    async fn set_quantity(
        &self,
        line: &BillingLine,
        desired: i64,
    ) -> Result<WriteReceipt, PsaError> {
        self.patch_quantity(line, desired).await
    }

    async fn create_line(&self, target: &NewLine, quantity: i64) -> Result<CreatedLine, PsaError> {
        self.create_addition(target, quantity).await
    }

    fn write_concurrency(&self) -> usize {
        self.inner.max_in_flight
    }
}
