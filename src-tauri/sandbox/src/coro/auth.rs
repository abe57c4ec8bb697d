//! `POST /oauth/token` and the bearer check every `/v1` call makes.

use axum::body::Bytes;
use axum::extract::State as AxState;
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::Json;

use super::state::State;
use super::wire::{self, error_code, TokenRequest, TokenResponse};
use super::{oauth_error, App, Reject};

pub(super) async fn token(AxState(app): AxState<App>, headers: HeaderMap, body: Bytes) -> Response {
    let json_body = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.starts_with("application/json"));
    if !json_body {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Content-Type must be application/json",
        );
    }
    let Ok(req) = serde_json::from_slice::<TokenRequest>(&body) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "body must be a JSON token request",
        );
    };
    if req.grant_type.as_deref() != Some(wire::GRANT_TYPE) {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "grant_type must be client_credentials",
        );
    }
    let (Some(id), Some(secret)) = (req.client_id, req.client_secret) else {
        return oauth_error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "client_id and client_secret are required",
        );
    };
    // The OpenAPI sample omits `audience`, so only a wrong one is refused.
    if let Some(aud) = req.audience.as_deref() {
        if aud != app.audience {
            return oauth_error(
                StatusCode::FORBIDDEN,
                "access_denied",
                &format!("Service not found: {aud}"),
            );
        }
    }
    let mut st = match app.lock() {
        Ok(st) => st,
        Err(res) => return res.into_response(),
    };
    if id != st.client_id || secret != st.client_secret {
        return oauth_error(StatusCode::UNAUTHORIZED, "access_denied", "Unauthorized");
    }
    let access_token = st.issue_token();
    Json(TokenResponse {
        access_token: Some(access_token),
        token_type: Some("Bearer".to_string()),
        expires_in: Some(st.token_lifetime.as_secs()),
    })
    .into_response()
}

/// Checks the bearer token and the `Workspace` header; returns the workspace id.
pub(super) fn authorize(st: &State, headers: &HeaderMap) -> Result<String, Reject> {
    let token = headers
        .get(wire::AUTH_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim);
    if !token.is_some_and(|t| st.token_valid(t)) {
        return Err(Reject::new(
            StatusCode::UNAUTHORIZED,
            error_code::UNAUTHORIZED,
            "missing, invalid or expired bearer token",
        ));
    }
    let ws = headers
        .get(wire::WORKSPACE_HEADER)
        .and_then(|v| v.to_str().ok())
        .map(str::trim)
        .filter(|v| !v.is_empty());
    let Some(ws) = ws else {
        return Err(Reject::new(
            StatusCode::BAD_REQUEST,
            error_code::BAD_REQUEST,
            "the Workspace header is required",
        ));
    };
    if st.workspace(ws).is_none() {
        return Err(Reject::new(
            StatusCode::NOT_FOUND,
            error_code::NOT_FOUND,
            format!("workspace {ws} not found"),
        ));
    }
    if !st.in_tree(ws) {
        return Err(Reject::new(
            StatusCode::FORBIDDEN,
            error_code::FORBIDDEN,
            format!("workspace {ws} is not accessible with this credential"),
        ));
    }
    Ok(ws.to_string())
}
