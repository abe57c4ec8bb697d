//! The Coro wire contract: paths, headers, paging, DTOs and the helpers that read them.
//!
//! This module is the one place for every Coro fact, confirmed or not: here auth, paths, paging
//! and errors; workspaces in `workspaces.rs`; services, usage, devices and users in `services.rs`
//! (all re-exported here, so every fact is `wire::…`). The reference is
//! `shared/reference/coro.md`. Anything it marks UNCONFIRMED has exactly one item here whose doc
//! comment starts its second paragraph with "UNCONFIRMED:", so a correction found against a real
//! tenant is a one-line change. The simulated Coro (crate `psa-bridge-sandbox`) has its own
//! reading of the reference and shares nothing with this module: the contract fixtures in
//! `src-tauri/contract/coro` are what both must agree on (`contract_tests.rs` on each side).
//!
//! DTOs follow the house rule for vendor types: camelCase on the wire, every vendor field an
//! `Option`, unknown fields ignored (serde's default). Readers that must guess a shape
//! ([`parse_list`], [`ModuleState`], [`ChildRef`]) accept every plausible form, so a wrong guess
//! degrades to "still works" instead of "fails to parse".

use std::time::Duration;

use chrono::{DateTime, Utc};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::secrets::Sensitive;

// ---------------------------------------------------------------------------------------------
// Hosts, auth and headers (coro.md §1)
// ---------------------------------------------------------------------------------------------

/// Region code → API base URL (coro.md §1.1). Confirmed by the multi-region docs.
pub const REGIONS: &[(&str, &str)] = &[
    ("us", "https://api.secure.coro.net"),
    ("ca", "https://api.secure-ca.coro.net"),
    ("eu", "https://api.secure-eu.coro.net"),
];

/// The API base URL of a region code (`us`, `ca`, `eu`; case-insensitive).
pub fn region_base_url(region: &str) -> Option<&'static str> {
    let region = region.trim();
    REGIONS
        .iter()
        .find(|(code, _)| code.eq_ignore_ascii_case(region))
        .map(|(_, url)| *url)
}

/// The base URL for a connection's "region": a region code, or a full `http(s)://` URL (the
/// sandbox and the docs' mock server are reached that way). Trailing slashes are removed so
/// paths can be appended.
pub fn resolve_base_url(region_or_url: &str) -> Option<String> {
    let s = region_or_url.trim();
    if s.starts_with("http://") || s.starts_with("https://") {
        return Some(s.trim_end_matches('/').to_string());
    }
    region_base_url(s).map(str::to_string)
}

/// Token endpoint, appended to the base URL without the `/v1` prefix (coro.md §1.3; the docs'
/// `/oath/token` is a typo).
pub const TOKEN_PATH: &str = "/oauth/token";

/// The only grant Coro offers (coro.md §1.3).
pub const GRANT_TYPE: &str = "client_credentials";

/// Documented token lifetime, used when a response omits `expires_in` (coro.md §1.3: 24 h).
pub const TOKEN_LIFETIME_SECS: u64 = 86_400;

/// Renew a cached token this long before it expires (coro.md §6 step 1: five minutes), so a
/// long sync never starts a request with a token about to lapse.
pub const TOKEN_REFRESH_MARGIN_SECS: u64 = 300;

/// The `audience` sent in the token request for a base URL (coro.md §1.3).
///
/// UNCONFIRMED: the docs show three different values; we send the regional API base URL without
/// a trailing slash (what a working community script sends). Keep it overridable per connection.
pub fn audience(base_url: &str) -> String {
    base_url.trim().trim_end_matches('/').to_string()
}

/// Body of `POST {base}/oauth/token` (coro.md §1.3). OAuth spells these in snake_case. The
/// secret is [`Sensitive`]: `Debug` shows `***`, and it is zeroed when the request is dropped.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenRequest {
    pub client_id: Option<String>,
    #[serde(serialize_with = "crate::secrets::serialize_exposed")]
    pub client_secret: Option<Sensitive<String>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub audience: Option<String>,
    pub grant_type: Option<String>,
}

impl TokenRequest {
    /// A client-credentials request for `base_url` with the [`audience`] we assume.
    pub fn new(client_id: &str, client_secret: &str, base_url: &str) -> Self {
        TokenRequest {
            client_id: Some(client_id.to_string()),
            client_secret: Some(Sensitive::new(client_secret.to_string())),
            audience: Some(audience(base_url)),
            grant_type: Some(GRANT_TYPE.to_string()),
        }
    }
}

