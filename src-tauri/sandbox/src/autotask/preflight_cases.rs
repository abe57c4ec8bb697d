//! Controls for the pre-flight checks' cases (`/_sandbox/…`, never logged or gated), so a test
//! can make a case appear or fix it the way an operator would in Autotask:
//!
//! | method & path | effect |
//! |---|---|
//! | `POST /_sandbox/contract` `{"id", "endDate"?: "YYYY-MM-DD", "status"?: 0\|1, "removeServices"?: bool}` | changes a contract's end date and status; `removeServices` deletes its contract services (and their unit periods) |
//! | `POST /_sandbox/company-status` `{"id", "active": bool}` | sets a company's `isActive` |
//!
//! The demo world's cases: customer 6's contract ends in 20 days; customer 12's inactive,
//! expired previous-term contract still holds its services; customers 9 and 10 have two
//! candidate lines; customer 11 has no contract at all.

use axum::body::Bytes;
use axum::extract::State as AxState;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde_json::{json, Value};

use super::{errors, App};

pub(super) fn routes(router: Router<App>) -> Router<App> {
    router
        .route("/_sandbox/contract", post(contract))
        .route("/_sandbox/company-status", post(company_status))
}

fn bad(message: String) -> Response {
    errors(StatusCode::BAD_REQUEST, [message])
}

async fn contract(AxState(app): AxState<App>, body: Bytes) -> Response {
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let Some(id) = v.get("id").and_then(Value::as_i64) else {
        return bad("give {\"id\": CONTRACT_ID, …}".into());
    };
    let end = match v.get("endDate").and_then(Value::as_str) {
        Some(raw) => match chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d") {
            Ok(d) => Some(format!("{}T00:00:00", d.format("%Y-%m-%d"))),
            Err(_) => return bad(format!("{raw} is not a YYYY-MM-DD date")),
        },
        None => None,
    };
    let mut s = match app.lock() {
        Ok(s) => s,
        Err(r) => return r,
    };
    let Some(c) = s.contracts.get_mut(&id) else {
        return bad(format!("no contract {id}"));
    };
    if let Some(end) = end {
        c["endDate"] = json!(end);
    }
    if let Some(status) = v.get("status").and_then(Value::as_i64) {
        c["status"] = json!(status);
    }
    let view = c.clone();
    if v.get("removeServices").and_then(Value::as_bool) == Some(true) {
        let lines: Vec<i64> = s
            .contract_services
            .iter()
            .filter(|(_, l)| l["contractID"] == id)
            .map(|(&k, _)| k)
            .collect();
        for line in lines {
            s.contract_services.remove(&line);
            s.remove_line_units(line);
        }
    }
    Json(view).into_response()
}

async fn company_status(AxState(app): AxState<App>, body: Bytes) -> Response {
    let v: Value = serde_json::from_slice(&body).unwrap_or(Value::Null);
    let (Some(id), Some(active)) = (
        v.get("id").and_then(Value::as_i64),
        v.get("active").and_then(Value::as_bool),
    ) else {
        return bad("give {\"id\": COMPANY_ID, \"active\": true|false}".into());
    };
    let mut s = match app.lock() {
        Ok(s) => s,
        Err(r) => return r,
    };
    let Some(c) = s.companies.get_mut(&id) else {
        return bad(format!("no company {id}"));
    };
    c["isActive"] = json!(active);
    StatusCode::NO_CONTENT.into_response()
}
