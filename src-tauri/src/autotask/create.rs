//! Creating a missing contract service (issue 14, item 2; reference §4.6: "if no matching
//! ContractService exists, the API creates one"): one ContractServiceAdjustment with
//! `contractID` + `serviceID` (no `contractServiceID`) and `unitChange` = the quantity, effective
//! today (tenant day), at the service's own price and cost. Sent once: an ambiguous answer is
//! [`PsaError::OutcomeUnknown`], settled by the next run's read; a clear one is checked by
//! reading the pair back, which also names the new line.

use chrono::NaiveDate;
use reqwest::Method;
use serde::Serialize;

use super::client::AutotaskClient;
use super::models::{ItemEnvelope, ItemIdResult, Service};
use super::query::Tally;
use super::send::{Target, WriteOutcome};
use super::tz;
use crate::psa::{CreatedLine, LineLookup, NewLine, PsaError, WriteReceipt};

/// The adjustment that creates the line (no `contractServiceID`: the API creates one).
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct CreateBody {
    #[serde(rename = "contractID")]
    pub contract_id: i64,
    #[serde(rename = "serviceID")]
    pub service_id: i64,
    pub unit_change: i32,
    pub effective_date: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adjusted_unit_price: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adjusted_unit_cost: Option<f64>,
}

impl AutotaskClient {
    /// Creates the contract service `target` holding `quantity` units from `today` on.
    pub async fn create_contract_service(
        &self,
        target: &NewLine,
        quantity: i64,
        today: NaiveDate,
    ) -> Result<CreatedLine, PsaError> {
        let unit_change = i32::try_from(quantity)
            .ok()
            .filter(|q| *q > 0)
            .ok_or_else(|| {
                PsaError::InvalidConfig(format!("refusing to create a line with {quantity} units"))
            })?;
        let tally = Tally::default();
        let service = Target::Path(format!("V1.0/Services/{}", target.product.0));
        let bytes = self
            .read(Method::GET, &service, None, "read a service", &tally)
            .await?;
        let service: Option<Service> = serde_json::from_slice::<ItemEnvelope<Service>>(&bytes)
            .ok()
            .and_then(|e| e.item);
        let body = CreateBody {
            contract_id: target.container_id,
            service_id: target.product.0,
            unit_change,
            effective_date: tz::effective_date(today, self.inner.offset),
            adjusted_unit_price: service.as_ref().and_then(|s| s.unit_price),
            adjusted_unit_cost: service.as_ref().and_then(|s| s.unit_cost),
        };
        let json =
            serde_json::to_value(&body).map_err(|e| PsaError::InvalidConfig(e.to_string()))?;
        let post = Target::Path(format!(
            "V1.0/Contracts/{}/ServiceAdjustments",
            target.container_id
        ));
        let lost = |why: String| {
            PsaError::OutcomeUnknown(format!(
                "Autotask's answer to creating the line on contract {} was lost ({why}); it is \
                 not sent again — the next run reads the contract to see whether it was created",
                target.container_id
            ))
        };
        let item_id = match self
            .write(&post, &json, "create a contract service", &tally)
            .await?
        {
            WriteOutcome::Ambiguous(detail) => return Err(lost(detail)),
            WriteOutcome::Done(bytes) => match serde_json::from_slice::<ItemIdResult>(&bytes) {
                Ok(r) => r.id_text(),
                Err(_) => return Err(lost("an unreadable (possibly cut-off) answer".into())),
            },
        };
        // Read the pair back: the new line and the units it shows.
        let state = self
            .read_billing_on(&[target.company], &[target.product], today)
            .await
            .map_err(|e| lost(format!("accepted, but could not be read back: {e}")))?;
        match state.lines.get(&(target.company, target.product)) {
            Some(LineLookup::One { line }) if target.holds(&line.key) => Ok(CreatedLine {
                receipt: WriteReceipt {
                    quantity: line.quantity,
                    request_id: item_id,
                },
                key: Some(line.key.clone()),
            }),
            _ => Err(lost(
                "accepted, but the new line does not show on the contract yet".into(),
            )),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_body_names_contract_and_service_and_no_contract_service() {
        let body = CreateBody {
            contract_id: 7,
            service_id: 30,
            unit_change: 12,
            effective_date: "2026-12-07T12:00:00Z".into(),
            adjusted_unit_price: Some(6.5),
            adjusted_unit_cost: None,
        };
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            serde_json::json!({"contractID": 7, "serviceID": 30, "unitChange": 12,
                "effectiveDate": "2026-12-07T12:00:00Z", "adjustedUnitPrice": 6.5})
        );
    }
}
