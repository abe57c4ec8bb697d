//! Writing a quantity: a ContractServiceAdjustment (`POST /V1.0/Contracts/{id}/ServiceAdjustments`)
//! carries a **delta** (`unitChange`), can never be read back, and has no idempotency key
//! (reference §4.6, §10). So:
//!
//! - the delta is computed from units re-read just before the POST, not from a stale plan;
//! - the POST is never resent on a 5xx, timeout or dropped connection — only on a 429 or a 401
//!   from a moved zone, which the server did not process;
//! - when the response is lost, the line is re-read (after a short settle pause): at the desired
//!   value → done; still at the value before → not applied, so the same delta is posted once
//!   more; anything else → [`PsaError::OutcomeUnknown`];
//! - after every accepted POST the units are re-read and must equal the desired value.
//!
//! The reads are batched: a batch of writes ([`AutotaskClient::set_quantities_on`]) reads the
//! units of all its lines in one query before posting and one query after, so the checks cost two
//! requests per batch instead of two per write (a first sync of 500 customers stays well inside
//! Autotask's 10,000 requests an hour).
//!
//! The sync journals each write before its batch is sent and settles an interrupted one after a
//! crash from a fresh billing read (`sync::resume`).

use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicU32, Ordering};

use chrono::NaiveDate;
use futures_util::stream::{self, StreamExt};
use serde_json::Value;

use super::client::{AutotaskClient, MAX_IN_FLIGHT};
use super::contracts::covering_row;
use super::landing::{judge_landing, LandedElsewhere, Landing};
use super::models::{AdjustmentBody, ContractServiceUnit, ItemIdResult};
use super::query::Tally;
use super::send::{Target, WriteOutcome};
use super::tz;
use crate::psa::{BillingLine, LineKey, PsaError, Sent, WriteReceipt};

/// What became of one POST.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PostOutcome {
    /// Autotask answered with the new adjustment's id.
    Applied { item_id: Option<String> },
    /// The response was lost or unreadable: the adjustment may or may not exist.
    Unknown { detail: String },
}

fn receipt(quantity: i64, request_id: Option<String>) -> WriteReceipt {
    WriteReceipt {
        quantity,
        request_id,
    }
}

impl AutotaskClient {
    /// Posts one adjustment, exactly once (see the module docs for the only resends). `Err` means
    /// it was certainly not applied.
    async fn post_counted(
        &self,
        body: &AdjustmentBody,
        tally: &Tally,
    ) -> Result<PostOutcome, PsaError> {
        if body.unit_change == 0 {
            return Err(PsaError::InvalidConfig(
                "An adjustment of 0 units changes nothing; it was not sent.".into(),
            ));
        }
        let json =
            serde_json::to_value(body).map_err(|e| PsaError::InvalidConfig(e.to_string()))?;
        let target = Target::Path(format!(
            "V1.0/Contracts/{}/ServiceAdjustments",
            body.contract_id
        ));
        let what = "write a unit adjustment";
        match self.write(&target, &json, what, tally).await? {
            WriteOutcome::Ambiguous(detail) => Ok(PostOutcome::Unknown { detail }),
            WriteOutcome::Done(bytes) => match serde_json::from_slice::<Value>(&bytes) {
                Err(_) => Ok(PostOutcome::Unknown {
                    detail: "Autotask answered with an unreadable (possibly cut-off) response"
                        .into(),
                }),
                Ok(v) => {
                    let msgs = super::errors::error_messages(&bytes);
                    if v.get("errors").is_some() && !msgs.is_empty() {
                        return Err(super::errors::from_status(500, &msgs, None, what));
                    }
                    let r: ItemIdResult = serde_json::from_value(v).unwrap_or_default();
                    Ok(PostOutcome::Applied {
                        item_id: r.id_text(),
                    })
                }
            },
        }
    }

