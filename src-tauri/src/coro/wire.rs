//! The Coro wire contract: paths, headers, paging, DTOs and the helpers that read them.
//!
//! This is the one place for every Coro fact, confirmed or not. The reference is
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

use std::collections::{BTreeMap, BTreeSet};
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

// ---------------------------------------------------------------------------------------------
// Workspaces (coro.md §2.2, §4.2)
// ---------------------------------------------------------------------------------------------

/// A workspace as `GET /workspaces` and `/workspaces/search` return it (coro.md §2.2).
///
/// Use [`Workspace::name`] for display and PSA matching: `displayName` is capped at 30 characters
/// in the console, so `companyName` is the full name.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Workspace {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub company_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub display_name: Option<String>,
    /// `regular` | `channel` | `child`; read with [`Workspace::kind`].
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub workspace_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_workspace_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub children: Option<Vec<ChildRef>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protected_devices: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub max_protected_users: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub notifications_level: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub main_admin_email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub admin_emails: Option<Vec<String>>,
    /// Epoch milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_admin_login_time: Option<i64>,
    /// Epoch milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workspace_creation_time: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workspace_creation_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limited: Option<bool>,
    /// Lifecycle status; read with [`Workspace::status`].
    ///
    /// UNCONFIRMED: coro.md §2.2 shows no status field. We assume `status` carrying the console's
    /// statuses in UPPER_SNAKE ([`WorkspaceStatus::as_wire`]); `workspaceStatus` is accepted too.
    #[serde(alias = "workspaceStatus", skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// A second archive signal, honoured if present.
    ///
    /// UNCONFIRMED: no such field is documented; the sandbox never sends it.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub archived: Option<bool>,
}

impl Workspace {
    /// The name to show and to match PSA companies on: `companyName`, else `displayName`, else id.
    pub fn name(&self) -> Option<&str> {
        self.company_name
            .as_deref()
            .or(self.display_name.as_deref())
            .or(self.id.as_deref())
    }

    pub fn kind(&self) -> Option<WorkspaceType> {
        self.workspace_type.as_deref().map(WorkspaceType::parse)
    }

    /// `None` when the response carries no status at all.
    pub fn status(&self) -> Option<WorkspaceStatus> {
        self.status.as_deref().map(WorkspaceStatus::parse)
    }

    /// Ids from the `children` array, whichever form it takes.
    pub fn child_ids(&self) -> Vec<&str> {
        self.children
            .iter()
            .flatten()
            .filter_map(ChildRef::id)
            .collect()
    }
}

/// One entry of a workspace's `children` array.
///
/// UNCONFIRMED: coro.md §2.2 says an array of child ids; objects with an `id` are accepted too.
/// The sandbox sends plain ids.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ChildRef {
    Id(String),
    Object { id: Option<String> },
}

impl ChildRef {
    pub fn id(&self) -> Option<&str> {
        match self {
            ChildRef::Id(id) => Some(id),
            ChildRef::Object { id } => id.as_deref(),
        }
    }
}

/// Workspace types (coro.md §2.2, §4.2).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkspaceType {
    Regular,
    Channel,
    Child,
    Unknown(String),
}

impl WorkspaceType {
    pub fn parse(s: &str) -> Self {
        match s.trim().to_ascii_lowercase().as_str() {
            "regular" => WorkspaceType::Regular,
            "channel" => WorkspaceType::Channel,
            "child" => WorkspaceType::Child,
            _ => WorkspaceType::Unknown(s.to_string()),
        }
    }

    pub fn as_wire(&self) -> &str {
        match self {
            WorkspaceType::Regular => "regular",
            WorkspaceType::Channel => "channel",
            WorkspaceType::Child => "child",
            WorkspaceType::Unknown(s) => s,
        }
    }
}

/// The console's lifecycle statuses (coro.md §4.2: New → Trial → Subscription → Inactive →
/// Archived).
///
/// UNCONFIRMED: the wire spelling. We send UPPER_SNAKE (like `bundleInfo` and `osType`) and parse
/// any case; `ACTIVE` is read as `Subscription` in case the API names it that way.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum WorkspaceStatus {
    New,
    Trial,
    Subscription,
    Inactive,
    Archived,
    Unknown(String),
}

