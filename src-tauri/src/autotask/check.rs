//! "Test connection" (reference §4.8): zone discovery validates the username, an authenticated
//! `ThresholdInformation` call validates Secret + tracking identifier and reads the hourly
//! budget, and two one-row probes catch a security level that hides companies or contracts
//! (restricted levels return empty results rather than 403, reference §10).

use reqwest::Method;
use serde::de::DeserializeOwned;

use super::client::AutotaskClient;
use super::contracts::RECURRING_SERVICE;
use super::errors::SECURITY_LEVEL_HINT;
use super::models::{Company, Contract, QueryPage};
use super::query::{Filter, Query, Tally};
use super::send::Target;
use crate::psa::{CheckOutcome, PsaError};

impl AutotaskClient {
    /// The first page (one row) of a query, for probes.
    async fn probe<T: DeserializeOwned>(
        &self,
        entity: &str,
        query: Query,
        what: &str,
        tally: &Tally,
    ) -> Result<Vec<T>, PsaError> {
        let body = serde_json::to_value(query.max_records(1))
            .map_err(|e| PsaError::InvalidConfig(e.to_string()))?;
        let target = Target::Path(format!("V1.0/{entity}/query"));
        let bytes = self
            .read(Method::POST, &target, Some(&body), what, tally)
            .await?;
        let page: QueryPage<T> = serde_json::from_slice(&bytes).map_err(|e| PsaError::Remote {
            status: Some(200),
            message: format!(
                "Autotask answered something unreadable while trying to {what}: {e}; {}",
                crate::error::DIAGNOSTICS_HINT
            ),
            request_id: None,
        })?;
        Ok(page.items)
    }

    /// Checks the credentials and permissions live; the detail names the zone and the budget.
    pub async fn check_connection(&self) -> Result<CheckOutcome, PsaError> {
        let tally = Tally::default();
        let zone = self.zone(&tally).await?;
        match self.threshold(&tally).await {
            Ok(_) => {}
            Err(
                e @ (PsaError::Unauthorized(_)
                | PsaError::RateLimited { .. }
                | PsaError::Unreachable(_)),
            ) => return Err(e),
            // Not every zone may serve it; the probes below still check the credentials.
            Err(e) => {
                tracing::warn!(error = %e, "Autotask ThresholdInformation failed during the check")
            }
        }
        let companies: Vec<Company> = self
            .probe(
                "Companies",
                Query::new(vec![Filter::gte("id", 0)]),
                "list companies",
                &tally,
            )
            .await?;
        if companies.is_empty() {
            return Err(PsaError::Forbidden(format!(
                "The Autotask API user can see no companies at all: its security level hides them. {SECURITY_LEVEL_HINT}."
            )));
        }
        let contracts: Vec<Contract> = self
            .probe(
                "Contracts",
                Query::new(vec![Filter::eq("contractType", RECURRING_SERVICE)]),
                "read contracts",
                &tally,
            )
            .await?;
        let where_ = zone
            .name
            .clone()
            .unwrap_or_else(|| zone.root.host_str().unwrap_or("Autotask").to_string());
        let db = zone
            .ci
            .map(|ci| format!(" (database {ci})"))
            .unwrap_or_default();
        let usage = self.budget_usage();
        let mut detail = format!(
            "Connected to {where_}{db}. API usage: {} of {} requests this hour.",
            usage.used, usage.limit
        );
        if contracts.is_empty() {
            detail.push_str(&format!(
                " No Recurring Service contracts are visible: if the tenant has some, the API user's security level \
                 hides them. {SECURITY_LEVEL_HINT}."
            ));
        }
        Ok(CheckOutcome { detail })
    }
}