    /// The adjustment that takes a line from `current` to `desired` on `today`, keeping the line's
    /// per-unit price and cost (omitting them has unconfirmed effects, reference §4.6).
    async fn adjustment_body_counted(
        &self,
        contract_id: i64,
        contract_service_id: i64,
        current: i64,
        desired: i64,
        today: NaiveDate,
        tally: &Tally,
    ) -> Result<AdjustmentBody, PsaError> {
        let unit_change = i32::try_from(desired - current).map_err(|_| PsaError::Rejected {
            message: format!(
                "A change from {current} to {desired} units is too large for Autotask."
            ),
            request_id: None,
        })?;
        let price = self.line_price(contract_service_id, tally).await?;
        Ok(AdjustmentBody {
            contract_id,
            contract_service_id,
            service_id: price.service_id,
            unit_change,
            effective_date: tz::effective_date(today, self.inner.offset),
            adjusted_unit_price: price.unit_price,
            adjusted_unit_cost: price.unit_cost,
        })
    }

    /// Makes `line` hold `desired` units from `today` (tenant day) on.
    pub async fn set_quantity_on(
        &self,
        line: &BillingLine,
        desired: i64,
        today: NaiveDate,
    ) -> Result<WriteReceipt, PsaError> {
        let mut results = self
            .set_quantities_on(&[(line.clone(), desired)], today, &|_| {})
            .await;
        results.pop().unwrap_or_else(|| {
            Err(PsaError::OutcomeUnknown(
                "The adjustment could not be confirmed.".into(),
            ))
        })
    }

