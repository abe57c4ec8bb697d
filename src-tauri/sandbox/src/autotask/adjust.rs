//! ContractServiceAdjustments: the only way to change units (reference §4.6–4.7).
//!
//! An adjustment is a delta from its effective date on. The row covering that date is split (a new
//! row starts on the date and ends where the old one ended; if the row already starts on that date
//! it is updated in place, i.e. same-day adjustments merge), and every later row of the line moves
//! by the same delta. The effective date is stored as a tenant-local calendar day, so a
//! midnight-UTC value lands on the previous day for this US tenant, as the docs' example shows.
//!
//! Business-rule failures answer 500 with `errors[]`, the API's usual shape for validation.

use std::time::Instant;

use chrono::NaiveDate;
use serde_json::{json, Map, Value};

use super::behaviour;
use super::data::{round2, set_units, LineSpec};
use super::meta::CONTRACT_RECURRING;
use super::query::get_ci;
use super::time::{fmt_date, parse_utc, stored_date};
use super::{Adjustment, State};

/// An optional integer field: absent/null → None, a JSON integer → Some, anything else → error
/// (the spec types these as int32; strings like "3" are rejected so client bugs surface).
fn int_field(obj: &Map<String, Value>, name: &str) -> Result<Option<i64>, String> {
    match get_ci(obj, name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_i64()
            .map(Some)
            .ok_or_else(|| format!("{name} must be an integer; got {v}.")),
    }
}

fn num_field(obj: &Map<String, Value>, name: &str) -> Result<Option<f64>, String> {
    match get_ci(obj, name) {
        None | Some(Value::Null) => Ok(None),
        Some(v) => v
            .as_f64()
            .map(Some)
            .ok_or_else(|| format!("{name} must be a number; got {v}.")),
    }
}

