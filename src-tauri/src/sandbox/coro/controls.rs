//! Test controls added for issue 9 (billing when Coro misbehaves), beside the ones in the parent
//! module:
//!
//! | method & path | effect |
//! |---|---|
//! | `POST /_sandbox/route-faults` `{"path", "kind", "next"?, "method"?, "workspaceId"?}` | requests whose path starts with `path` (and, with `workspaceId`, whose `Workspace` header is it) get a `200` cut in half (`kind: "truncate"`) or a 503 (`"unavailable"`): the next `next`, or all |
//! | `DELETE /_sandbox/route-faults` | disarms every route fault |
//! | `POST /_sandbox/module-statistics` `{"workspaceId", "service", "reported"}` | with `reported: false`, the (enabled) service is left out of the workspace's `moduleStatistics`, so its count must come from the workspace totals |
//! | `POST /_sandbox/workspace-status` `{"workspaceId", "status"}` | sets a child workspace's status (`ARCHIVED`, `INACTIVE`, `SUBSCRIPTION`, …), or with `"gone"` removes it: no longer listed, and its reads answer 404 |

use axum::extract::State as AxState;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use serde::Deserialize;

use super::{api_error, App, Kind};
use crate::coro::wire::{self, error_code};
use crate::sandbox::faults::ArmRequest;

pub(super) fn routes() -> Router<App> {
    Router::new()
        .route(
            "/_sandbox/route-faults",
            post(arm_route_fault).delete(clear_route_faults),
        )
        .route("/_sandbox/workspace-status", post(workspace_status))
        .route("/_sandbox/module-statistics", post(module_statistics))
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
