//! The simulated Coro's test controls (under `/_sandbox/`, never logged, throttled or faulted).
//!
//! The basics: `GET|DELETE /_sandbox/requests` (the request log), `GET /_sandbox/state`,
//! `POST /_sandbox/usage` (`{workspaceId, service, count, enabled?}`), `POST /_sandbox/expire-tokens`,
//! `POST /_sandbox/token-lifetime` (`{seconds}`) and `POST /_sandbox/faults` (`{next}`: the next N
//! requests fail).
//!
//! Added for issue 9 (billing when Coro misbehaves):
//!
//! | method & path | effect |
//! |---|---|
//! | `POST /_sandbox/route-faults` `{"path", "kind", "next"?, "method"?, "workspaceId"?}` | requests whose path starts with `path` (and, with `workspaceId`, whose `Workspace` header is it) get a `200` cut in half (`kind: "truncate"`) or a 503 (`"unavailable"`): the next `next`, or all |
//! | `DELETE /_sandbox/route-faults` | disarms every route fault |
//! | `POST /_sandbox/module-statistics` `{"workspaceId", "service", "reported"}` | with `reported: false`, the (enabled) service is left out of the workspace's `moduleStatistics`, so its count must come from the workspace totals |
//! | `POST /_sandbox/workspace-status` `{"workspaceId", "status"}` | sets a child workspace's status (`ARCHIVED`, `INACTIVE`, `SUBSCRIPTION`, …), or with `"gone"` removes it: no longer listed, and its reads answer 404 |
//!
//! Issue 13 (the usage body is UNCONFIRMED, so each way it may come is served):
//!
//! | method & path | effect |
//! |---|---|
//! | `POST /_sandbox/usage-shape` `{"workspaceId"?, "shape"}` | `GET /v1/usage` for that workspace (without `workspaceId`: every workspace not set on its own) is answered as a page (`"page"`, the default), a bare array (`"array"`), the bare record (`"object"`), or JSON in a shape the client must refuse (`"malformed"`: counts under `usage`, no `moduleStatistics`) |
//! | `DELETE /_sandbox/usage-shape` | every workspace back to `"page"` |

use std::time::{Duration, Instant};

use axum::extract::State as AxState;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::json;

use super::reads::page_json;
use super::wire::{self, error_code, WorkspaceUsage};
use super::{api_error, App, Kind};
use crate::faults::ArmRequest;

pub(super) fn routes() -> Router<App> {
    Router::new()
        .route("/_sandbox/requests", get(requests).delete(clear_requests))
        .route("/_sandbox/state", get(state_view))
        .route("/_sandbox/usage", post(change_usage))
        .route("/_sandbox/expire-tokens", post(expire_tokens))
        .route("/_sandbox/token-lifetime", post(token_lifetime))
        .route("/_sandbox/faults", post(faults))
        .route(
            "/_sandbox/route-faults",
            post(arm_route_fault).delete(clear_route_faults),
        )
        .route("/_sandbox/workspace-status", post(workspace_status))
        .route("/_sandbox/module-statistics", post(module_statistics))
        .route(
            "/_sandbox/usage-shape",
            post(set_usage_shape).delete(clear_usage_shapes),
        )
}

/// How the simulated `GET /v1/usage` wraps its records (see `coro::shape::usage_record`, the
/// client's one reader of this UNCONFIRMED body).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum UsageShape {
    /// `{ "items": [records], "totalElements": N }`.
    #[default]
    Page,
    /// `[records]`.
    Array,
    /// The first record alone.
    Object,
    /// Valid JSON in a shape no reader should accept: counts under `usage`, no
    /// `moduleStatistics`. A lenient client would bill it from the workspace totals.
    Malformed,
}