impl WorkspaceStatus {
    pub fn parse(s: &str) -> Self {
        let norm: String = s
            .chars()
            .filter(|c| c.is_ascii_alphanumeric())
            .collect::<String>()
            .to_ascii_lowercase();
        match norm.as_str() {
            "new" => WorkspaceStatus::New,
            "trial" => WorkspaceStatus::Trial,
            "subscription" | "subscribed" | "active" => WorkspaceStatus::Subscription,
            "inactive" => WorkspaceStatus::Inactive,
            "archived" => WorkspaceStatus::Archived,
            _ => WorkspaceStatus::Unknown(s.to_string()),
        }
    }

    pub fn as_wire(&self) -> &str {
        match self {
            WorkspaceStatus::New => "NEW",
            WorkspaceStatus::Trial => "TRIAL",
            WorkspaceStatus::Subscription => "SUBSCRIPTION",
            WorkspaceStatus::Inactive => "INACTIVE",
            WorkspaceStatus::Archived => "ARCHIVED",
            WorkspaceStatus::Unknown(s) => s,
        }
    }
}

/// Whether a workspace is archived (coro.md §2.1, §4.2).
///
/// UNCONFIRMED: how archived workspaces are recognised. We read `status == ARCHIVED` or
/// `archived == true`; the docs also say archived ones drop out of MSP lists, which needs nothing.
pub fn is_archived(ws: &Workspace) -> bool {
    ws.archived == Some(true) || ws.status() == Some(WorkspaceStatus::Archived)
}

/// Whether usage of a workspace should be billed (coro.md §4.2 "App rule").
///
/// Channels are containers and never billed. Subscription is billed, Trial only when asked, New,
/// Inactive and Archived never. With no status field at all the workspace is billed, because the
/// field itself is UNCONFIRMED (see [`Workspace::status`]); an unrecognised status is not, so a
/// new lifecycle state never starts billing silently.
pub fn is_billable(ws: &Workspace, include_trial: bool) -> bool {
    if ws.kind() == Some(WorkspaceType::Channel) || ws.archived == Some(true) {
        return false;
    }
    match ws.status() {
        None | Some(WorkspaceStatus::Subscription) => true,
        Some(WorkspaceStatus::Trial) => include_trial,
        Some(_) => false,
    }
}

// ---------------------------------------------------------------------------------------------
// Services: subscriptions and usage (coro.md §2.3, §2.6, §3)
// ---------------------------------------------------------------------------------------------

/// The canonical form of a service (module, add-on) or bundle key: camelCase.
///
/// UNCONFIRMED: how service keys are spelt. We assume camelCase keys like `endpointSecurity`,
/// `edr`, `secureMessages` (the sandbox's `seed::SERVICES`), the same keys in `/subscriptions`
/// `modules` and `/usage` `moduleStatistics`. Bundles come in UPPER_SNAKE and camelCase (§2.3),
/// so every key read from the wire goes through this: `ENDPOINT_SECURITY`, `endpoint-security`
/// and `endpointSecurity` all become `endpointSecurity`, `EDR` becomes `edr`.
pub fn normalize_key(raw: &str) -> String {
    let raw = raw.trim();
    let separated = raw.contains(['_', '-', ' ']);
    let shouting = raw.chars().any(|c| c.is_ascii_alphabetic())
        && !raw.chars().any(|c| c.is_ascii_lowercase());
    if !separated && !shouting {
        // Already camelCase (or lower): only the first letter may need lowering.
        let mut chars = raw.chars();
        return match chars.next() {
            Some(first) => first.to_ascii_lowercase().to_string() + chars.as_str(),
            None => String::new(),
        };
    }
    let mut out = String::new();
    for (i, part) in raw
        .split(['_', '-', ' '])
        .filter(|p| !p.is_empty())
        .enumerate()
    {
        let lower = part.to_ascii_lowercase();
        if i == 0 {
            out.push_str(&lower);
        } else {
            let mut chars = lower.chars();
            if let Some(first) = chars.next() {
                out.push(first.to_ascii_uppercase());
                out.push_str(chars.as_str());
            }
        }
    }
    out
}

