//! Reading billing: the active agreements of the mapped companies (child agreements included, as
//! they carry their own company), then their additions, then the pure decisions of
//! [`super::billing`].
//!
//! Request cost: ConnectWise has no cross-agreement additions endpoint (additions live under
//! `/finance/agreements/{parentId}/additions` only; `/system/bundles` is undocumented for
//! additions), so a read is `ceil(companies / ~150)` agreement requests (an `in (…)` list split to
//! keep URLs under 2,000 characters) plus one additions request per active agreement — each
//! further page of 1,000 rows adds one — plus one codebase discovery on a client's first call.

use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;

use chrono::NaiveDate;
use tokio::task::JoinSet;

use super::billing;
use super::client::{ConnectWiseClient, MAX_PAGE_SIZE};
use super::errors::Resource;
use super::models::{Addition, Agreement};
use super::query;
use crate::model::{CompanyRef, ProductRef};
use crate::psa::{BillingState, PsaError};

const AGREEMENT_FIELDS: &str =
    "id,name,company/id,parentAgreement/id,agreementStatus,cancelledFlag";
const ADDITION_FIELDS: &str =
    "id,product/id,product/identifier,quantity,effectiveDate,cancelledDate,agreementId";
const ACTIVE_SUFFIX: &str = " and agreementStatus=\"Active\" and cancelledFlag=false";

impl ConnectWiseClient {
    /// Current billing of every (company, product) pair on `today`; `requests` counts every
    /// HTTP request sent, retries and discovery included.
    pub async fn read_billing_on(
        &self,
        companies: &[CompanyRef],
        products: &[ProductRef],
        today: NaiveDate,
    ) -> Result<BillingState, PsaError> {
        let sent = Arc::new(AtomicU32::new(0));
        if companies.is_empty() || products.is_empty() {
            return Ok(BillingState::default());
        }
        let agreements = self.active_agreements(companies, &sent).await?;
        let ids: Vec<i64> = agreements.iter().filter_map(|a| a.id).collect();
        let additions = self.additions_of(&ids, products, &sent).await?;
        let lines = billing::resolve(companies, products, &agreements, &additions, today);
        Ok(BillingState {
            lines,
            requests: sent.load(Ordering::Relaxed),
        })
    }

    /// `GET /finance/agreements?conditions=company/id in (…) and agreementStatus="Active" and
    /// cancelledFlag=false`, chunked, all pages, deduplicated by id.
    async fn active_agreements(
        &self,
        companies: &[CompanyRef],
        sent: &AtomicU32,
    ) -> Result<Vec<Agreement>, PsaError> {
        let path = "/finance/agreements";
        let fields = vec![("fields", AGREEMENT_FIELDS.to_string())];
        let budget = self.condition_budget(path, &fields, sent).await?;
        let ids: Vec<i64> = companies.iter().map(|c| c.0).collect();
        let mut out: Vec<Agreement> = Vec::new();
        for conditions in query::in_chunks("company/id", &ids, ACTIVE_SUFFIX, budget) {
            let mut params = vec![("conditions", conditions)];
            params.extend(fields.iter().cloned());
            let rows: Vec<Agreement> = self
                .get_all(path, params, Resource::Agreements, sent)
                .await?;
            out.extend(rows);
        }
        out.sort_by_key(|a| a.id);
        out.dedup_by_key(|a| a.id);
        Ok(out)
    }

    /// The additions of each agreement that carry one of `products`, fetched concurrently (the
    /// client's semaphore keeps at most a few in flight). Cancelled and future rows are kept on
    /// purpose: they explain a `None` to the operator.
    async fn additions_of(
        &self,
        agreement_ids: &[i64],
        products: &[ProductRef],
        sent: &Arc<AtomicU32>,
    ) -> Result<HashMap<i64, Vec<Addition>>, PsaError> {
        let mut ids: Vec<i64> = products.iter().map(|p| p.0).collect();
        ids.sort_unstable();
        ids.dedup();
        let mut params = vec![("fields", ADDITION_FIELDS.to_string())];
        // The path differs per agreement by a few digits; budget with the longest possible id.
        let probe = format!("/finance/agreements/{}/additions", i32::MAX);
        let budget = self.condition_budget(&probe, &params, sent).await?;
        let condition = query::in_chunks("product/id", &ids, "", budget);
        // One chunk filters server-side; a product list too long for one URL is filtered here
        // instead, because splitting it would multiply requests per agreement.
        if let [only] = condition.as_slice() {
            params.insert(0, ("conditions", only.clone()));
        }
        let mut tasks = JoinSet::new();
        for &agreement_id in agreement_ids {
            let client = self.clone();
            let sent = Arc::clone(sent);
            let params = params.clone();
            tasks.spawn(async move {
                let path = format!("/finance/agreements/{agreement_id}/additions");
                let rows: Result<Vec<Addition>, PsaError> = client
                    .get_all(&path, params, Resource::Additions, &sent)
                    .await;
                (agreement_id, rows)
            });
        }
        let mut out = HashMap::new();
        while let Some(joined) = tasks.join_next().await {
            let (agreement_id, rows) = joined.map_err(|e| PsaError::Remote {
                status: None,
                message: format!("reading ConnectWise additions stopped unexpectedly: {e}"),
                request_id: None,
            })?;
            // Returning drops the JoinSet, which aborts the remaining reads.
            out.insert(agreement_id, rows?);
        }
        Ok(out)
    }

    /// Characters left for the percent-encoded `conditions` value of a GET on `path` so the
    /// whole URL, paging included, stays within [`query::MAX_URL_LEN`].
    async fn condition_budget(
        &self,
        path: &str,
        params: &[(&'static str, String)],
        sent: &AtomicU32,
    ) -> Result<usize, PsaError> {
        let codebase = self.codebase(sent).await?;
        let mut others = params.to_vec();
        others.push(("orderBy", "id asc".into()));
        others.push(("pageSize", MAX_PAGE_SIZE.to_string()));
        others.push(("page", "99999".into()));
        let fixed = self.origin().as_str().len()
            + codebase.len()
            + "apis/3.0".len()
            + path.len()
            + "?conditions=&".len()
            + query::query_string(&others).len();
        Ok(query::MAX_URL_LEN.saturating_sub(fixed).max(200))
    }
}