/// Validates and applies one adjustment; on success it is recorded in `state.adjustments`.
pub(super) fn create(
    s: &mut State,
    username: &str,
    parent: Option<i64>,
    body: &Value,
) -> Result<Adjustment, Vec<String>> {
    let one = |m: String| vec![m];
    let obj = body.as_object().ok_or_else(|| {
        one("The request body must be a ContractServiceAdjustment object.".into())
    })?;
    let body_contract = int_field(obj, "contractID").map_err(one)?;
    let line_id = int_field(obj, "contractServiceID").map_err(one)?;
    let service_id = int_field(obj, "serviceID").map_err(one)?;
    let unit_change = int_field(obj, "unitChange").map_err(one)?.unwrap_or(0);
    let price = num_field(obj, "adjustedUnitPrice").map_err(one)?;
    let cost = num_field(obj, "adjustedUnitCost").map_err(one)?;
    let allow_repeat = get_ci(obj, "allowRepeatService")
        .and_then(Value::as_bool)
        .unwrap_or(false);
    if i32::try_from(unit_change).is_err() {
        return Err(one(format!("unitChange {unit_change} is out of range.")));
    }
    let raw_date = match get_ci(obj, "effectiveDate") {
        Some(Value::String(d)) => d.clone(),
        None | Some(Value::Null) => return Err(one("effectiveDate is required.".into())),
        Some(other) => return Err(one(format!("effectiveDate {other} is not a date-time."))),
    };
    let utc = parse_utc(&raw_date).ok_or_else(|| {
        one(format!(
            "effectiveDate '{raw_date}' is not a valid date-time."
        ))
    })?;
    let day = s.time_zone.local_date(utc);

    if let (Some(p), Some(b)) = (parent, body_contract) {
        if p != b {
            return Err(one(format!(
                "contractID {b} does not match the parent contract {p} in the URL."
            )));
        }
    }
    let mut contract_id = parent.or(body_contract);

    // Resolve the line: contractServiceID wins; otherwise contract + service (an existing line,
    // or a new one, which the API creates silently).
    let mut existing = None;
    if let Some(id) = line_id {
        let line = s
            .contract_services
            .get(&id)
            .ok_or_else(|| one(format!("ContractService {id} does not exist.")))?;
        let line_contract = line["contractID"].as_i64();
        if contract_id.is_some() && contract_id != line_contract {
            return Err(one(format!(
                "ContractService {id} does not belong to contract {}.",
                contract_id.unwrap_or_default()
            )));
        }
        if service_id.is_some() && service_id != line["serviceID"].as_i64() {
            return Err(one(format!(
                "serviceID {} does not match the service of ContractService {id}.",
                service_id.unwrap_or_default()
            )));
        }
        contract_id = line_contract;
        existing = Some(id);
    } else if service_id.is_none() {
        return Err(one(
            "Either contractServiceID, or contractID and serviceID, must be given.".into(),
        ));
    }
    let contract_id = contract_id.ok_or_else(|| one("contractID is required.".into()))?;
    let contract = s
        .contracts
        .get(&contract_id)
        .ok_or_else(|| one(format!("Contract {contract_id} does not exist.")))?;
    if contract["contractType"].as_i64() != Some(CONTRACT_RECURRING) {
        return Err(one(format!(
            "Contract {contract_id} is not a Recurring Service contract (contractType 7)."
        )));
    }
    let (start, end) = (
        stored_date(&contract["startDate"]),
        stored_date(&contract["endDate"]),
    );
    let (Some(start), Some(end)) = (start, end) else {
        return Err(one(format!("Contract {contract_id} has no valid dates.")));
    };
    if day < start || day > end {
        return Err(one(format!(
            "The effectiveDate {day} must be within the contract's start and end dates ({start} to {end})."
        )));
    }
    let service_id = match existing {
        Some(id) => s
            .contract_services
            .get(&id)
            .and_then(|l| l["serviceID"].as_i64())
            .unwrap_or_default(),
        None => service_id.ok_or_else(|| one("serviceID is required.".into()))?,
    };
    if existing.is_none() && !allow_repeat {
        existing = s
            .lines_of(contract_id)
            .into_iter()
            .find(|l| l["serviceID"].as_i64() == Some(service_id))
            .and_then(|l| l["id"].as_i64());
    }
    let created_line = existing.is_none();
    let line = match existing {
        Some(id) => id,
        None => {
            let svc = s
                .services
                .get(&service_id)
                .ok_or_else(|| one(format!("Service {service_id} does not exist.")))?;
            let unit_price = svc["unitPrice"].as_f64().unwrap_or(0.0);
            let unit_cost = svc["unitCost"].as_f64().unwrap_or(0.0);
            let description = svc["invoiceDescription"].as_str().unwrap_or("").to_string();
            s.add_line(LineSpec {
                contract_id,
                service_id,
                unit_price,
                unit_cost,
                invoice_description: description,
                units: &mut |_| 0,
            })
        }
    };
    // Same-day adjustments add up, or (override mode) the last one replaces the day's earlier ones.
    let earlier: Vec<i64> = s
        .adjustments
        .iter()
        .filter(|a| a.contract_service_id == line && a.effective_local_date == day)
        .map(|a| a.unit_change)
        .collect();
    let change =
        behaviour::effective_change(s.adjustment_behaviour.same_day, unit_change, &earlier);
    if let Err(e) = apply(s, line, day, change, price, cost) {
        if created_line {
            // Nothing is half-written: drop the line the failed adjustment would have created.
            s.contract_services.remove(&line);
            s.remove_line_units(line);
        }
        return Err(one(e));
    }
    let lag = s.adjustment_behaviour.units_lag;
    if !lag.is_zero() {
        // A lagging tenant: the adjustment is accepted now (it was validated by applying it), but
        // its units move later. Undoing a change that was just applied cannot fail.
        let _ = apply(s, line, day, -change, price, cost);
        s.deferred.push(behaviour::Deferred {
            due: Instant::now() + lag,
            line,
            day,
            change,
            price,
            cost,
        });
    }
    let adjustment = Adjustment {
        id: s.take_adjustment_id(),
        contract_id,
        contract_service_id: line,
        service_id,
        unit_change,
        effective_date: raw_date,
        effective_local_date: day,
        adjusted_unit_price: price,
        adjusted_unit_cost: cost,
        username: username.to_string(),
        via_parent_url: parent.is_some(),
        created_line,
        response_dropped: false,
    };
    s.adjustments.push(adjustment.clone());
    Ok(adjustment)
}