/// `GET /subscriptions` body (coro.md §2.3).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    /// Module and add-on key → state; read with [`Subscription::enabled_services`].
    ///
    /// UNCONFIRMED: the keys and values of `SubscriptionModules`. We assume one entry per module
    /// and per add-on, flat, keyed as in [`normalize_key`], valued `{ "enabled": bool }`. Bare
    /// booleans and add-ons nested under their module (`addons`) are read as well.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modules: Option<BTreeMap<String, ModuleState>>,
    /// Bundle names in either spelling; compare after [`normalize_key`].
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bundles: Option<Vec<String>>,
}

impl Subscription {
    /// Canonical keys of every enabled module and add-on.
    pub fn enabled_services(&self) -> BTreeSet<String> {
        let mut out = BTreeSet::new();
        if let Some(modules) = &self.modules {
            collect_enabled(modules, &mut out);
        }
        out
    }
}

fn collect_enabled(modules: &BTreeMap<String, ModuleState>, out: &mut BTreeSet<String>) {
    for (key, state) in modules {
        if state.enabled() {
            out.insert(normalize_key(key));
        }
        if let ModuleState::Detail {
            addons: Some(addons),
            ..
        } = state
        {
            collect_enabled(addons, out);
        }
    }
}

/// One entry of `modules` (see [`Subscription::modules`] for the assumption).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ModuleState {
    Flag(bool),
    Detail {
        /// `active` is accepted as a spelling of the same flag.
        #[serde(alias = "active", skip_serializing_if = "Option::is_none")]
        enabled: Option<bool>,
        #[serde(skip_serializing_if = "Option::is_none")]
        addons: Option<BTreeMap<String, ModuleState>>,
    },
}

impl ModuleState {
    pub fn enabled_flag(enabled: bool) -> Self {
        ModuleState::Detail {
            enabled: Some(enabled),
            addons: None,
        }
    }

    /// A missing flag counts as disabled: billing something not switched on is the worse error.
    pub fn enabled(&self) -> bool {
        match self {
            ModuleState::Flag(b) => *b,
            ModuleState::Detail { enabled, .. } => enabled.unwrap_or(false),
        }
    }
}

/// One usage record: what `GET /usage` returns for a workspace (coro.md §2.6).
///
/// UNCONFIRMED: the whole shape. We assume a [`Page`] of these (the changelog calls `/usage`
/// paginated): one record when the header names a child workspace, one per descendant child
/// when it names a channel. Read the body with [`parse_list`], which also takes a bare object.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceUsage {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workspace_id: Option<String>,
    /// Workspace-wide protected users.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protected_users: Option<u64>,
    /// Workspace-wide protected devices.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protected_devices: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub demo_mode_enabled: Option<bool>,
    /// Epoch ms or ISO date; kept raw because its type is undocumented.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub demo_mode_end_date: Option<serde_json::Value>,
    /// Per-service counts.
    ///
    /// UNCONFIRMED: that counts are per module. We assume a map from service key (module or
    /// add-on, see [`normalize_key`]) to [`ModuleStatistics`], holding only active services.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub module_statistics: Option<BTreeMap<String, ModuleStatistics>>,
}

impl WorkspaceUsage {
    /// `moduleStatistics` keyed by canonical service key.
    pub fn module_counts(&self) -> BTreeMap<String, ModuleStatistics> {
        self.module_statistics
            .iter()
            .flatten()
            .map(|(k, v)| (normalize_key(k), v.clone()))
            .collect()
    }
}

/// Counts for one service (see [`WorkspaceUsage::module_statistics`]).
///
/// UNCONFIRMED: the field names. Coro reports both units and the PSA mapping picks one
/// (coro.md §3 "Units").
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModuleStatistics {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protected_users: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protected_devices: Option<u64>,
    /// Licensed devices where the API distinguishes them (devices can be `UNLICENSED` since
    /// 3.8.3); preferred over `protectedDevices` for billing.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub licensed_devices: Option<u64>,
}