/// The usage answer in `shape`.
pub(super) fn usage_answer(
    shape: UsageShape,
    items: Vec<WorkspaceUsage>,
    total: usize,
) -> Response {
    match shape {
        UsageShape::Page => page_json(items, total),
        UsageShape::Array => Json(items).into_response(),
        UsageShape::Object => match items.into_iter().next() {
            Some(first) => Json(first).into_response(),
            None => Json(json!({})).into_response(),
        },
        UsageShape::Malformed => {
            let records: Vec<_> = items
                .iter()
                .map(|r| {
                    json!({
                        "workspaceId": r.workspace_id,
                        "usage": {"users": r.protected_users, "devices": r.protected_devices},
                    })
                })
                .collect();
            Json(json!({"items": records, "totalElements": total})).into_response()
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ShapeChange {
    workspace_id: Option<String>,
    shape: UsageShape,
}

async fn set_usage_shape(AxState(app): AxState<App>, Json(change): Json<ShapeChange>) -> Response {
    let mut st = match app.lock() {
        Ok(st) => st,
        Err(res) => return res.into_response(),
    };
    if let Some(ws) = &change.workspace_id {
        if st.workspace(ws).is_none() {
            let msg = format!("unknown workspace {ws}");
            return api_error(StatusCode::BAD_REQUEST, error_code::BAD_REQUEST, &msg);
        }
    }
    st.usage_shapes.insert(change.workspace_id, change.shape);
    StatusCode::NO_CONTENT.into_response()
}

async fn clear_usage_shapes(AxState(app): AxState<App>) -> Response {
    match app.lock() {
        Ok(mut st) => {
            st.usage_shapes.clear();
            StatusCode::NO_CONTENT.into_response()
        }
        Err(res) => res.into_response(),
    }
}

async fn arm_route_fault(AxState(app): AxState<App>, Json(req): Json<ArmRequest>) -> Response {
    match req.fault(Some(wire::WORKSPACE_HEADER)) {
        Ok(fault) => {
            app.gate.route_faults.arm(fault);
            StatusCode::NO_CONTENT.into_response()
        }
        Err(msg) => api_error(StatusCode::BAD_REQUEST, error_code::BAD_REQUEST, &msg),
    }
}

async fn clear_route_faults(AxState(app): AxState<App>) -> StatusCode {
    app.gate.route_faults.clear();
    StatusCode::NO_CONTENT
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct StatusChange {
    workspace_id: String,
    /// A wire status (`ARCHIVED`, `INACTIVE`, …) or `gone`.
    status: String,
}

async fn workspace_status(
    AxState(app): AxState<App>,
    Json(change): Json<StatusChange>,
) -> Response {
    let mut st = match app.lock() {
        Ok(st) => st,
        Err(res) => return res.into_response(),
    };
    let bad = |msg: String| api_error(StatusCode::BAD_REQUEST, error_code::BAD_REQUEST, &msg);
    let Some(at) = st
        .workspaces
        .iter()
        .position(|w| w.id == change.workspace_id)
    else {
        return bad(format!("unknown workspace {}", change.workspace_id));
    };
    if st.workspaces[at].kind != Kind::Child {
        return bad(format!("{} is a channel", change.workspace_id));
    }
    let status = change.status.trim();
    if status.is_empty() {
        return bad("status is empty".into());
    }
    if status.eq_ignore_ascii_case("gone") {
        st.workspaces.remove(at);
        return StatusCode::NO_CONTENT.into_response();
    }
    st.workspaces[at].status = status.to_ascii_uppercase();
    Json(st.workspaces[at].clone()).into_response()
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Reported {
    workspace_id: String,
    service: String,
    reported: bool,
}

async fn module_statistics(AxState(app): AxState<App>, Json(r): Json<Reported>) -> Response {
    let mut st = match app.lock() {
        Ok(st) => st,
        Err(res) => return res.into_response(),
    };
    let counts = st
        .workspaces
        .iter_mut()
        .find(|w| w.id == r.workspace_id)
        .and_then(|w| w.services.get_mut(&r.service));
    match counts {
        Some(c) => {
            c.unreported = !r.reported;
            Json(c.clone()).into_response()
        }
        None => api_error(
            StatusCode::BAD_REQUEST,
            error_code::BAD_REQUEST,
            &format!("workspace {} has no service {}", r.workspace_id, r.service),
        ),
    }
}

async fn requests(AxState(app): AxState<App>) -> Response {
    Json(app.gate.requests()).into_response()
}

async fn clear_requests(AxState(app): AxState<App>) -> StatusCode {
    app.gate.clear_requests();
    StatusCode::NO_CONTENT
}

async fn state_view(AxState(app): AxState<App>) -> Response {
    let st = match app.lock() {
        Ok(st) => st,
        Err(res) => return res.into_response(),
    };
    Json(serde_json::json!({
        "channelId": st.channel_id,
        "clientId": st.client_id,
        "tokenLifetimeSecs": st.token_lifetime.as_secs_f64(),
        "liveTokens": st.tokens.values().filter(|exp| Instant::now() < **exp).count(),
        "workspaces": st.workspaces,
    }))
    .into_response()
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct UsageChange {
    workspace_id: String,
    service: String,
    count: u32,
    enabled: Option<bool>,
}

async fn change_usage(AxState(app): AxState<App>, Json(change): Json<UsageChange>) -> Response {
    let mut st = match app.lock() {
        Ok(st) => st,
        Err(res) => return res.into_response(),
    };
    match st.set_usage(
        &change.workspace_id,
        &change.service,
        change.count,
        change.enabled.unwrap_or(true),
    ) {
        Ok(()) => match st.workspace(&change.workspace_id) {
            Some(w) => Json(w.clone()).into_response(),
            None => StatusCode::NO_CONTENT.into_response(),
        },
        Err(msg) => api_error(StatusCode::BAD_REQUEST, error_code::BAD_REQUEST, &msg),
    }
}

async fn expire_tokens(AxState(app): AxState<App>) -> Response {
    match app.lock() {
        Ok(mut st) => {
            st.expire_tokens();
            StatusCode::NO_CONTENT.into_response()
        }
        Err(res) => res.into_response(),
    }
}

#[derive(Debug, Deserialize)]
struct Lifetime {
    seconds: f64,
}

async fn token_lifetime(AxState(app): AxState<App>, Json(l): Json<Lifetime>) -> Response {
    let Ok(lifetime) = Duration::try_from_secs_f64(l.seconds) else {
        return api_error(
            StatusCode::BAD_REQUEST,
            error_code::BAD_REQUEST,
            "seconds must be a non-negative number",
        );
    };
    match app.lock() {
        Ok(mut st) => {
            st.token_lifetime = lifetime;
            StatusCode::NO_CONTENT.into_response()
        }
        Err(res) => res.into_response(),
    }
}

#[derive(Debug, Deserialize)]
struct Faults {
    next: u32,
}

async fn faults(AxState(app): AxState<App>, Json(f): Json<Faults>) -> StatusCode {
    app.gate.force_faults(f.next);
    StatusCode::NO_CONTENT
}
