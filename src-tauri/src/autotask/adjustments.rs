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
//! [`AutotaskClient::post_adjustment`] and [`AutotaskClient::current_units`] are public so the
//! sync can journal before posting and settle an interrupted write after a crash.

use chrono::NaiveDate;
use serde_json::Value;

use super::client::AutotaskClient;
use super::models::{AdjustmentBody, ItemIdResult};
use super::query::Tally;
use super::send::{Target, WriteOutcome};
use super::tz;
use crate::psa::{BillingLine, LineKey, PsaError, WriteReceipt};

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
    pub async fn post_adjustment(&self, body: &AdjustmentBody) -> Result<PostOutcome, PsaError> {
        self.post_counted(body, &Tally::default()).await
    }

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
    pub async fn adjustment_body(
        &self,
        contract_id: i64,
        contract_service_id: i64,
        current: i64,
        desired: i64,
        today: NaiveDate,
    ) -> Result<AdjustmentBody, PsaError> {
        self.adjustment_body_counted(
            contract_id,
            contract_service_id,
            current,
            desired,
            today,
            &Tally::default(),
        )
        .await
    }

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
        let LineKey::Autotask {
            contract_id,
            contract_service_id: csid,
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
        let tally = Tally::default();
        let before = self.current_units_counted(csid, today, &tally).await?.ok_or_else(|| PsaError::Rejected {
            message: format!(
                "No billing period of contract {contract_id} / contract service {csid} covers {today}: the contract has \
                 not started or has ended, so its units cannot be adjusted today. Nothing was changed."
            ),
            request_id: None,
        })?;
        if before == desired {
            return Ok(receipt(desired, None));
        }
        if before != line.quantity {
            tracing::info!(
                csid,
                read = line.quantity,
                now = before,
                "Autotask units changed since the read; delta recomputed"
            );
        }
        let body = self
            .adjustment_body_counted(contract_id, csid, before, desired, today, &tally)
            .await?;
        let line_ref = format!("contract {contract_id} / contract service {csid}");
        for attempt in 1..=2 {
            match self.post_counted(&body, &tally).await? {
                PostOutcome::Applied { item_id } => {
                    let after = self.current_units_counted(csid, today, &tally).await.map_err(|e| {
                        PsaError::OutcomeUnknown(format!(
                            "Autotask accepted the adjustment of {:+} units on {line_ref}, but re-reading the units \
                             failed ({e}). Check the line in Autotask before syncing again.",
                            body.unit_change
                        ))
                    })?;
                    if after == Some(desired) {
                        return Ok(receipt(desired, item_id));
                    }
                    return Err(PsaError::OutcomeUnknown(format!(
                        "Autotask accepted adjustment {} ({:+} units) on {line_ref}, but the units for {today} now read \
                         {} instead of {desired}. It may have landed on another day (time zone). Check the contract in \
                         Autotask before syncing again: resending would double-count.",
                        item_id.as_deref().unwrap_or("(no id)"),
                        body.unit_change,
                        after.map_or_else(|| "nothing".to_string(), |u| u.to_string()),
                    )));
                }
                PostOutcome::Unknown { detail } => {
                    // Let a POST the server is still processing finish before judging it.
                    tokio::time::sleep(self.inner.verify_settle).await;
                    let after = self.current_units_counted(csid, today, &tally).await.map_err(|e| {
                        PsaError::OutcomeUnknown(format!(
                            "The answer to the adjustment of {:+} units on {line_ref} was lost ({detail}) and the units \
                             could not be re-read ({e}). Check the line in Autotask before syncing again.",
                            body.unit_change
                        ))
                    })?;
                    match after {
                        Some(u) if u == desired => return Ok(receipt(desired, None)),
                        Some(u) if u == before && attempt == 1 => {
                            tracing::warn!(csid, %detail, "Autotask adjustment not applied; posting it once more");
                        }
                        Some(u) if u == before => {
                            return Err(PsaError::Remote {
                                status: None,
                                message: format!(
                                    "Autotask did not apply the adjustment on {line_ref} after two attempts ({detail}); \
                                     the units are still {before}. Try again later."
                                ),
                                request_id: None,
                            })
                        }
                        other => {
                            return Err(PsaError::OutcomeUnknown(format!(
                                "The answer to the adjustment of {:+} units on {line_ref} was lost ({detail}); the units \
                                 now read {} (before: {before}, wanted: {desired}). Check the line in Autotask before \
                                 syncing again: resending could double-count.",
                                body.unit_change,
                                other.map_or_else(|| "nothing".to_string(), |u| u.to_string()),
                            )))
                        }
                    }
                }
            }
        }
        // Unreachable in practice: attempt 2 always returns above.
        Err(PsaError::OutcomeUnknown(format!(
            "The adjustment on {line_ref} could not be confirmed."
        )))
    }
}
