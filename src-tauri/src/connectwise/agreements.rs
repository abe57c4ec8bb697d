//! Reading billing: the active agreements of the mapped companies (child agreements included, as
//! they carry their own company), then their additions, then the pure decisions of
//! [`super::billing`].
//!
//! Request cost: ConnectWise has no cross-agreement additions endpoint (additions live under
//! `/finance/agreements/{parentId}/additions` only; `/system/bundles` is undocumented for
//! additions), so a read is `ceil(companies / ~150)` agreement requests (an `in (…)` list split to
//! keep URLs under 2,000 characters) plus one additions request per active agreement — each
//! further page of 1,000 rows adds one — plus one codebase discovery on a client's first call.

use std::collections::{BTreeMap, HashMap};
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
use crate::psa::{BillingState, LineLookup, PsaError};

const AGREEMENT_FIELDS: &str =
    "id,name,company/id,parentAgreement/id,agreementStatus,cancelledFlag,startDate,endDate,noEndingDateFlag";
const ADDITION_FIELDS: &str =
    "id,product/id,product/identifier,quantity,unitPrice,effectiveDate,cancelledDate,agreementId,additionStatus";
const ACTIVE_SUFFIX: &str = " and agreementStatus=\"Active\" and cancelledFlag=false";

/// What the agreement requests brought back: the agreements, and the chunks (their company
/// ids) whose request kept failing after the client's retries.
struct AgreementsRead {
    agreements: Vec<Agreement>,
    failed: Vec<(Vec<i64>, PsaError)>,
    requests: usize,
}

/// The additions per agreement, and the agreements whose additions could not be read.
struct AdditionsRead {
    rows: HashMap<i64, Vec<Addition>>,
    failed: Vec<(i64, PsaError)>,
}

impl ConnectWiseClient {
    /// Current billing of every (company, product) pair on `today`; `requests` counts every
    /// HTTP request sent, retries and discovery included. A read that keeps failing makes only
    /// the pairs of the companies it covered [`LineLookup::Unreadable`]; it is an `Err` only when
    /// nothing could be read or the failure concerns every request (keys, permissions).
    pub async fn read_billing_on(
        &self,
        companies: &[CompanyRef],
        products: &[ProductRef],
        today: NaiveDate,
    ) -> Result<BillingState, PsaError> {
        self.read_billing_scoped(companies, products, today, false)
            .await
    }

    /// [`Self::read_billing_on`]; `closed_too` also reads the cancelled and expired agreements
    /// (the same number of agreement requests, plus their additions) for the pre-flight checks.
    /// The decisions never pick a line on one of them.
    pub async fn read_billing_scoped(
        &self,
        companies: &[CompanyRef],
        products: &[ProductRef],
        today: NaiveDate,
        closed_too: bool,
    ) -> Result<BillingState, PsaError> {
        let sent = Arc::new(AtomicU32::new(0));
        if companies.is_empty() || products.is_empty() {
            return Ok(BillingState::default());
        }
        let suffix = if closed_too { "" } else { ACTIVE_SUFFIX };
        let read = self.agreements_of(companies, suffix, &sent).await?;
        let ids: Vec<i64> = read.agreements.iter().filter_map(|a| a.id).collect();
        let additions = self.additions_of(&ids, products, &sent).await?;
        let failures = read.failed.len() + additions.failed.len();
        if failures > 0 && failures == read.requests + ids.len() {
            // Nothing could be read: say why, as one error.
            let first = read.failed.first().map(|(_, e)| e);
            if let Some(e) = first.or(additions.failed.first().map(|(_, e)| e)) {
                return Err(e.clone());
            }
        }
        let unreadable = unreadable_companies(&read.agreements, read.failed, additions.failed);
        let mut lines = billing::resolve(
            companies,
            products,
            &read.agreements,
            &additions.rows,
            today,
        );
        let mut new_lines = super::new_lines::targets(
            companies,
            products,
            &read.agreements,
            &additions.rows,
            today,
        );
        for (company, reason) in unreadable {
            for &product in products {
                let reason = reason.clone();
                new_lines.remove(&(company, product));
                lines.insert((company, product), LineLookup::Unreadable { reason });
            }
        }
        let containers = super::containers::of(
            companies,
            products,
            &read.agreements,
            &additions.rows,
            today,
        );
        Ok(BillingState {
            lines,
            new_lines,
            requests: sent.load(Ordering::Relaxed),
            containers,
        })
    }

