//! The seam both PSAs implement: browse companies and products, check credentials, read the
//! billed quantity of every mapped (company, product) pair, and set one line's quantity.
//!
//! Reads return, per pair, exactly one line, none, or several — the sync writes only when there is
//! exactly one ([`LineLookup::One`]) and reports the other two to the operator, never guessing.

use std::collections::HashMap;
use std::future::Future;

use serde::Serialize;

use crate::error::{ApiError, ErrorCode};
use crate::model::{CompanyRef, ProductRef, PsaKind};

/// A PSA company or product as the mapping pickers show it: one shape for both, so both
/// lists are named, searched and sorted by the same code.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PsaItem<Id> {
    pub id: Id,
    pub name: String,
    /// ConnectWise `identifier` / Autotask account number (services: the invoice text), when
    /// there is one.
    pub identifier: Option<String>,
}

/// A PSA company as the mapping picker shows it.
pub type PsaCompany = PsaItem<CompanyRef>;

/// A PSA product (ConnectWise catalog item / Autotask service).
pub type PsaProduct = PsaItem<ProductRef>;

/// The first of `names` that is not blank, else `default` (a row is never listed nameless).
pub fn picker_name(names: [Option<String>; 2], default: impl FnOnce() -> String) -> String {
    names
        .into_iter()
        .flatten()
        .find(|n| !n.trim().is_empty())
        .unwrap_or_else(default)
}

/// Sorts a picker list as every picker shows it: by name ignoring case, then by id.
pub fn picker_order<Id: Ord + Copy>(mut rows: Vec<PsaItem<Id>>) -> Vec<PsaItem<Id>> {
    rows.sort_by_cached_key(|r| (r.name.to_lowercase(), r.id));
    rows
}

/// Where a billed quantity lives, with what the writer needs to change it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "psa", rename_all = "snake_case")]
pub enum LineKey {
    /// A ConnectWise agreement addition.
    Connectwise { agreement_id: i64, addition_id: i64 },
    /// An Autotask contract service (units change through adjustments).
    Autotask {
        contract_id: i64,
        contract_service_id: i64,
    },
}

impl LineKey {
    /// Short human reference for history and reports (`agreement 12 / addition 34`).
    pub fn describe(&self) -> String {
        match self {
            LineKey::Connectwise {
                agreement_id,
                addition_id,
            } => {
                format!("agreement {agreement_id} / addition {addition_id}")
            }
            LineKey::Autotask {
                contract_id,
                contract_service_id,
            } => {
                format!("contract {contract_id} / contract service {contract_service_id}")
            }
        }
    }
}

/// One billable line and its current quantity.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BillingLine {
    pub company: CompanyRef,
    pub product: ProductRef,
    pub key: LineKey,
    pub quantity: i64,
    /// Agreement / contract name, for the operator.
    pub container_name: String,
    /// The line's unit price in cents, as the PSA holds it (read only: the sync never writes
    /// prices). `None` when the PSA did not say.
    pub unit_price_cents: Option<i64>,
}

/// A PSA price (currency units, e.g. `4.25`) in whole cents, rounded half away from zero;
/// `None` for a price that is not a finite number.
pub fn price_cents(price: f64) -> Option<i64> {
    let cents = (price * 100.0).round();
    (cents.is_finite() && cents.abs() < 9.0e15).then_some(cents as i64)
}

/// What a read found for one (company, product) pair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum LineLookup {
    One {
        line: BillingLine,
    },
    /// No active line carries the product; `reason` says what was found instead.
    None {
        reason: String,
    },
    /// Several active lines carry the product: the operator must decide.
    Many {
        lines: Vec<BillingLine>,
    },
    /// The PSA could not be read for this pair (a read that kept failing after the client's
    /// retries: a truncated body, a 5xx, a timeout). Only the pairs that read covered are
    /// affected; the sync skips them for this run and says why.
    Unreadable {
        reason: String,
    },
}

/// Where a missing line could be created: the company's one active agreement (ConnectWise) or
/// Recurring Service contract (Autotask). Never an agreement, contract or company of its own.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct NewLine {
    pub company: CompanyRef,
    pub product: ProductRef,
    pub psa: PsaKind,
    /// The agreement / contract id.
    pub container_id: i64,
    pub container_name: String,
}

