//! Test controls under `/_sandbox/` (outside the gate: never logged, delayed or limited).
//!
//! | method & path | effect |
//! |---|---|
//! | `GET /_sandbox/requests` | the request log (validator JSONL shape), as a JSON array |
//! | `DELETE /_sandbox/requests` | clears the log |
//! | `GET /_sandbox/state[?company=…]` | agreements with additions and quantities ([`AgreementView`]) |
//! | `POST /_sandbox/faults` `{"next": N}` | the next N API requests fail with 503 |
//! | `POST /_sandbox/route-faults` `{"path", "kind", "next"?, "method"?}` | requests whose path (below `apis/3.0`) starts with `path` get a `200` cut in half (`kind: "truncate"`) or a 503 (`"unavailable"`): the next `next`, or all |
//! | `DELETE /_sandbox/route-faults` | disarms every route fault |
//! | `GET /_sandbox/permissions` | members and their permissions |
//! | `POST /_sandbox/permissions` `{"publicKey"?, …flags}` | sets a member's role; omitted flags are granted |
//! | `POST /_sandbox/codebase` `{"codebase": "v2027_1/"}` | simulates a hosted upgrade |
//! | `POST /_sandbox/reset` | agreements and additions back to the seed |
//!
//! [`AgreementView`]: super::AgreementView

use axum::extract::{Query, State as AxState};
use axum::http::StatusCode;
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{json, Value};

use super::errors::ApiError;
use super::state::Permissions;
use super::{Ctx, DEMO_PUBLIC_KEY};
use crate::faults::ArmRequest;

pub(super) fn routes() -> Router<Ctx> {
    Router::new()
        .route("/_sandbox/requests", get(requests).delete(clear_requests))
        .route("/_sandbox/state", get(state))
        .route("/_sandbox/faults", post(faults))
        .route(
            "/_sandbox/route-faults",
            post(arm_route_fault).delete(clear_route_faults),
        )
        .route(
            "/_sandbox/permissions",
            get(permissions).post(set_permissions),
        )
        .route("/_sandbox/codebase", post(codebase))
        .route("/_sandbox/reset", post(reset))
        .merge(super::preflight_cases::routes())
}

async fn requests(AxState(ctx): AxState<Ctx>) -> Json<Value> {
    Json(json!(ctx.gate.requests()))
}

async fn clear_requests(AxState(ctx): AxState<Ctx>) -> StatusCode {
    ctx.gate.clear_requests();
    StatusCode::NO_CONTENT
}

#[derive(Deserialize)]
struct StateQuery {
    company: Option<String>,
}

async fn state(
    AxState(ctx): AxState<Ctx>,
    Query(q): Query<StateQuery>,
) -> Result<Json<Value>, ApiError> {
    let st = ctx.lock()?;
    Ok(Json(json!({
        "company": st.company_id,
        "codebase": st.codebase,
        "discoveryCalls": st.discovery_calls,
        "agreements": st.snapshot(q.company.as_deref()),
    })))
}

#[derive(Deserialize)]
struct Faults {
    next: u32,
}

async fn faults(AxState(ctx): AxState<Ctx>, Json(f): Json<Faults>) -> Json<Value> {
    ctx.gate.force_faults(f.next);
    Json(json!({ "next": f.next }))
}

async fn arm_route_fault(
    AxState(ctx): AxState<Ctx>,
    Json(req): Json<ArmRequest>,
) -> Result<StatusCode, ApiError> {
    let fault = req.fault(None).map_err(ApiError::invalid)?;
    ctx.gate.route_faults.arm(fault);
    Ok(StatusCode::NO_CONTENT)
}

async fn clear_route_faults(AxState(ctx): AxState<Ctx>) -> StatusCode {
    ctx.gate.route_faults.clear();
    StatusCode::NO_CONTENT
}

async fn permissions(AxState(ctx): AxState<Ctx>) -> Result<Json<Value>, ApiError> {
    let st = ctx.lock()?;
    let members: Vec<Value> = st
        .members
        .iter()
        .map(|m| json!({"id": m.id, "publicKey": m.public_key, "permissions": m.permissions}))
        .collect();
    Ok(Json(json!({ "members": members })))
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct SetPermissions {
    public_key: Option<String>,
    #[serde(flatten)]
    permissions: Permissions,
}

async fn set_permissions(
    AxState(ctx): AxState<Ctx>,
    Json(body): Json<SetPermissions>,
) -> Result<Json<Value>, ApiError> {
    let mut st = ctx.lock()?;
    let key = body.public_key.as_deref().unwrap_or(DEMO_PUBLIC_KEY);
    let member = st
        .members
        .iter_mut()
        .find(|m| m.public_key == key)
        .ok_or_else(|| {
            ApiError::new(
                StatusCode::NOT_FOUND,
                "NotFound",
                format!("No member with public key {key}."),
            )
        })?;
    member.permissions = body.permissions;
    Ok(Json(
        json!({"id": member.id, "permissions": member.permissions}),
    ))
}

#[derive(Deserialize)]
struct Codebase {
    codebase: String,
}

async fn codebase(
    AxState(ctx): AxState<Ctx>,
    Json(body): Json<Codebase>,
) -> Result<Json<Value>, ApiError> {
    let mut st = ctx.lock()?;
    let mut cb = body.codebase.trim_matches('/').to_string();
    if cb.is_empty() || cb.contains('/') {
        return Err(ApiError::invalid("codebase must look like v2027_1/".into()));
    }
    cb.push('/');
    st.codebase = cb;
    Ok(Json(json!({ "codebase": st.codebase })))
}

async fn reset(AxState(ctx): AxState<Ctx>) -> Result<StatusCode, ApiError> {
    ctx.lock()?.reset();
    Ok(StatusCode::NO_CONTENT)
}
