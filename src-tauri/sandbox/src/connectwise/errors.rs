//! Error responses in ConnectWise's `ErrorResponseMessage` shape (reference §7.1):
//! `{"code", "message", "errors": [{"code", "message", "resource", "field"}]}`; `errors` is left
//! out when there are none, like the 403 body the reference quotes.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::Json;
use serde_json::{json, Value};

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: Value,
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: json!({"code": code, "message": message.into()}),
        }
    }

    /// 400 for a malformed request (bad query parameter, bad conditions, bad PATCH document).
    pub fn invalid(message: String) -> ApiError {
        ApiError::new(StatusCode::BAD_REQUEST, "InvalidObject", message)
    }

    /// 400 `"<resource> object is invalid"` with one field error, as in the reference's example.
    pub fn field(resource: &str, code: &str, field: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status: StatusCode::BAD_REQUEST,
            body: json!({
                "code": "InvalidObject",
                "message": format!("{resource} object is invalid"),
                "errors": [{"code": code, "message": message.into(), "resource": resource, "field": field}]
            }),
        }
    }

    pub fn no_endpoint() -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "ConnectWiseApi",
            "The endpoint does not exist.",
        )
    }

    pub fn not_found(what: &str, id: i64) -> ApiError {
        ApiError::new(
            StatusCode::NOT_FOUND,
            "NotFound",
            format!("{what} with id {id} was not found."),
        )
    }

    /// The body the reference (§7.2) reports for a role without the needed permission.
    pub fn security() -> ApiError {
        ApiError::new(
            StatusCode::FORBIDDEN,
            "Security",
            "You do not have security permission to perform this action.",
        )
    }

    /// Lock poisoning and other "cannot happen" states.
    pub fn internal() -> ApiError {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            "ConnectWiseApi",
            "An undefined error has occurred.",
        )
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        (self.status, Json(self.body)).into_response()
    }
}