impl ModuleStatistics {
    /// The billable quantity in the mapping's unit.
    pub fn quantity(&self, per_device: bool) -> Option<u64> {
        if per_device {
            self.licensed_devices.or(self.protected_devices)
        } else {
            self.protected_users
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Devices and users (coro.md §2.4, §2.5)
// ---------------------------------------------------------------------------------------------

/// A protected device (coro.md §2.4, fields from a real response).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Device {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub enrollment_code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device_model: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub hostname: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub os_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub app_version: Option<String>,
    /// Epoch milliseconds.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub activation_time: Option<i64>,
    /// License state; read with [`Device::is_licensed`].
    ///
    /// UNCONFIRMED: the field name (api-evangelist says `deviceProtectionStatus`) and its values:
    /// we assume [`DEVICE_LICENSED`] / [`DEVICE_UNLICENSED`].
    #[serde(
        rename = "deviceProtectionStatus",
        skip_serializing_if = "Option::is_none"
    )]
    pub license_status: Option<String>,
}

/// License value of a licensed device (UNCONFIRMED, see [`Device::license_status`]).
pub const DEVICE_LICENSED: &str = "LICENSED";
/// License value after `DELETE /devices/{code}/license` (coro.md §2.1: `UNLICENSED`).
pub const DEVICE_UNLICENSED: &str = "UNLICENSED";

impl Device {
    /// Devices without a license field count as licensed (the field predates nothing we rely on).
    pub fn is_licensed(&self) -> bool {
        !self
            .license_status
            .as_deref()
            .is_some_and(|s| s.trim().eq_ignore_ascii_case(DEVICE_UNLICENSED))
    }
}