    /// Makes each line hold its desired units from `today` on; one result per write, in order.
    ///
    /// The checks the module docs describe are batched: one units read of every line before the
    /// POSTs, the POSTs (up to the thread limit at once), then one units read of every posted line
    /// after them (a lost response is resent at most once, after its own re-read). Three writes
    /// cost three POSTs and two queries instead of three POSTs and six queries.
    pub async fn set_quantities_on(
        &self,
        writes: &[(BillingLine, i64)],
        today: NaiveDate,
        sent: Sent<'_>,
    ) -> Vec<Result<WriteReceipt, PsaError>> {
        let tally = Tally::default();
        // A monthly cadence backdates its adjustments to the period start (sync::cadence).
        let effective = self.effective_day().unwrap_or(today);
        let mut results: Vec<Option<Result<WriteReceipt, PsaError>>> = vec![None; writes.len()];
        let mut targets: Vec<(usize, i64, i64, i64)> = Vec::new();
        let mut seen = HashSet::new();
        for (index, (line, desired)) in writes.iter().enumerate() {
            match target(line, *desired) {
                Ok((contract_id, csid)) if seen.insert(csid) => {
                    targets.push((index, contract_id, csid, *desired));
                }
                Ok((contract_id, csid)) => {
                    results[index] = Some(Err(PsaError::InvalidConfig(format!(
                        "contract {contract_id} / contract service {csid} appears twice in one batch of \
                         writes; the second was not sent"
                    ))));
                }
                Err(e) => results[index] = Some(Err(e)),
            }
            if results[index].is_some() {
                sent(index);
            }
        }

        // Before: the delta is computed from units read now, not from the plan's read.
        let ids: Vec<i64> = targets.iter().map(|t| t.2).collect();
        let before = if ids.is_empty() {
            Ok(UnitsRead {
                units: HashMap::new(),
                rows: Vec::new(),
            })
        } else {
            self.units_today(&ids, today, &tally).await
        };
        let before_read = match before {
            Ok(b) => b,
            Err(e) => {
                for t in &targets {
                    results[t.0] = Some(Err(e.clone()));
                    sent(t.0);
                }
                return finish(results);
            }
        };
        let before = &before_read.units;
        let mut pending: Vec<Pending> = Vec::new();
        for (index, contract_id, csid, desired) in targets {
            let line_ref = format!("contract {contract_id} / contract service {csid}");
            let Some(now) = before.get(&csid).copied().flatten() else {
                results[index] = Some(Err(PsaError::Rejected {
                    message: format!(
                        "No billing period of {line_ref} covers {today}: the contract has not started or has \
                         ended, so its units cannot be adjusted today. Nothing was changed."
                    ),
                    request_id: None,
                }));
                sent(index);
                continue;
            };
            if now == desired {
                results[index] = Some(Ok(receipt(desired, None)));
                sent(index);
                continue;
            }
            if now != writes[index].0.quantity {
                tracing::info!(
                    csid,
                    read = writes[index].0.quantity,
                    now,
                    "Autotask units changed since the read; delta recomputed"
                );
            }
            match self
                .adjustment_body_counted(contract_id, csid, now, desired, effective, &tally)
                .await
            {
                Ok(body) => pending.push(Pending {
                    index,
                    before: now,
                    desired,
                    body,
                    line_ref,
                }),
                Err(e) => {
                    results[index] = Some(Err(e));
                    sent(index);
                }
            }
        }

        for attempt in 1..=2 {
            if pending.is_empty() {
                break;
            }
            // Each write counts as sent when its first POST returns (a resend was counted then).
            // POSTs start as thread slots free up, so once Autotask has kept answering "too many
            // requests" (after the client's own retries) the rest of the batch is not sent at all.
            let rate_limited = AtomicU32::new(0);
            let posts: Vec<_> = pending
                .iter()
                .map(|p| self.post_unless_saturated(p, &tally, &rate_limited, attempt, sent))
                .collect();
            let outcomes: Vec<Result<PostOutcome, PsaError>> =
                stream::iter(posts).buffered(MAX_IN_FLIGHT).collect().await;
            let mut posted: Vec<(Pending, PostOutcome)> = Vec::new();
            for (p, outcome) in pending.drain(..).zip(outcomes) {
                match outcome {
                    Ok(o) => posted.push((p, o)),
                    Err(e) => results[p.index] = Some(Err(e)),
                }
            }
            if posted.is_empty() {
                break;
            }
            if posted
                .iter()
                .any(|(_, o)| matches!(o, PostOutcome::Unknown { .. }))
            {
                // Let a POST the server is still processing finish before judging it.
                tokio::time::sleep(self.inner.verify_settle).await;
            }
            let ids: Vec<i64> = posted
                .iter()
                .map(|(p, _)| p.body.contract_service_id)
                .collect();
            let after = self.units_today(&ids, today, &tally).await;
            let units_of = |p: &Pending| {
                after
                    .as_ref()
                    .map(|m| m.units.get(&p.body.contract_service_id).copied().flatten())
            };
            // An accepted adjustment whose units have not moved shows that this tenant's units
            // lag: from then on an unchanged read after a lost answer proves nothing.
            if posted.iter().any(|(p, o)| {
                matches!(o, PostOutcome::Applied { .. }) && units_of(p) == Ok(Some(p.before))
            }) {
                self.assume_units_may_lag();
            }
            let lagging = self.units_may_lag();
            // A backdated adjustment moves rows outside the window read here: its landing day
            // cannot be judged from them, so only same-day writes are checked.
            let elsewhere = after
                .as_ref()
                .ok()
                .filter(|_| effective == today)
                .and_then(|a| self.first_landing(&posted, &before_read, a, today));
            for (p, outcome) in posted {
                if let Some((index, message)) = &elsewhere {
                    if *index == p.index {
                        let request_id = match outcome {
                            PostOutcome::Applied { item_id } => item_id,
                            PostOutcome::Unknown { .. } => None,
                        };
                        results[p.index] = Some(Err(PsaError::LandedElsewhere {
                            message: message.clone(),
                            request_id,
                        }));
                        continue;
                    }
                }
                let units = units_of(&p);
                match judge(&p, outcome, units, attempt, lagging, today) {
                    Verdict::Done(r) => results[p.index] = Some(r),
                    Verdict::Resend => pending.push(p),
                }
            }
        }
        finish(results)
    }

    /// After this client's first accepted adjustment (one client serves one run), judges from
    /// the rows read before and after it which day it landed on (reference §7): `Some((index,
    /// message))` for the write that landed on another day than `today` (a wrong time zone).
    fn first_landing(
        &self,
        posted: &[(Pending, PostOutcome)],
        before: &UnitsRead,
        after: &UnitsRead,
        today: NaiveDate,
    ) -> Option<(usize, String)> {
        if self.inner.landing_checked.load(Ordering::SeqCst) {
            return None;
        }
        let (p, _) = posted
            .iter()
            .find(|(_, o)| matches!(o, PostOutcome::Applied { .. }))?;
        let csid = p.body.contract_service_id;
        let rows_before = before.rows_of(csid);
        match judge_landing(Some(&rows_before), &after.rows_of(csid), csid, today) {
            Landing::Unknown => None, // nothing shows yet (lagging units): checked next time
            Landing::Landed => {
                self.inner.landing_checked.store(true, Ordering::SeqCst);
                None
            }
            Landing::LandedOn(day) => {
                self.inner.landing_checked.store(true, Ordering::SeqCst);
                let e = LandedElsewhere::new(csid, today, day, self.time_zone());
                Some((p.index, e.to_string()))
            }
        }
    }

