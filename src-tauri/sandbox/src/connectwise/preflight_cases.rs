//! Controls for the pre-flight checks' cases (`/_sandbox/…`, outside the gate), so a test can
//! make a case appear or fix it the way an operator would in ConnectWise:
//!
//! | method & path | effect |
//! |---|---|
//! | `POST /_sandbox/agreement` `{"id", "endDate"?: "YYYY-MM-DD"\|null, "status"?: "Active"\|"Cancelled"\|"Expired"\|"Inactive", "endAdditions"?: "YYYY-MM-DD"}` | changes an agreement's end date (`null`: no end) and status (`cancelledFlag` follows `Cancelled`); `endAdditions` cancels each of its additions on that day |
//! | `POST /_sandbox/company-status` `{"id", "active": bool}` | sets a company's status to Active or Inactive |
//!
//! The demo world's cases: customer 6's agreement ends in 20 days; customer 7 has a cancelled
//! agreement that still holds its first product; customer 4's expired agreement still holds
//! every product it subscribes to; customers 9 and 10 have two candidate lines; customer 11 has
//! no agreement at all.

use axum::extract::State as AxState;
use axum::http::StatusCode;
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::errors::ApiError;
use super::state::recompute_addition;
use super::Ctx;

pub(super) fn routes() -> Router<Ctx> {
    Router::new()
        .route("/_sandbox/agreement", post(agreement))
        .route("/_sandbox/company-status", post(company_status))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct AgreementChange {
    id: i64,
    /// Absent: unchanged; `null`: no end date.
    #[serde(default, deserialize_with = "present")]
    end_date: Option<Option<String>>,
    status: Option<String>,
    end_additions: Option<String>,
}

/// Tells an absent field (`None`) from an explicit `null` (`Some(None)`).
fn present<'de, D>(d: D) -> Result<Option<Option<String>>, D::Error>
where
    D: serde::Deserializer<'de>,
{
    Option::<String>::deserialize(d).map(Some)
}

fn day(raw: &str) -> Result<String, ApiError> {
    chrono::NaiveDate::parse_from_str(raw, "%Y-%m-%d")
        .map(|d| format!("{}T00:00:00Z", d.format("%Y-%m-%d")))
        .map_err(|_| ApiError::invalid(format!("{raw} is not a YYYY-MM-DD date")))
}

async fn agreement(
    AxState(ctx): AxState<Ctx>,
    Json(c): Json<AgreementChange>,
) -> Result<Json<Value>, ApiError> {
    let end = match &c.end_date {
        Some(Some(raw)) => Some(Some(day(raw)?)),
        Some(None) => Some(None),
        None => None,
    };
    let cancel_on = c.end_additions.as_deref().map(day).transpose()?;
    if let Some(s) = &c.status {
        if !["Active", "Cancelled", "Expired", "Inactive"].contains(&s.as_str()) {
            return Err(ApiError::invalid(format!("unknown agreement status {s}")));
        }
    }
    let mut st = ctx.lock()?;
    let now = chrono::Utc::now();
    let a = st
        .agreements
        .iter_mut()
        .find(|a| a["id"] == c.id)
        .ok_or_else(|| ApiError::invalid(format!("no agreement {}", c.id)))?;
    if let Some(end) = end {
        a["noEndingDateFlag"] = json!(end.is_none());
        a["endDate"] = json!(end);
    }
    if let Some(s) = &c.status {
        a["agreementStatus"] = json!(s);
        a["cancelledFlag"] = json!(s == "Cancelled");
    }
    let view = a.clone();
    let status = view["agreementStatus"]
        .as_str()
        .unwrap_or("Active")
        .to_string();
    for x in st.additions.iter_mut().filter(|x| x["agreementId"] == c.id) {
        if let Some(on) = &cancel_on {
            x["cancelledDate"] = json!(on);
        }
        recompute_addition(x, &status, now);
    }
    Ok(Json(view))
}

#[derive(Deserialize)]
struct CompanyStatus {
    id: i64,
    active: bool,
}

async fn company_status(
    AxState(ctx): AxState<Ctx>,
    Json(c): Json<CompanyStatus>,
) -> Result<StatusCode, ApiError> {
    let mut st = ctx.lock()?;
    let company = st
        .companies
        .iter_mut()
        .find(|x| x["id"] == c.id)
        .ok_or_else(|| ApiError::invalid(format!("no company {}", c.id)))?;
    company["status"] = if c.active {
        json!({"id": 1, "name": "Active", "_info": {}})
    } else {
        json!({"id": 2, "name": "Inactive", "_info": {}})
    };
    Ok(StatusCode::NO_CONTENT)
}