/// A protected user (coro.md §2.5). Only counted via `totalElements`, so few fields.
///
/// UNCONFIRMED: the field names beyond `id`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProtectedUser {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn regions_and_urls() {
        assert_eq!(region_base_url("US"), Some("https://api.secure.coro.net"));
        assert_eq!(
            region_base_url("eu"),
            Some("https://api.secure-eu.coro.net")
        );
        assert_eq!(region_base_url("mars"), None);
        assert_eq!(
            resolve_base_url("http://127.0.0.1:9000/").as_deref(),
            Some("http://127.0.0.1:9000")
        );
        assert_eq!(
            resolve_base_url("ca").as_deref(),
            Some("https://api.secure-ca.coro.net")
        );
        assert_eq!(
            audience("https://api.secure.coro.net/"),
            "https://api.secure.coro.net"
        );
    }

    #[test]
    fn token_round_trip() {
        let req = TokenRequest::new("id", "secret", "https://api.secure.coro.net");
        let v = serde_json::to_value(&req).unwrap();
        assert_eq!(
            v,
            json!({"client_id": "id", "client_secret": "secret",
                   "audience": "https://api.secure.coro.net", "grant_type": "client_credentials"})
        );
        let resp: TokenResponse = serde_json::from_value(
            json!({"access_token": "eyJ", "token_type": "Bearer", "expires_in": 86400, "scope": ""}),
        )
        .unwrap();
        assert_eq!(
            resp.access_token.as_ref().map(|t| t.expose().as_str()),
            Some("eyJ")
        );
        // Neither the secret nor the token shows in Debug (logs, errors).
        let shown = format!("{req:?} {resp:?}");
        assert!(
            !shown.contains("secret\"") && !shown.contains("eyJ"),
            "{shown}"
        );
        assert_eq!(resp.lifetime_secs(), 86_400);
        let bare: TokenResponse = serde_json::from_value(json!({"access_token": "x"})).unwrap();
        assert_eq!(bare.lifetime_secs(), TOKEN_LIFETIME_SECS);
    }

    /// The create-workspace response sample of coro.md §2.2, with an unknown field added.
    #[test]
    fn workspace_sample_parses() {
        let sample = json!({
            "id": "corodevonmicrosoftcom_TX7T_u", "companyName": "Coro Dev",
            "displayName": "Coro Dev", "type": "child", "domain": "corodev.onmicrosoft.com",
            "maxProtectedUsers": 50, "notificationsLevel": "parent",
            "parentWorkspaceId": "exampleWS_92NB_b", "children": [], "protectedDevices": 12,
            "mainAdminEmail": "a@corodev.com", "adminEmails": ["a@corodev.com"],
            "pendingAdminEmails": [], "lastAdminLoginTime": 1_700_000_000_000i64,
            "workspaceCreationTime": 1_690_000_000_000i64, "workspaceCreationType": "direct",
            "overCapacityAllowance": 10, "maxDevicesLimit": 100, "limited": false,
            "somethingNew": {"x": 1}
        });
        let ws: Workspace = serde_json::from_value(sample).unwrap();
        assert_eq!(ws.name(), Some("Coro Dev"));
        assert_eq!(ws.kind(), Some(WorkspaceType::Child));
        assert_eq!(ws.protected_devices, Some(12));
        assert_eq!(ws.status(), None);
        assert!(is_billable(&ws, false));
        let back: Workspace = serde_json::from_value(serde_json::to_value(&ws).unwrap()).unwrap();
        assert_eq!(back, ws);
    }

    #[test]
    fn status_and_billing_rules() {
        let ws = |status: &str, kind: &str| Workspace {
            status: Some(status.into()),
            workspace_type: Some(kind.into()),
            ..Workspace::default()
        };
        assert!(is_archived(&ws("ARCHIVED", "child")));
        assert!(is_archived(&ws("archived", "child")));
        assert!(!is_billable(&ws("ARCHIVED", "child"), true));
        assert!(is_billable(&ws("SUBSCRIPTION", "child"), false));
        assert!(!is_billable(&ws("SUBSCRIPTION", "channel"), false));
        assert!(!is_billable(&ws("TRIAL", "child"), false));
        assert!(is_billable(&ws("Trial", "child"), true));
        assert!(!is_billable(&ws("SUSPENDED", "child"), true));
        let alias: Workspace =
            serde_json::from_value(json!({"workspaceStatus": "ARCHIVED"})).unwrap();
        assert!(is_archived(&alias));
        assert_eq!(WorkspaceStatus::parse("ARCHIVED").as_wire(), "ARCHIVED");
    }

    #[test]
    fn children_in_either_form() {
        let ws: Workspace =
            serde_json::from_value(json!({"children": ["a_1", {"id": "b_2"}, {"name": "x"}]}))
                .unwrap();
        assert_eq!(ws.child_ids(), vec!["a_1", "b_2"]);
    }

    #[test]
    fn paging_helpers() {
        let page: Page<Workspace> =
            serde_json::from_value(json!({"items": [{"id": "a"}], "totalElements": 3})).unwrap();
        assert_eq!(page.items.len(), 1);
        assert!(has_more(1, 1, page.total_elements));
        assert!(!has_more(1, 3, Some(3)));
        assert!(!has_more(0, 1, Some(3)));
        assert!(has_more(5, 5, None));
        assert_eq!(page_query(2, 50)[1], ("size", "50".to_string()));
        let empty: Page<Device> = serde_json::from_value(json!({"totalElements": 0})).unwrap();
        assert!(empty.items.is_empty());
    }

    #[test]
    fn parse_list_accepts_page_array_and_object() {
        let (items, total) =
            parse_list::<Workspace>(json!({"items": [{"id": "a"}], "totalElements": 1})).unwrap();
        assert_eq!((items.len(), total), (1, Some(1)));
        let (items, total) = parse_list::<Workspace>(json!([{"id": "a"}, {"id": "b"}])).unwrap();
        assert_eq!((items.len(), total), (2, None));
        let (items, _) = parse_list::<Workspace>(json!({"id": "a", "type": "channel"})).unwrap();
        assert_eq!(items[0].kind(), Some(WorkspaceType::Channel));
        assert!(parse_list::<Workspace>(json!("nope")).is_err());
    }

    #[test]
    fn keys_normalise() {
        assert_eq!(normalize_key("ENDPOINT_SECURITY"), "endpointSecurity");
        assert_eq!(normalize_key("endpointSecurity"), "endpointSecurity");
        assert_eq!(normalize_key("EndpointSecurity"), "endpointSecurity");
        assert_eq!(normalize_key("endpoint-security"), "endpointSecurity");
        assert_eq!(normalize_key("EDR"), "edr");
        assert_eq!(
            normalize_key("MANAGED_CORO_COMPLETE"),
            "managedCoroComplete"
        );
        assert_eq!(normalize_key("aiAssistantPlus"), "aiAssistantPlus");
        assert_eq!(normalize_key(""), "");
    }

    #[test]
    fn subscription_shapes() {
        let sub: Subscription = serde_json::from_value(json!({
            "modules": {
                "endpointSecurity": {"enabled": true},
                "EMAIL_SECURITY": {"enabled": true, "addons": {"secureMessages": {"enabled": true},
                                                              "inboundGateway": {"enabled": false}}},
                "edr": true, "mdm": false, "network": {"active": true}, "sat": {}
            },
            "bundles": ["CORO_COMPLETE"]
        }))
        .unwrap();
        let keys: Vec<_> = sub.enabled_services().into_iter().collect();
        assert_eq!(
            keys,
            vec![
                "edr",
                "emailSecurity",
                "endpointSecurity",
                "network",
                "secureMessages"
            ]
        );
        let back: Subscription =
            serde_json::from_value(serde_json::to_value(&sub).unwrap()).unwrap();
        assert_eq!(back.enabled_services(), sub.enabled_services());
        assert_eq!(normalize_key(&back.bundles.unwrap()[0]), "coroComplete");
    }

    #[test]
    fn usage_round_trip_and_quantity() {
        let body = json!({"items": [{
            "workspaceId": "acme_AB1C_d", "protectedUsers": 40, "protectedDevices": 55,
            "demoModeEnabled": false, "demoModeEndDate": null,
            "moduleStatistics": {
                "ENDPOINT_SECURITY": {"protectedUsers": 40, "protectedDevices": 55, "licensedDevices": 50},
                "emailSecurity": {"protectedUsers": 38, "protectedDevices": 51}
            }
        }], "totalElements": 1});
        let (records, _) = parse_list::<WorkspaceUsage>(body).unwrap();
        let counts = records[0].module_counts();
        assert_eq!(counts["endpointSecurity"].quantity(true), Some(50));
        assert_eq!(counts["emailSecurity"].quantity(true), Some(51));
        assert_eq!(counts["emailSecurity"].quantity(false), Some(38));
        let back: WorkspaceUsage =
            serde_json::from_value(serde_json::to_value(&records[0]).unwrap()).unwrap();
        assert_eq!(back.module_counts(), counts);
    }

    /// The device fields of the community script's real response (coro.md §2.4).
    #[test]
    fn device_sample_parses() {
        let d: Device = serde_json::from_value(json!({
            "enrollmentCode": "ABCD1234", "deviceId": "9f86d081884c7d65", "deviceModel": "Latitude 5420",
            "hostname": "ACME-PC-01", "osType": "WINDOWS", "osVersion": "10.0.19045",
            "appVersion": "3.8.1.12", "activationTime": 1_700_000_000_000i64
        }))
        .unwrap();
        assert!(d.is_licensed());
        let un = Device {
            license_status: Some(DEVICE_UNLICENSED.into()),
            ..d.clone()
        };
        assert!(!un.is_licensed());
        let v = serde_json::to_value(&un).unwrap();
        assert_eq!(v["deviceProtectionStatus"], "UNLICENSED");
    }

    #[test]
    fn error_bodies_and_retry_after() {
        let api: ErrorBody = serde_json::from_value(
            json!({"code": "TooManyRequests", "message": "slow down", "errors": ["x"]}),
        )
        .unwrap();
        assert_eq!(api.describe().as_deref(), Some("slow down"));
        let oauth: ErrorBody = serde_json::from_value(
            json!({"error": "access_denied", "error_description": "Unauthorized"}),
        )
        .unwrap();
        assert_eq!(oauth.describe().as_deref(), Some("Unauthorized"));
        assert_eq!(
            serde_json::to_value(ErrorBody::oauth("a", "b")).unwrap(),
            json!({"error": "a", "error_description": "b"})
        );
        let now = DateTime::parse_from_rfc3339("2026-05-01T10:00:00Z")
            .unwrap()
            .with_timezone(&Utc);
        assert_eq!(retry_after(" 7 ", now), Some(Duration::from_secs(7)));
        assert_eq!(
            retry_after("Fri, 01 May 2026 10:00:30 GMT", now),
            Some(Duration::from_secs(30))
        );
        assert_eq!(
            retry_after("Fri, 01 May 2026 09:00:00 GMT", now),
            Some(Duration::ZERO)
        );
        assert_eq!(retry_after("soon", now), None);
    }
}
