//! Writes to ContractServices through the parent URL `Contracts/{id}/Services` (reference §4.4):
//! creation only on Recurring Service contracts, and updates limited to the price and
//! `invoiceDescription`. Units never change here; that is what adjustments are for.

#![allow(clippy::result_large_err)] // the error is the response to send (see `api`)

use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::api::validation;
use super::data::LineSpec;
use super::meta::CONTRACT_RECURRING;
use super::query::get_ci;
use super::State;

type Res = Result<Response, Response>;

/// `POST Contracts/{id}/Services`: a new line (with zero units) on a Recurring Service contract.
pub(super) fn create_line(s: &mut State, contract_id: i64, body: &Value) -> Res {
    let obj = body
        .as_object()
        .ok_or_else(|| validation("The request body must be a ContractService object."))?;
    let int = |k: &str| get_ci(obj, k).and_then(Value::as_i64);
    if let Some(c) = int("contractID") {
        if c != contract_id {
            return Err(validation(format!(
                "contractID {c} does not match the parent contract {contract_id} in the URL."
            )));
        }
    }
    let contract = s
        .contracts
        .get(&contract_id)
        .ok_or_else(|| validation(format!("Contract {contract_id} does not exist.")))?;
    if contract["contractType"].as_i64() != Some(CONTRACT_RECURRING) {
        return Err(validation(
            "ContractServices can only be added to Recurring Service contracts (contractType 7).",
        ));
    }
    let service_id = int("serviceID").ok_or_else(|| validation("serviceID is required."))?;
    let svc = s
        .services
        .get(&service_id)
        .ok_or_else(|| validation(format!("Service {service_id} does not exist.")))?;
    let num = |k: &str, default: f64| get_ci(obj, k).and_then(Value::as_f64).unwrap_or(default);
    let unit_price = num("unitPrice", svc["unitPrice"].as_f64().unwrap_or(0.0));
    let unit_cost = num("unitCost", svc["unitCost"].as_f64().unwrap_or(0.0));
    let description = get_ci(obj, "invoiceDescription")
        .and_then(Value::as_str)
        .or_else(|| svc["invoiceDescription"].as_str())
        .unwrap_or("")
        .to_string();
    let id = s.add_line(LineSpec {
        contract_id,
        service_id,
        unit_price,
        unit_cost,
        invoice_description: description,
        units: &mut |_| 0,
    });
    Ok(Json(json!({ "itemId": id })).into_response())
}

/// `PATCH`/`PUT Contracts/{id}/Services`: only the price and `invoiceDescription` may change.
pub(super) fn update_line(s: &mut State, contract_id: i64, body: &Value) -> Res {
    let obj = body
        .as_object()
        .ok_or_else(|| validation("The request body must be a ContractService object."))?;
    let id = get_ci(obj, "id")
        .and_then(Value::as_i64)
        .ok_or_else(|| validation("id is required."))?;
    let line = s
        .contract_services
        .get_mut(&id)
        .filter(|l| l["contractID"].as_i64() == Some(contract_id))
        .ok_or_else(|| {
            validation(format!(
                "ContractService {id} does not exist on contract {contract_id}."
            ))
        })?;
    let mut updated = line.clone();
    for (k, v) in obj {
        let key = k.to_ascii_lowercase();
        match key.as_str() {
            "id" => {}
            "invoicedescription" => updated["invoiceDescription"] = v.clone(),
            "unitprice" | "adjustedprice" | "internalcurrencyadjustedprice" => {
                let p = v
                    .as_f64()
                    .ok_or_else(|| validation(format!("{k} must be a number.")))?;
                updated["unitPrice"] = json!(p);
                updated["internalCurrencyAdjustedPrice"] = json!(p);
            }
            _ => {
                let same = line
                    .as_object()
                    .and_then(|o| get_ci(o, k))
                    .is_some_and(|cur| cur == v);
                if !same {
                    return Err(validation(format!("The field {k} is read-only.")));
                }
            }
        }
    }
    *line = updated;
    Ok(Json(json!({ "itemId": id })).into_response())
}