impl NewLine {
    /// The journal's reference of a line still to be created (`agreement 12 / new addition`).
    pub fn describe(&self) -> String {
        match self.psa {
            PsaKind::Connectwise => format!("agreement {} / {NEW_LINE_MARK}", self.container_id),
            PsaKind::Autotask => format!("contract {} / {NEW_LINE_MARK}", self.container_id),
        }
    }

    /// Whether `key` is a line on this target's agreement / contract.
    pub fn holds(&self, key: &LineKey) -> bool {
        match key {
            LineKey::Connectwise { agreement_id, .. } => *agreement_id == self.container_id,
            LineKey::Autotask { contract_id, .. } => *contract_id == self.container_id,
        }
    }
}

/// The end of a journal `line_ref` naming a line that was to be created.
pub const NEW_LINE_MARK: &str = "new line";

/// Current billing state of the mapped pairs.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct BillingState {
    pub lines: HashMap<(CompanyRef, ProductRef), LineLookup>,
    /// For the pairs on no line at all (not even a cancelled or ended one): where a line could be
    /// created (`Ok`: the company has exactly one active agreement / contract), or why not.
    pub new_lines: HashMap<(CompanyRef, ProductRef), Result<NewLine, String>>,
    /// HTTP requests the read took (for benchmarks and notes).
    pub requests: u32,
    /// The agreements / contracts the read found on the companies, with the mapped products
    /// each still holds (for the pre-flight checks; the planner does not use them).
    pub containers: Vec<Container>,
}

/// An agreement (ConnectWise) or Recurring Service contract (Autotask) of a read company, as
/// the pre-flight checks see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Container {
    pub company: CompanyRef,
    pub id: i64,
    pub name: String,
    /// The last day it bills (`None`: no end date).
    pub ends_on: Option<chrono::NaiveDate>,
    /// Why it no longer bills by its status (`cancelled`, `expired`, `inactive`); `None`: its
    /// status is current (it may still have ended by date: see `ends_on`).
    pub closed: Option<String>,
    /// The read products on a line of it that is not itself cancelled.
    pub products: Vec<ProductRef>,
}

/// What a created line reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CreatedLine {
    pub receipt: WriteReceipt,
    /// The new line, when the PSA's answer names it.
    pub key: Option<LineKey>,
}

/// What a successful write reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WriteReceipt {
    /// The quantity the PSA holds after the write (verified where the API allows).
    pub quantity: i64,
    /// The PSA's request id (ConnectWise `x-cw-request-id`) or created record id.
    pub request_id: Option<String>,
}

/// Errors of a PSA client, each with a message the operator can act on.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PsaError {
    #[error("{0}")]
    InvalidConfig(String),
    #[error("{0}")]
    Unauthorized(String),
    #[error("{0}")]
    Forbidden(String),
    #[error("{0}")]
    NotFound(String),
    #[error("{0}")]
    Unreachable(String),
    #[error("{message}")]
    RateLimited {
        message: String,
        retry_after_secs: Option<u64>,
    },
    /// The PSA refused the request as invalid (not retryable).
    #[error("{message}")]
    Rejected {
        message: String,
        request_id: Option<String>,
    },
    /// The PSA failed (5xx) or answered something unreadable.
    #[error("{message}")]
    Remote {
        status: Option<u16>,
        message: String,
        request_id: Option<String>,
    },
    /// A write whose result is unknown (lost response) and could not be verified.
    #[error("{0}")]
    OutcomeUnknown(String),
    /// The PSA accepted the write (`request_id`: the record it created) but does not show it yet
    /// (Autotask units lagging an adjustment). It must never be sent again: later runs re-read
    /// the line until it shows.
    #[error("{message}")]
    Awaiting {
        message: String,
        request_id: Option<String>,
    },
    /// Verifying the write showed the line moved by something other than the change sent (the
    /// PSA overrode an earlier change, someone edited the line meanwhile, or the change landed on
    /// another day). Nothing is corrected automatically: writing stops for the connector.
    #[error("{message}")]
    Diverged {
        message: String,
        request_id: Option<String>,
    },
    /// The PSA stored the write on another day than meant (a wrong time zone): writing stops for
    /// the connector as for [`PsaError::Diverged`], and the write awaits the PSA like
    /// [`PsaError::Awaiting`] — it was made, so it is never sent again.
    #[error("{message}")]
    LandedElsewhere {
        message: String,
        request_id: Option<String>,
    },
}