impl State {
    /// Moves the units of every lagging adjustment that is due by `now`.
    pub(super) fn settle_deferred(&mut self, now: Instant) {
        for d in behaviour::take_due(&mut self.deferred, now) {
            if let Err(e) = apply(self, d.line, d.day, d.change, d.price, d.cost) {
                tracing::warn!(line = d.line, error = %e, "sandbox: a lagging adjustment could not be applied");
            }
        }
    }
}

/// Splits the row covering `day` and moves it and every later row by `change`.
fn apply(
    s: &mut State,
    line: i64,
    day: NaiveDate,
    change: i64,
    price: Option<f64>,
    cost: Option<f64>,
) -> Result<(), String> {
    let current = s
        .current_row(line, day)
        .cloned()
        .ok_or_else(|| format!("No contract period of ContractService {line} covers {day}."))?;
    if !current["approveAndPostDate"].is_null() {
        return Err("Unable to make changes as it would result in the deletion/modification of an already approved and posted contract period.".to_string());
    }
    let current_id = current["id"].as_i64().unwrap_or_default();
    let row_start = stored_date(&current["startDate"]).unwrap_or(day);
    let later: Vec<i64> = s
        .unit_rows_of(line)
        .filter(|u| stored_date(&u["startDate"]).is_some_and(|d| d > day))
        .filter_map(|u| u["id"].as_i64())
        .collect();
    let now_units = current["units"].as_i64().unwrap_or(0);
    if now_units + change < 0 {
        return Err(format!(
            "The unitChange {change} would make the units of ContractService {line} negative ({now_units} on {day})."
        ));
    }
    for id in &later {
        let u = s
            .units
            .get(id)
            .and_then(|u| u["units"].as_i64())
            .unwrap_or(0);
        if u + change < 0 {
            return Err(format!(
                "The unitChange {change} would make the units of ContractService {line} negative in a later period ({u})."
            ));
        }
    }
    let (unit_price, unit_cost) = {
        let Some(l) = s.contract_services.get_mut(&line) else {
            return Err(format!("ContractService {line} does not exist."));
        };
        // adjustedUnitPrice/Cost change the line's price from the effective date; the list
        // price (internalCurrencyUnitPrice) stays.
        if let Some(p) = price {
            l["unitPrice"] = json!(round2(p));
            l["internalCurrencyAdjustedPrice"] = json!(round2(p));
        }
        if let Some(c) = cost {
            l["unitCost"] = json!(round2(c));
        }
        (
            l["unitPrice"].as_f64().unwrap_or(0.0),
            l["unitCost"].as_f64().unwrap_or(0.0),
        )
    };
    if row_start == day {
        if let Some(r) = s.units.get_mut(&current_id) {
            set_units(r, now_units + change, unit_price, unit_cost);
        }
    } else {
        let mut new_row = current.clone();
        let new_id = s.take_unit_id();
        new_row["id"] = json!(new_id);
        new_row["startDate"] = json!(fmt_date(day));
        set_units(&mut new_row, now_units + change, unit_price, unit_cost);
        if let Some(r) = s.units.get_mut(&current_id) {
            r["endDate"] = json!(fmt_date(day.pred_opt().unwrap_or(day)));
        }
        s.insert_unit(new_id, new_row);
    }
    for id in later {
        if let Some(r) = s.units.get_mut(&id) {
            let u = r["units"].as_i64().unwrap_or(0);
            set_units(r, u + change, unit_price, unit_cost);
        }
    }
    Ok(())
}