/// Success body of the token endpoint (coro.md §1.3: `{access_token, token_type, expires_in}`).
/// The token is [`Sensitive`] like the secret it was exchanged for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenResponse {
    #[serde(serialize_with = "crate::secrets::serialize_exposed")]
    pub access_token: Option<Sensitive<String>>,
    pub token_type: Option<String>,
    pub expires_in: Option<u64>,
}

impl TokenResponse {
    /// Lifetime in seconds, falling back to the documented 24 h.
    pub fn lifetime_secs(&self) -> u64 {
        self.expires_in.unwrap_or(TOKEN_LIFETIME_SECS)
    }
}

/// Auth header on every `/v1` call (coro.md §1.4; the primary samples spell it `Authorization`).
pub const AUTH_HEADER: &str = "Authorization";

/// The `Authorization` value for a token.
pub fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// Header naming the workspace a `/v1` call is scoped to; required on every call (coro.md §1.4).
///
/// UNCONFIRMED: that a channel credential may put a *descendant* workspace id here (coro.md §0
/// and §7 q1). The sandbox allows any workspace in the channel's tree and answers 403 outside it.
pub const WORKSPACE_HEADER: &str = "Workspace";

/// Support trace id on responses; log it with failures (coro.md §1.3).
pub const TRACE_ID_HEADER: &str = "X-Coro-Trace-Id";

// ---------------------------------------------------------------------------------------------
// Paths and paging (coro.md §1.5, §2.1, §2.7)
// ---------------------------------------------------------------------------------------------

/// The workspace in the header (coro.md §2.1); read with [`parse_list`] because whether it
/// returns one object or a list is UNCONFIRMED. The sandbox returns one [`Workspace`].
pub const WORKSPACES_PATH: &str = "/v1/workspaces";

/// Child workspaces of the channel in the header, paged (coro.md §2.1, since 3.4 / 3.8.3).
///
/// UNCONFIRMED: the query parameters (we send only [`PAGE_PARAM`] and [`PAGE_SIZE_PARAM`]), the
/// response shape (we assume `WorkspacePageResponse` = [`Page<Workspace>`]), and that it lists
/// *direct* children only, sub-channels included (so the client walks `type == channel` entries
/// itself). Clients de-duplicate by id, so an API that returns all descendants works too.
/// Archived children are listed with status [`WorkspaceStatus::Archived`] (see [`is_archived`]).
pub const WORKSPACES_SEARCH_PATH: &str = "/v1/workspaces/search";

/// Enabled modules, add-ons and bundles of the workspace in the header (coro.md §2.3).
pub const SUBSCRIPTIONS_PATH: &str = "/v1/subscriptions";

/// Usage snapshot of the workspace in the header (coro.md §2.6); see [`WorkspaceUsage`].
pub const USAGE_PATH: &str = "/v1/usage";

/// Protected devices, paged (coro.md §2.4).
pub const DEVICES_PATH: &str = "/v1/devices";

/// Protected users, paged (coro.md §2.5).
pub const USERS_PATH: &str = "/v1/users";

/// Zero-based page number query parameter (coro.md §2.7).
pub const PAGE_PARAM: &str = "page";

/// Page size query parameter (coro.md §2.7).
///
/// UNCONFIRMED: `size` or `pageSize`. We chose `size`: `page` + `size` + `totalElements` is the
/// Spring Data convention the rest of the API follows.
pub const PAGE_SIZE_PARAM: &str = "size";

/// Page size used when none is sent (coro.md §2.7: portal users default to 20 per page).
pub const DEFAULT_PAGE_SIZE: u32 = 20;

/// The page size the client asks for and the most the sandbox returns.
///
/// UNCONFIRMED: Coro publishes no maximum. 100 is modest enough that a server cap below it only
/// costs extra pages (clients stop on an empty page or on `totalElements`, never on a short page).
pub const MAX_PAGE_SIZE: u32 = 100;

/// Query pairs for one page of a paged list.
pub fn page_query(page: u32, size: u32) -> [(&'static str, String); 2] {
    [
        (PAGE_PARAM, page.to_string()),
        (PAGE_SIZE_PARAM, size.to_string()),
    ]
}

/// A paged list (coro.md §2.7: `{ "items": [...], "totalElements": N }`).
///
/// `items` defaults to empty rather than being an `Option`: a missing list and an empty one both
/// mean "stop reading".
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    #[serde(default = "Vec::new")]
    pub items: Vec<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_elements: Option<u64>,
}

