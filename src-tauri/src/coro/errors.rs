//! What can go wrong talking to Coro: the internal send failure and the operator-facing
//! [`CoroError`] (no variant carries the client secret or a token).

use std::time::Duration;

use reqwest::StatusCode;

use super::wire::ErrorBody;
use crate::error::{ApiError, ErrorCode};

/// Why a send failed after retries (internal; turned into a [`CoroError`] with context).
pub(super) enum Failure {
    Status {
        status: StatusCode,
        /// Already scrubbed of the secret.
        body: String,
        trace_id: Option<String>,
        retry_after: Option<Duration>,
    },
    Transport(String),
}

/// `": <server text>"` from an error body (the [`ErrorBody`] text when it parses), or nothing.
pub(super) fn detail_suffix(body: &str) -> String {
    let text = serde_json::from_str::<ErrorBody>(body)
        .ok()
        .and_then(|b| b.describe())
        .unwrap_or_else(|| body.trim().to_string());
    let text: String = text.chars().take(300).collect();
    if text.is_empty() {
        String::new()
    } else {
        format!(": {text}")
    }
}

fn trace_suffix(trace_id: &Option<String>) -> String {
    trace_id
        .as_deref()
        .map(|t| format!(" (Coro trace id {t})"))
        .unwrap_or_default()
}

/// What can go wrong talking to Coro, worded for the operator. No variant carries the client
/// secret or a token.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CoroError {
    #[error("{0}")]
    InvalidSetup(String),
    #[error(
        "401 from Coro: check the client id and secret of the API credential \
         (Control Panel → Connectors → API Credentials)"
    )]
    Unauthorized,
    #[error(
        "Coro's token endpoint {detail}: check the region (us, ca or eu) of the API credential"
    )]
    WrongRegion { detail: String },
    #[error(
        "Coro answered {status} for the channel workspace {channel}: check the channel workspace \
         id (the workspace the API credential was created in)"
    )]
    UnknownChannel { channel: String, status: u16 },
    #[error(
        "workspace {channel} is a {kind} workspace, not a channel: enter the channel (parent) \
         workspace id"
    )]
    NotAChannel { channel: String, kind: String },
    #[error("Coro refused access to workspace {workspace} while {what} (403): the API credential's channel does not include it")]
    Forbidden { workspace: String, what: String },
    #[error("Coro does not know workspace {workspace} ({what}, 404): it may have been deleted")]
    NotFound { workspace: String, what: String },
    #[error(
        "Coro is rate limiting requests ({what}, 429 after retries): try again in a few minutes"
    )]
    RateLimited {
        what: String,
        retry_after_secs: Option<u64>,
    },
    #[error("Coro answered {status} while {what}{detail}{}", trace_suffix(.trace_id))]
    Remote {
        status: u16,
        what: String,
        detail: String,
        trace_id: Option<String>,
    },
    #[error("{0}")]
    Unreachable(String),
    #[error(
        "Coro sent an answer PSA Bridge cannot read ({what}: {detail}); {}",
        crate::error::DIAGNOSTICS_HINT
    )]
    Decode { what: String, detail: String },
    /// The usage answer is JSON but not in a shape [`super::shape::usage_record`] relies on: the
    /// workspace is skipped, never billed from a fallback total. Not retried (it is no glitch).
    #[error(
        "{}: {detail}; {}",
        super::shape::UNEXPECTED_USAGE_SHAPE,
        crate::error::DIAGNOSTICS_HINT
    )]
    UsageShape { workspace: String, detail: String },
    #[error("internal error while reading Coro: {0}")]
    Internal(String),
}

impl CoroError {
    pub(super) fn decode(what: &str, detail: &str) -> CoroError {
        CoroError::Decode {
            what: what.to_string(),
            detail: detail.chars().take(300).collect(),
        }
    }
}

impl From<CoroError> for ApiError {
    fn from(err: CoroError) -> Self {
        let code = match &err {
            CoroError::InvalidSetup(_)
            | CoroError::WrongRegion { .. }
            | CoroError::UnknownChannel { .. }
            | CoroError::NotAChannel { .. } => ErrorCode::InvalidInput,
            CoroError::Unauthorized => ErrorCode::Unauthorized,
            CoroError::Forbidden { .. } => ErrorCode::Forbidden,
            CoroError::NotFound { .. } => ErrorCode::NotFound,
            CoroError::Unreachable(_) => ErrorCode::Unreachable,
            CoroError::RateLimited { .. }
            | CoroError::Remote { .. }
            | CoroError::Decode { .. }
            | CoroError::UsageShape { .. } => ErrorCode::Remote,
            CoroError::Internal(_) => ErrorCode::Internal,
        };
        ApiError::new(code, err.to_string())
    }
}