    /// `GET /finance/agreements?conditions=company/id in (…)` + `suffix` (the sync's: `and
    /// agreementStatus="Active" and cancelledFlag=false`), chunked, all pages, deduplicated by
    /// id. A chunk that keeps failing is reported with its companies; the other chunks still
    /// count.
    async fn agreements_of(
        &self,
        companies: &[CompanyRef],
        suffix: &str,
        sent: &AtomicU32,
    ) -> Result<AgreementsRead, PsaError> {
        let path = "/finance/agreements";
        let fields = vec![("fields", AGREEMENT_FIELDS.to_string())];
        let budget = self.condition_budget(path, &fields, sent).await?;
        let ids: Vec<i64> = companies.iter().map(|c| c.0).collect();
        let chunks = query::in_chunks_with_ids("company/id", &ids, suffix, budget);
        let requests = chunks.len();
        let mut agreements: Vec<Agreement> = Vec::new();
        let mut failed = Vec::new();
        for (chunk, conditions) in chunks {
            let mut params = vec![("conditions", conditions)];
            params.extend(fields.iter().cloned());
            match self
                .get_all::<Agreement>(path, params, Resource::Agreements, sent)
                .await
            {
                Ok(rows) => agreements.extend(rows),
                Err(e) if e.concerns_every_request() => return Err(e),
                Err(e) => {
                    tracing::warn!(
                        companies = chunk.len(),
                        "ConnectWise agreements could not be read: {e}"
                    );
                    failed.push((chunk, e));
                }
            }
        }
        agreements.sort_by_key(|a| a.id);
        agreements.dedup_by_key(|a| a.id);
        Ok(AgreementsRead {
            agreements,
            failed,
            requests,
        })
    }

    /// The additions of each agreement that carry one of `products`, fetched concurrently (the
    /// client's semaphore keeps at most a few in flight). Cancelled and future rows are kept on
    /// purpose: they explain a `None` to the operator. An agreement whose additions keep failing
    /// is reported; the others still count.
    async fn additions_of(
        &self,
        agreement_ids: &[i64],
        products: &[ProductRef],
        sent: &Arc<AtomicU32>,
    ) -> Result<AdditionsRead, PsaError> {
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
        let mut out = AdditionsRead {
            rows: HashMap::new(),
            failed: Vec::new(),
        };
        while let Some(joined) = tasks.join_next().await {
            let (agreement_id, rows) = joined.map_err(|e| PsaError::Remote {
                status: None,
                message: format!("reading ConnectWise additions stopped unexpectedly: {e}"),
                request_id: None,
            })?;
            match rows {
                Ok(rows) => {
                    out.rows.insert(agreement_id, rows);
                }
                // Returning drops the JoinSet, which aborts the remaining reads.
                Err(e) if e.concerns_every_request() => return Err(e),
                Err(e) => {
                    tracing::warn!(agreement_id, "ConnectWise additions could not be read: {e}");
                    out.failed.push((agreement_id, e));
                }
            }
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

/// The companies some failed read covered, with why (the first failure per company): a failed
/// agreements chunk covers its companies; a failed additions read covers the company of its
/// agreement (any of the company's pairs might be billed on it).
fn unreadable_companies(
    agreements: &[Agreement],
    failed_chunks: Vec<(Vec<i64>, PsaError)>,
    failed_additions: Vec<(i64, PsaError)>,
) -> BTreeMap<CompanyRef, String> {
    let mut out = BTreeMap::new();
    for (chunk, e) in failed_chunks {
        for id in chunk {
            out.entry(CompanyRef(id))
                .or_insert_with(|| format!("its ConnectWise agreements could not be read: {e}"));
        }
    }
    for (agreement_id, e) in failed_additions {
        let agreement = agreements.iter().find(|a| a.id == Some(agreement_id));
        let Some(company) = agreement
            .and_then(|a| a.company.as_ref())
            .and_then(|c| c.id)
        else {
            continue;
        };
        let name = agreement
            .and_then(|a| a.name.clone())
            .map(|n| format!(" (\"{n}\")"))
            .unwrap_or_default();
        out.entry(CompanyRef(company)).or_insert_with(|| {
            format!("the additions of ConnectWise agreement {agreement_id}{name} could not be read: {e}")
        });
    }
    out
}