    /// Posts `p`'s adjustment unless `rate_limited` POSTs in a row have already been refused (then
    /// it is not sent). Runs when a thread slot frees up, so it sees the latest count.
    async fn post_unless_saturated(
        &self,
        p: &Pending,
        tally: &Tally,
        rate_limited: &AtomicU32,
        attempt: u32,
        sent: Sent<'_>,
    ) -> Result<PostOutcome, PsaError> {
        let outcome = if rate_limited.load(Ordering::SeqCst) >= RATE_LIMITED_STOP {
            Err(not_attempted())
        } else {
            let o = self.post_counted(&p.body, tally).await;
            if matches!(o, Err(PsaError::RateLimited { .. })) {
                rate_limited.fetch_add(1, Ordering::SeqCst);
            } else {
                rate_limited.store(0, Ordering::SeqCst);
            }
            o
        };
        if attempt == 1 {
            sent(p.index);
        }
        outcome
    }

    /// Units on `today` of each contract service (None: no period covers the day), read in as
    /// few queries as the `in` list allows, with the rows read (for the landing check).
    async fn units_today(
        &self,
        contract_services: &[i64],
        today: NaiveDate,
        tally: &Tally,
    ) -> Result<UnitsRead, PsaError> {
        let rows = self.unit_periods(contract_services, today, tally).await?;
        let mut by_line: HashMap<i64, Vec<&ContractServiceUnit>> = HashMap::new();
        for r in &rows {
            if let Some(id) = r.contract_service_id {
                by_line.entry(id).or_default().push(r);
            }
        }
        let units = contract_services
            .iter()
            .map(|id| {
                let rows = by_line.get(id).map(Vec::as_slice).unwrap_or_default();
                (
                    *id,
                    covering_row(rows.iter().copied(), today).and_then(|r| r.units),
                )
            })
            .collect();
        Ok(UnitsRead { units, rows })
    }
}

/// A units read: per contract service the units on the day, and every row read.
struct UnitsRead {
    units: HashMap<i64, Option<i64>>,
    rows: Vec<ContractServiceUnit>,
}

impl UnitsRead {
    fn rows_of(&self, contract_service_id: i64) -> Vec<ContractServiceUnit> {
        self.rows
            .iter()
            .filter(|r| r.contract_service_id == Some(contract_service_id))
            .cloned()
            .collect()
    }
}

/// POSTs rate-limited in a row (each after the client's own retries) after which the rest of a
/// batch is not sent: the PSA is saturated, and the sync's apply stops for the run too.
const RATE_LIMITED_STOP: u32 = 3;

/// The result of a POST left unsent because Autotask kept rate-limiting the ones before it.
fn not_attempted() -> PsaError {
    PsaError::RateLimited {
        message: "Not sent: Autotask kept answering 'too many requests' to the adjustments before \
                  this one"
            .into(),
        retry_after_secs: None,
    }
}

/// A write whose adjustment is (about to be) posted.
struct Pending {
    index: usize,
    before: i64,
    desired: i64,
    body: AdjustmentBody,
    line_ref: String,
}

enum Verdict {
    Done(Result<WriteReceipt, PsaError>),
    /// The lost POST did not land (units still at `before`): post it once more.
    Resend,
}

/// The contract and contract service of an Autotask line, if `desired` can be billed on it.
fn target(line: &BillingLine, desired: i64) -> Result<(i64, i64), PsaError> {
    let LineKey::Autotask {
        contract_id,
        contract_service_id,
    } = line.key
    else {
        return Err(PsaError::InvalidConfig(
            "This line does not belong to Autotask.".into(),
        ));
    };
    if !(0..=i64::from(i32::MAX)).contains(&desired) {
        return Err(PsaError::Rejected {
            message: format!(
                "{desired} units cannot be billed in Autotask (whole numbers from 0 only)."
            ),
            request_id: None,
        });
    }
    Ok((contract_id, contract_service_id))
}