impl PsaError {
    /// Errors that no retry or other request can get past (keys, clientId, permissions): a
    /// whole read fails with them. Everything else (a 5xx, a timeout, an unreadable body, after
    /// the client's retries) concerns only the records that request covered.
    pub fn concerns_every_request(&self) -> bool {
        matches!(
            self,
            PsaError::InvalidConfig(_) | PsaError::Unauthorized(_) | PsaError::Forbidden(_)
        )
    }
}

impl From<PsaError> for ApiError {
    fn from(e: PsaError) -> ApiError {
        let code = match &e {
            PsaError::InvalidConfig(_) => ErrorCode::InvalidInput,
            PsaError::Unauthorized(_) => ErrorCode::Unauthorized,
            PsaError::Forbidden(_) => ErrorCode::Forbidden,
            PsaError::NotFound(_) => ErrorCode::NotFound,
            PsaError::Unreachable(_) => ErrorCode::Unreachable,
            PsaError::RateLimited { .. }
            | PsaError::Rejected { .. }
            | PsaError::Remote { .. }
            | PsaError::OutcomeUnknown(_)
            | PsaError::Awaiting { .. }
            | PsaError::Diverged { .. }
            | PsaError::LandedElsewhere { .. } => ErrorCode::Remote,
        };
        ApiError::new(code, e.to_string())
    }
}

/// Result of a live credential check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CheckOutcome {
    /// What the operator sees next to *Connected* (e.g. the PSA version or zone).
    pub detail: String,
}

/// The seam both PSAs implement.
pub trait Psa: Send + Sync {
    fn kind(&self) -> PsaKind;

    /// Checks the credentials live (discovery + an authenticated cheap call).
    fn check(&self) -> impl Future<Output = Result<CheckOutcome, PsaError>> + Send;

    /// Every active company (server-side `search` on the name when given).
    fn list_companies(
        &self,
        search: Option<&str>,
    ) -> impl Future<Output = Result<Vec<PsaCompany>, PsaError>> + Send;

    /// Every active, billable product (server-side `search` on the name when given).
    fn list_products(
        &self,
        search: Option<&str>,
    ) -> impl Future<Output = Result<Vec<PsaProduct>, PsaError>> + Send;

    /// Current quantities of every (company, product) pair, in as few requests as the API allows.
    fn read_billing(
        &self,
        companies: &[CompanyRef],
        products: &[ProductRef],
    ) -> impl Future<Output = Result<BillingState, PsaError>> + Send;

    /// [`Psa::read_billing`] for the pre-flight checks: the same read, and where the sync's read
    /// leaves closed (cancelled, expired) agreements / contracts out, those too, so a product
    /// still held by one can be reported. Default: the sync's read.
    fn read_billing_for_checks(
        &self,
        companies: &[CompanyRef],
        products: &[ProductRef],
    ) -> impl Future<Output = Result<BillingState, PsaError>> + Send {
        self.read_billing(companies, products)
    }

    /// Which of `companies` the PSA does not hold as active, each with how it says so. Default:
    /// the ones [`Psa::list_companies`] (every active company) does not list.
    fn inactive_companies(
        &self,
        companies: &[CompanyRef],
    ) -> impl Future<Output = Result<HashMap<CompanyRef, String>, PsaError>> + Send {
        async move {
            let active: std::collections::HashSet<CompanyRef> = self
                .list_companies(None)
                .await?
                .into_iter()
                .map(|c| c.id)
                .collect();
            Ok(companies
                .iter()
                .filter(|c| !active.contains(c))
                .map(|&c| (c, "not an active company in the PSA".to_string()))
                .collect())
        }
    }

    /// How many `set_quantity` calls may run at once (the PSA's allowed concurrency for this
    /// connector). Apply writes in batches of this size.
    fn write_concurrency(&self) -> usize {
        1
    }