/// Whether to fetch another page after one that returned `page_items` items, with `read_so_far`
/// items read in total (coro.md §2.7: read until `items` is empty or the count reaches
/// `totalElements`). A short page is not a stop signal: the server may cap the size silently.
pub fn has_more(page_items: usize, read_so_far: u64, total: Option<u64>) -> bool {
    page_items > 0 && total.is_none_or(|t| read_so_far < t)
}

/// Reads a body that may be a [`Page`], a bare array or a single object into its items and
/// `totalElements` (when paged). Used where one-object-or-list is UNCONFIRMED: `GET /workspaces`
/// (coro.md §2.1) and `GET /usage` (§2.6).
pub fn parse_list<T: DeserializeOwned>(
    value: serde_json::Value,
) -> Result<(Vec<T>, Option<u64>), serde_json::Error> {
    match value {
        serde_json::Value::Array(_) => Ok((serde_json::from_value(value)?, None)),
        serde_json::Value::Object(ref map) if map.get("items").is_some_and(|i| i.is_array()) => {
            let page: Page<T> = serde_json::from_value(value)?;
            Ok((page.items, page.total_elements))
        }
        other => Ok((vec![serde_json::from_value(other)?], None)),
    }
}

// ---------------------------------------------------------------------------------------------
// Errors and rate limits (coro.md §2.7)
// ---------------------------------------------------------------------------------------------

/// A non-2xx body.
///
/// UNCONFIRMED: the schema. We assume `{ "code", "message", "errors"? }` on `/v1` calls (the
/// sandbox's shared gate already answers 429/503 that way) and the OAuth form
/// `{ "error", "error_description" }` on the token endpoint. One struct reads both.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub errors: Option<Vec<serde_json::Value>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(rename = "error_description", skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
}

impl ErrorBody {
    /// The `/v1` form.
    pub fn api(code: &str, message: &str) -> Self {
        ErrorBody {
            code: Some(code.to_string()),
            message: Some(message.to_string()),
            ..ErrorBody::default()
        }
    }

    /// The OAuth form used by the token endpoint.
    pub fn oauth(error: &str, description: &str) -> Self {
        ErrorBody {
            error: Some(error.to_string()),
            error_description: Some(description.to_string()),
            ..ErrorBody::default()
        }
    }

    /// The most specific human-readable text the body carries.
    pub fn describe(&self) -> Option<String> {
        self.message
            .clone()
            .or_else(|| self.error_description.clone())
            .or_else(|| self.code.clone())
            .or_else(|| self.error.clone())
    }
}

/// `code` values the sandbox uses in [`ErrorBody::api`] (429 and 503 come from the shared gate
/// as `TooManyRequests` / `ServiceUnavailable`).
pub mod error_code {
    pub const BAD_REQUEST: &str = "BadRequest";
    pub const UNAUTHORIZED: &str = "Unauthorized";
    pub const FORBIDDEN: &str = "Forbidden";
    pub const NOT_FOUND: &str = "NotFound";
    pub const TOO_MANY_REQUESTS: &str = "TooManyRequests";
    pub const INTERNAL: &str = "InternalError";
}

/// Header telling a throttled client how long to wait (coro.md §2.7).
///
/// UNCONFIRMED: that Coro sends it on 429 at all; when absent, clients back off exponentially.
pub const RETRY_AFTER_HEADER: &str = "Retry-After";

/// The wait a `Retry-After` value asks for: delta-seconds, or an HTTP date relative to `now`
/// (a date in the past means "now"). `None` when the value is neither.
pub fn retry_after(value: &str, now: DateTime<Utc>) -> Option<Duration> {
    let value = value.trim();
    if let Ok(secs) = value.parse::<u64>() {
        return Some(Duration::from_secs(secs));
    }
    let at = DateTime::parse_from_rfc2822(value).ok()?;
    let wait = at.with_timezone(&Utc) - now;
    Some(wait.to_std().unwrap_or(Duration::ZERO))
}

mod services;
mod workspaces;

pub use services::*;
pub use workspaces::*;

#[cfg(test)]
mod tests;
