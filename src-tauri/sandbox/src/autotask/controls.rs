//! Test controls under `/_sandbox/` (never logged, never gated) and the middleware that enforces
//! the tenant's limits: the hourly request budget with its added latency, and the thread limit.

use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use axum::body::Bytes;
use axum::extract::{Request, State as AxState};
use axum::http::StatusCode;
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

use super::{
    api, behaviour::SameDay, errors, poisoned, App, ContractAccess, DropMode, TenantTimeZone,
    DEMO_INTEGRATION_CODE, DEMO_USERNAME,
};

/// Decrements an in-flight counter when the request finishes or is cancelled.
struct Slot(Arc<AtomicU32>);

impl Drop for Slot {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

/// Hourly budget and thread limit. Zone and version lookups are exempt (they carry no tracking
/// identifier); `ThresholdInformation` is not.
pub(super) async fn limits(AxState(app): AxState<App>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if path.starts_with("/_sandbox/") {
        return next.run(req).await;
    }
    let (_, rel) = app.zones.locate(req.headers(), &path);
    let Some(endpoint) = api::endpoint_bucket(rel) else {
        return next.run(req).await;
    };
    let code = req
        .headers()
        .get("apiintegrationcode")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("")
        .to_ascii_uppercase();
    let (delay, limit) = {
        let mut s = match app.state.lock() {
            Ok(s) => s,
            Err(_) => return poisoned(),
        };
        match s.threshold.count() {
            Ok(d) => (d, s.thread_limit),
            Err(wait) => {
                return (
                    StatusCode::TOO_MANY_REQUESTS,
                    [("Retry-After", wait.to_string())],
                    Json(json!({"errors": [format!(
                        "Request threshold of {} requests per {} minutes has been exceeded for this database.",
                        s.threshold.limit,
                        (s.threshold.timeframe.as_secs() / 60).max(1)
                    )]})),
                )
                    .into_response()
            }
        }
    };
    let counter = match app.inflight.lock() {
        Ok(mut m) => m.entry(format!("{code}|{endpoint}")).or_default().clone(),
        Err(_) => return poisoned(),
    };
    let slot = Slot(counter);
    let running = slot.0.fetch_add(1, Ordering::SeqCst) + 1;
    if running > limit {
        drop(slot);
        if let Ok(mut s) = app.state.lock() {
            s.thread_limit_rejections += 1;
        }
        return errors(
            StatusCode::TOO_MANY_REQUESTS,
            [format!(
                "Itgenatr005: The thread threshold of {limit} threads has been exceeded for the {endpoint} endpoint with this API tracking identifier. Please wait and try again."
            )],
        );
    }
    if !delay.is_zero() {
        tokio::time::sleep(delay).await;
    }
    let resp = next.run(req).await;
    drop(slot);
    resp
}

fn body_json(body: &Bytes) -> Value {
    serde_json::from_slice(body).unwrap_or(Value::Null)
}

pub(super) async fn get_requests(AxState(app): AxState<App>) -> Response {
    Json(app.gate.requests()).into_response()
}

pub(super) async fn delete_requests(AxState(app): AxState<App>) -> Response {
    app.gate.clear_requests();
    StatusCode::NO_CONTENT.into_response()
}

pub(super) async fn get_state(AxState(app): AxState<App>) -> Response {
    match app.lock() {
        Ok(s) => Json(s.snapshot()).into_response(),
        Err(r) => r,
    }
}

/// `{"zone":0|1}` selects a zone; no body toggles. The old zone then answers 401 and discovery
/// returns the new URL.
pub(super) async fn move_zone(AxState(app): AxState<App>, body: Bytes) -> Response {
    let mut s = match app.lock() {
        Ok(s) => s,
        Err(r) => return r,
    };
    let want = body_json(&body).get("zone").and_then(Value::as_u64);
    s.current_zone = match want {
        Some(z) if (z as usize) < s.zone_urls.len() => z as usize,
        Some(_) => return errors(StatusCode::BAD_REQUEST, ["zone must be 0 or 1"]),
        None => (s.current_zone + 1) % s.zone_urls.len().max(1),
    };
    Json(json!({"zone": s.current_zone, "url": s.zone_urls.get(s.current_zone)})).into_response()
}

/// `{"mode":"gatewayTimeout"|"truncated"|"lostRequest","count":1}`: the next adjustment(s) are
/// applied and their response is lost, or (`lostRequest`) never arrive.
pub(super) async fn drop_next(AxState(app): AxState<App>, body: Bytes) -> Response {
    let v = body_json(&body);
    let mode = match v.get("mode").and_then(Value::as_str) {
        None | Some("gatewayTimeout") | Some("504") => DropMode::GatewayTimeout,
        Some("truncated") => DropMode::Truncated,
        Some("lostRequest") => DropMode::LostRequest,
        Some("unavailable") | Some("503") => DropMode::Unavailable,
        Some(other) => return errors(StatusCode::BAD_REQUEST, [format!("unknown mode {other}")]),
    };
    let count = v.get("count").and_then(Value::as_u64).unwrap_or(1);
    let mut s = match app.lock() {
        Ok(s) => s,
        Err(r) => return r,
    };
    for _ in 0..count {
        s.drop_next_adjustment_responses.push_back(mode);
    }
    Json(json!({"pending": s.drop_next_adjustment_responses.len()})).into_response()
}

/// `{"unitsLagSeconds":N,"sameDay":"additive"|"override"}`: how accepted adjustments reach the
/// units (each field optional; omitted ones keep their value).
pub(super) async fn adjustment_behaviour(AxState(app): AxState<App>, body: Bytes) -> Response {
    let v = body_json(&body);
    let mut s = match app.lock() {
        Ok(s) => s,
        Err(r) => return r,
    };
    if let Some(lag) = v.get("unitsLagSeconds").and_then(Value::as_f64) {
        if !(0.0..=86_400.0).contains(&lag) {
            return errors(StatusCode::BAD_REQUEST, ["unitsLagSeconds must be 0–86400"]);
        }
        s.adjustment_behaviour.units_lag = Duration::from_secs_f64(lag);
    }
    match v.get("sameDay").and_then(Value::as_str) {
        None => {}
        Some("additive") => s.adjustment_behaviour.same_day = SameDay::Additive,
        Some("override") => s.adjustment_behaviour.same_day = SameDay::Override,
        Some(other) => {
            return errors(
                StatusCode::BAD_REQUEST,
                [format!("unknown sameDay {other}")],
            )
        }
    }
    Json(json!({"adjustmentBehaviour": s.adjustment_behaviour})).into_response()
}

/// `POST /_sandbox/route-faults` `{"path", "kind", "next"?, "method"?, "containsId"?}`: the next
/// `next` (or every) request whose path (below `/ATServicesRest`, e.g. `/V1.0/Contracts/query`)
/// starts with `path` — with `containsId`, only those whose body lists that id, i.e. one chunk of
/// an `in` query — get a `200` cut in half (`"truncate"`) or a 503 (`"unavailable"`).
pub(super) async fn arm_route_fault(
    AxState(app): AxState<App>,
    Json(req): Json<crate::faults::ArmRequest>,
) -> Response {
    match req.fault(None) {
        Ok(fault) => {
            app.gate.route_faults.arm(fault);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(msg) => errors(StatusCode::BAD_REQUEST, [msg]),
    }
}

/// `DELETE /_sandbox/route-faults`: disarms every route fault.
pub(super) async fn clear_route_faults(AxState(app): AxState<App>) -> StatusCode {
    app.gate.route_faults.clear();
    StatusCode::NO_CONTENT
}

/// `{"next":N}`: the next N gated requests fail with 503.
pub(super) async fn faults(AxState(app): AxState<App>, body: Bytes) -> Response {
    let n = body_json(&body)
        .get("next")
        .and_then(Value::as_u64)
        .unwrap_or(1);
    app.gate.force_faults(u32::try_from(n).unwrap_or(u32::MAX));
    Json(json!({"next": n})).into_response()
}

/// `{"username":"...","contracts":"full"|"empty"|"forbidden"|"error"}`.
pub(super) async fn set_access(AxState(app): AxState<App>, body: Bytes) -> Response {
    let v = body_json(&body);
    let access = match v.get("contracts").and_then(Value::as_str) {
        Some("full") => ContractAccess::Full,
        Some("empty") => ContractAccess::Empty,
        Some("forbidden") => ContractAccess::Forbidden,
        Some("error") => ContractAccess::Error,
        _ => {
            return errors(
                StatusCode::BAD_REQUEST,
                ["contracts must be full, empty, forbidden or error"],
            )
        }
    };
    let name = v
        .get("username")
        .and_then(Value::as_str)
        .unwrap_or(DEMO_USERNAME);
    let mut s = match app.lock() {
        Ok(s) => s,
        Err(r) => return r,
    };
    match s
        .users
        .iter_mut()
        .find(|u| u.username.eq_ignore_ascii_case(name))
    {
        Some(u) => {
            u.contract_access = access;
            Json(json!({"username": u.username, "contractAccess": access})).into_response()
        }
        None => errors(StatusCode::NOT_FOUND, [format!("no API user {name}")]),
    }
}

/// `{"code":"...","disabled":true}`.
pub(super) async fn set_integration_code(AxState(app): AxState<App>, body: Bytes) -> Response {
    let v = body_json(&body);
    let code = v
        .get("code")
        .and_then(Value::as_str)
        .unwrap_or(DEMO_INTEGRATION_CODE);
    let disabled = v.get("disabled").and_then(Value::as_bool).unwrap_or(true);
    let mut s = match app.lock() {
        Ok(s) => s,
        Err(r) => return r,
    };
    match s
        .integration_codes
        .iter_mut()
        .find(|c| c.code.eq_ignore_ascii_case(code))
    {
        Some(c) => {
            c.disabled = disabled;
            Json(json!({"code": c.code, "disabled": c.disabled})).into_response()
        }
        None => errors(
            StatusCode::NOT_FOUND,
            [format!("no tracking identifier {code}")],
        ),
    }
}

/// `{"count":N,"limit":N,"halfDelayMs":N,"threeQuarterDelayMs":N}`: set the budget counters.
pub(super) async fn set_threshold(AxState(app): AxState<App>, body: Bytes) -> Response {
    let v = body_json(&body);
    let mut s = match app.lock() {
        Ok(s) => s,
        Err(r) => return r,
    };
    let num = |k: &str| v.get(k).and_then(Value::as_u64);
    if let Some(n) = num("count") {
        s.threshold.count = u32::try_from(n).unwrap_or(u32::MAX);
        s.threshold.window_start = Instant::now();
    }
    if let Some(n) = num("limit") {
        s.threshold.limit = u32::try_from(n).unwrap_or(u32::MAX).max(1);
    }
    if let Some(n) = num("halfDelayMs") {
        s.threshold.half_delay = Duration::from_millis(n);
    }
    if let Some(n) = num("threeQuarterDelayMs") {
        s.threshold.three_quarter_delay = Duration::from_millis(n);
    }
    Json(s.threshold.json()).into_response()
}

/// `{"zone":"Pacific/Tongatapu"}` or `{"zone":"+13"}`: the tenant database's time zone from now
/// on (effective dates of later adjustments, the tenant's "today").
pub(super) async fn set_time_zone(AxState(app): AxState<App>, body: Bytes) -> Response {
    let v = body_json(&body);
    let Some(name) = v.get("zone").and_then(Value::as_str) else {
        return errors(
            StatusCode::BAD_REQUEST,
            ["give {\"zone\": \"Pacific/Tongatapu\"} or {\"zone\": \"+13\"}"],
        );
    };
    let zone = match TenantTimeZone::parse(name) {
        Ok(z) => z,
        Err(e) => return errors(StatusCode::BAD_REQUEST, [e]),
    };
    let mut s = match app.lock() {
        Ok(s) => s,
        Err(r) => return r,
    };
    s.time_zone = zone;
    Json(json!({"timeZone": zone, "today": zone.today()})).into_response()
}