    /// Makes `line` hold `desired`, given the quantity it was read with. Never touches prices or
    /// dates. A write whose response is lost is verified by re-reading, never blindly resent.
    fn set_quantity(
        &self,
        line: &BillingLine,
        desired: i64,
    ) -> impl Future<Output = Result<WriteReceipt, PsaError>> + Send;

    /// How many writes apply hands to [`Psa::set_quantities`] at once (each journaled `pending`
    /// before the batch is sent). Defaults to [`Psa::write_concurrency`]; a PSA that checks its
    /// writes with batched reads asks for more.
    fn write_batch(&self) -> usize {
        self.write_concurrency()
    }

    /// Tells the client that this PSA has been seen to accept a write before showing it (see
    /// [`PsaError::Awaiting`]): a write whose answer was lost must then not be resent just because
    /// a re-read still shows the old value. Default: nothing to do (absolute writes).
    fn assume_lagging_reads(&self) {}

    /// The connector's calendar day at `now` (which billing period is current): the Autotask
    /// database's time zone; otherwise this computer's.
    fn billing_day(&self, now: chrono::DateTime<chrono::Utc>) -> chrono::NaiveDate {
        now.with_timezone(&chrono::Local).date_naive()
    }

    /// Makes the writes that follow take effect from `day` instead of today (a monthly cadence's
    /// period start; `None`: today). Default: nothing to do (ConnectWise quantities carry no date).
    fn set_effective_day(&self, _day: Option<chrono::NaiveDate>) {}

    /// Creates the missing line `target` with `quantity` (one POST, never resent on an ambiguous
    /// answer: that is [`PsaError::OutcomeUnknown`], settled by the next run's read). No
    /// default, so a client that wraps another cannot forget to pass it on.
    fn create_line(
        &self,
        target: &NewLine,
        quantity: i64,
    ) -> impl Future<Output = Result<CreatedLine, PsaError>> + Send;

    /// Makes each line hold its desired quantity: one result per write, in order. `sent` is told
    /// the index of each write once its request has returned (or it needed none), so progress can
    /// move before the batch's results are in; at most once per write. The default sends each
    /// through [`Psa::set_quantity`], at most [`Psa::write_concurrency`] at a time.
    fn set_quantities(
        &self,
        writes: &[(BillingLine, i64)],
        sent: Sent<'_>,
    ) -> impl Future<Output = Vec<Result<WriteReceipt, PsaError>>> + Send {
        set_each(self, writes, sent)
    }
}

/// [`Psa::set_quantities`] by default: each write through [`Psa::set_quantity`], at most
/// [`Psa::write_concurrency`] at a time, results in the order of `writes`.
pub fn set_each<'p, 'w, 's, P: Psa + ?Sized>(
    psa: &'p P,
    writes: &'w [(BillingLine, i64)],
    sent: Sent<'s>,
) -> impl Future<Output = Vec<Result<WriteReceipt, PsaError>>> + Send + use<'p, 'w, 's, P> {
    use futures_util::stream::{self, StreamExt};
    stream::iter(writes.iter().enumerate())
        .map(move |(index, (line, desired))| async move {
            let result = psa.set_quantity(line, *desired).await;
            sent(index);
            result
        })
        .buffered(psa.write_concurrency().max(1))
        .collect()
}

/// Told the index of each write in a batch whose request has returned (see
/// [`Psa::set_quantities`]).
pub type Sent<'a> = &'a (dyn Fn(usize) + Send + Sync);

#[cfg(test)]
mod picker_tests {
    use super::*;

    #[test]
    fn a_picker_row_takes_the_first_name_that_is_not_blank() {
        let named = picker_name([Some(" ".into()), Some("ACME".into())], || {
            "company 1".into()
        });
        assert_eq!(named, "ACME");
        let fallback = picker_name([None, Some("".into())], || "company 1".into());
        assert_eq!(fallback, "company 1");
    }

    #[test]
    fn picker_lists_sort_by_name_ignoring_case_then_id() {
        let item = |id, name: &str| PsaCompany {
            id: CompanyRef(id),
            name: name.into(),
            identifier: None,
        };
        let ids: Vec<i64> = picker_order(vec![item(3, "b"), item(2, "A"), item(1, "a")])
            .into_iter()
            .map(|c| c.id.0)
            .collect();
        assert_eq!(ids, vec![1, 2, 3]);
    }
}