/// What the units read after a POST say about it. `after` is the read (Err: it failed), with
/// None when no period covers today; `lagging`: this tenant's units may lag an accepted
/// adjustment. Every accepted write must move the units by exactly its change.
fn judge(
    p: &Pending,
    outcome: PostOutcome,
    after: Result<Option<i64>, &PsaError>,
    attempt: u32,
    lagging: bool,
    today: NaiveDate,
) -> Verdict {
    let (line_ref, change, before, desired) =
        (&p.line_ref, p.body.unit_change, p.before, p.desired);
    let shown = |u: Option<i64>| u.map_or_else(|| "nothing".to_string(), |u| u.to_string());
    match outcome {
        PostOutcome::Applied { item_id } => {
            let id = item_id.clone().unwrap_or_else(|| "(no id)".into());
            Verdict::Done(match after {
                Ok(Some(u)) if u == desired => Ok(receipt(desired, item_id)),
                Err(e) => Err(PsaError::Awaiting {
                    message: format!(
                        "Autotask accepted adjustment {id} ({change:+} units) on {line_ref}, but re-reading \
                         the units failed ({e}); later runs re-read the line and never post it again"
                    ),
                    request_id: item_id,
                }),
                Ok(Some(u)) if u == before => Err(PsaError::Awaiting {
                    message: format!(
                        "Autotask accepted adjustment {id} ({change:+} units) on {line_ref}, but the units \
                         still read {before}; awaiting Autotask — later runs re-read the line and never post \
                         it again"
                    ),
                    request_id: item_id,
                }),
                Ok(other) => Err(PsaError::Diverged {
                    message: format!(
                        "Autotask accepted adjustment {id} ({change:+} units) on {line_ref}, but the units for \
                         {today} went from {before} to {} instead of {desired}: Autotask may let a same-day \
                         adjustment override an earlier one, someone may have changed the line, or the change \
                         landed on another day. PSA Bridge stopped writing for this connector and corrects \
                         nothing by itself: check the contract in Autotask",
                        shown(other)
                    ),
                    request_id: item_id,
                }),
            })
        }
        PostOutcome::Unknown { detail } => match after {
            Err(e) => Verdict::Done(Err(PsaError::OutcomeUnknown(format!(
                "The answer to the adjustment of {change:+} units on {line_ref} was lost ({detail}) and the units \
                 could not be re-read ({e}). The next run re-reads the line before doing anything"
            )))),
            Ok(Some(u)) if u == desired => Verdict::Done(Ok(receipt(desired, None))),
            Ok(Some(u)) if u == before && lagging => Verdict::Done(Err(PsaError::Awaiting {
                message: format!(
                    "The answer to the adjustment of {change:+} units on {line_ref} was lost ({detail}) and the \
                     units still read {before}; this tenant's units lag accepted adjustments, so it is not \
                     resent: later runs re-read the line, and after 24 hours unchanged it is reported"
                ),
                request_id: None,
            })),
            Ok(Some(u)) if u == before && attempt == 1 => {
                tracing::warn!(line = %line_ref, %detail, "Autotask adjustment not applied; posting it once more");
                Verdict::Resend
            }
            Ok(Some(u)) if u == before => Verdict::Done(Err(PsaError::Remote {
                status: None,
                message: format!(
                    "Autotask did not apply the adjustment on {line_ref} after two attempts ({detail}); the units \
                     are still {before}. Try again later."
                ),
                request_id: None,
            })),
            Ok(other) => Verdict::Done(Err(PsaError::OutcomeUnknown(format!(
                "The answer to the adjustment of {change:+} units on {line_ref} was lost ({detail}); the units now \
                 read {} (before: {before}, wanted: {desired}). Check the line in Autotask before syncing again: \
                 resending could double-count.",
                shown(other),
            )))),
        },
    }
}

/// The results in order; a write with none (cannot happen: every path records one) is unknown.
fn finish(
    results: Vec<Option<Result<WriteReceipt, PsaError>>>,
) -> Vec<Result<WriteReceipt, PsaError>> {
    results
        .into_iter()
        .map(|r| {
            r.unwrap_or_else(|| {
                Err(PsaError::OutcomeUnknown(
                    "The adjustment could not be confirmed; check the line in Autotask before syncing \
                     again."
                        .into(),
                ))
            })
        })
        .collect()
}
