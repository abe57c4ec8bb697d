//! The simulated Coro's own reading of the wire, written from `shared/reference/coro.md` and
//! nothing else: it shares no type with the product's Coro client (`psa_bridge::coro::wire`), so
//! a misreading on either side shows up as a failing test instead of agreeing by construction.
//! The contract fixtures (`src-tauri/sandbox/fixtures/coro`) pin what both sides must agree on.
//!
//! Where the reference says UNCONFIRMED, the sandbox picks one way and says so here; the product
//! must work whichever way the real API goes.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// `POST {base}/oauth/token`, no `/v1` prefix (§1.3).
pub const TOKEN_PATH: &str = "/oauth/token";
/// The only grant Coro offers (§1.3).
pub const GRANT_TYPE: &str = "client_credentials";
/// `expires_in` of a token: 24 h (§1.3).
pub const TOKEN_LIFETIME_SECS: u64 = 86_400;
/// `Authorization: Bearer <token>` (§1.4).
pub const AUTH_HEADER: &str = "Authorization";
/// The workspace a `/v1` call is scoped to (§1.4).
pub const WORKSPACE_HEADER: &str = "Workspace";
/// Support trace id on every response (§1.3).
pub const TRACE_ID_HEADER: &str = "X-Coro-Trace-Id";

/// Endpoint map (§2.1).
pub const WORKSPACES_PATH: &str = "/v1/workspaces";
pub const WORKSPACES_SEARCH_PATH: &str = "/v1/workspaces/search";
pub const SUBSCRIPTIONS_PATH: &str = "/v1/subscriptions";
pub const BUNDLE_INFO_PATH: &str = "/v1/subscriptions/bundleInfo";
pub const USAGE_PATH: &str = "/v1/usage";
pub const DEVICES_PATH: &str = "/v1/devices";
pub const USERS_PATH: &str = "/v1/users";

/// Zero-based page number (§2.7, confirmed on portal users).
pub const PAGE_PARAM: &str = "page";
/// Page size parameter. UNCONFIRMED (`size` or `pageSize`): the sandbox reads `size`.
pub const PAGE_SIZE_PARAM: &str = "size";
/// Portal users default to 20 per page (§2.7); the sandbox uses it for every list.
pub const DEFAULT_PAGE_SIZE: u32 = 20;
/// No maximum is published (§2.7): the sandbox caps pages at 100.
pub const MAX_PAGE_SIZE: u32 = 100;

/// License state value of a licensed device. UNCONFIRMED (§2.4): field `deviceProtectionStatus`.
pub const DEVICE_LICENSED: &str = "LICENSED";

/// The audience the sandbox expects: its own base URL (§1.3: the regional API base URL is the
/// value a working script sends; the canonical one is UNCONFIRMED).
pub fn audience(base_url: &str) -> String {
    base_url.trim_end_matches('/').to_string()
}

pub fn bearer(token: &str) -> String {
    format!("Bearer {token}")
}

/// The token request body (§1.3: four strings, all required).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct TokenRequest {
    pub client_id: Option<String>,
    pub client_secret: Option<String>,
    pub audience: Option<String>,
    pub grant_type: Option<String>,
}

/// The token response (§1.3).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TokenResponse {
    pub access_token: Option<String>,
    pub token_type: Option<String>,
    pub expires_in: Option<u64>,
}

/// A list page (§2.7: `{items, totalElements}`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Page<T> {
    #[serde(default = "Vec::new")]
    pub items: Vec<T>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total_elements: Option<u64>,
}

/// An error body. UNCONFIRMED (§2.7, no schema shown): `/v1` calls answer `{code, message}`,
/// the token endpoint the OAuth form `{error, error_description}`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ErrorBody {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub code: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub error: Option<String>,
    #[serde(rename = "error_description", skip_serializing_if = "Option::is_none")]
    pub error_description: Option<String>,
}

impl ErrorBody {
    pub fn api(code: &str, message: &str) -> Self {
        ErrorBody {
            code: Some(code.into()),
            message: Some(message.into()),
            ..ErrorBody::default()
        }
    }

    pub fn oauth(error: &str, description: &str) -> Self {
        ErrorBody {
            error: Some(error.into()),
            error_description: Some(description.into()),
            ..ErrorBody::default()
        }
    }
}

/// `code` values of [`ErrorBody::api`].
pub mod error_code {
    pub const BAD_REQUEST: &str = "BadRequest";
    pub const UNAUTHORIZED: &str = "Unauthorized";
    pub const FORBIDDEN: &str = "Forbidden";
    pub const NOT_FOUND: &str = "NotFound";
    pub const TOO_MANY_REQUESTS: &str = "TooManyRequests";
    pub const INTERNAL: &str = "InternalError";
}

/// A workspace (§2.2, the create-workspace sample's fields).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Workspace {
    pub id: Option<String>,
    pub company_name: Option<String>,
    pub display_name: Option<String>,
    #[serde(rename = "type")]
    pub workspace_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub parent_workspace_id: Option<String>,
    /// §2.2: an array of child ids.
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
    #[serde(skip_serializing_if = "Option::is_none")]
    pub last_admin_login_time: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workspace_creation_time: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub workspace_creation_type: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limited: Option<bool>,
    /// UNCONFIRMED (§2.2 shows no status): the sandbox sends the console's statuses in
    /// UPPER_SNAKE under `status`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
}

impl Workspace {
    pub fn name(&self) -> Option<&str> {
        self.company_name
            .as_deref()
            .or(self.display_name.as_deref())
    }

    pub fn kind(&self) -> Option<WorkspaceType> {
        match self.workspace_type.as_deref()? {
            "regular" => Some(WorkspaceType::Regular),
            "channel" => Some(WorkspaceType::Channel),
            "child" => Some(WorkspaceType::Child),
            _ => None,
        }
    }

    pub fn child_ids(&self) -> Vec<&str> {
        self.children
            .iter()
            .flatten()
            .map(|ChildRef::Id(id)| id.as_str())
            .collect()
    }
}

/// One entry of `children` (§2.2: plain ids).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ChildRef {
    Id(String),
}

/// `type` of a workspace (§2.2).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkspaceType {
    Regular,
    Channel,
    Child,
}

impl WorkspaceType {
    pub fn as_wire(&self) -> &'static str {
        match self {
            WorkspaceType::Regular => "regular",
            WorkspaceType::Channel => "channel",
            WorkspaceType::Child => "child",
        }
    }
}

/// The console's lifecycle statuses (§4.2), as the sandbox spells them (see [`Workspace::status`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WorkspaceStatus {
    New,
    Trial,
    Subscription,
    Inactive,
    Archived,
}

impl WorkspaceStatus {
    pub fn as_wire(&self) -> &'static str {
        match self {
            WorkspaceStatus::New => "NEW",
            WorkspaceStatus::Trial => "TRIAL",
            WorkspaceStatus::Subscription => "SUBSCRIPTION",
            WorkspaceStatus::Inactive => "INACTIVE",
            WorkspaceStatus::Archived => "ARCHIVED",
        }
    }
}

/// `GET /subscriptions` (§2.3: `modules` + `bundles`). UNCONFIRMED: the inner shape of
/// `modules`; the sandbox sends one flat entry per module and add-on, `{ "enabled": bool }`.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Subscription {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub modules: Option<BTreeMap<String, ModuleState>>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub bundles: Option<Vec<String>>,
}

impl Subscription {
    /// Keys of the enabled modules and add-ons (flat, as the sandbox sends them).
    pub fn enabled_services(&self) -> std::collections::BTreeSet<String> {
        self.modules
            .iter()
            .flatten()
            .filter(|(_, m)| m.enabled == Some(true))
            .map(|(k, _)| k.clone())
            .collect()
    }
}

/// One `modules` entry (see [`Subscription`]).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ModuleState {
    pub enabled: Option<bool>,
}

impl ModuleState {
    pub fn enabled_flag(enabled: bool) -> Self {
        ModuleState {
            enabled: Some(enabled),
        }
    }
}

/// One `GET /usage` record. UNCONFIRMED (§2.6, no body seen): the sandbox sends a page of
/// per-workspace records with `moduleStatistics` keyed by service.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct WorkspaceUsage {
    pub workspace_id: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protected_users: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protected_devices: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub demo_mode_enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub demo_mode_end_date: Option<serde_json::Value>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub module_statistics: Option<BTreeMap<String, ModuleStatistics>>,
}

impl WorkspaceUsage {
    pub fn module_counts(&self) -> BTreeMap<String, ModuleStatistics> {
        self.module_statistics.clone().unwrap_or_default()
    }
}

/// Counts of one service (see [`WorkspaceUsage`]; field names UNCONFIRMED).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ModuleStatistics {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protected_users: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub protected_devices: Option<u64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub licensed_devices: Option<u64>,
}

impl ModuleStatistics {
    pub fn quantity(&self, per_device: bool) -> Option<u64> {
        if per_device {
            self.licensed_devices.or(self.protected_devices)
        } else {
            self.protected_users
        }
    }
}

/// A device (§2.4, fields from a real response).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Device {
    pub enrollment_code: Option<String>,
    pub device_id: Option<String>,
    pub device_model: Option<String>,
    pub hostname: Option<String>,
    pub os_type: Option<String>,
    pub os_version: Option<String>,
    pub app_version: Option<String>,
    pub activation_time: Option<i64>,
    /// UNCONFIRMED field name (§2.4).
    #[serde(rename = "deviceProtectionStatus")]
    pub license_status: Option<String>,
}

impl Device {
    pub fn is_licensed(&self) -> bool {
        self.license_status.as_deref() != Some("UNLICENSED")
    }
}

/// A protected user (§2.5; fields beyond `id` UNCONFIRMED).
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ProtectedUser {
    pub id: Option<String>,
    pub email: Option<String>,
    pub name: Option<String>,
}

/// A service or bundle key in the camelCase the sandbox keys its data by: bundles arrive in
/// UPPER_SNAKE (`bundleInfo`) or camelCase (`PUT /subscriptions`) (§2.3), so both are read.
pub fn normalize_key(raw: &str) -> String {
    let raw = raw.trim();
    if !raw.contains(['_', '-']) && raw.chars().any(|c| c.is_ascii_lowercase()) {
        let mut chars = raw.chars();
        return chars
            .next()
            .map(|c| c.to_ascii_lowercase().to_string() + chars.as_str())
            .unwrap_or_default();
    }
    let mut out = String::new();
    for (i, part) in raw.split(['_', '-']).filter(|p| !p.is_empty()).enumerate() {
        let lower = part.to_ascii_lowercase();
        let mut chars = lower.chars();
        if i == 0 {
            out.push_str(&lower);
        } else if let Some(first) = chars.next() {
            out.push(first.to_ascii_uppercase());
            out.push_str(chars.as_str());
        }
    }
    out
}

/// The query of one page of a list (§2.7).
pub fn page_query(page: u32, size: u32) -> [(&'static str, String); 2] {
    [
        (PAGE_PARAM, page.to_string()),
        (PAGE_SIZE_PARAM, size.to_string()),
    ]
}

/// What the sandbox's own tests read its answers with: the simplest reading of §2.7 (read until
/// an empty page or `totalElements`) and of the console's statuses (§4.2). The product's client
/// has its own, more forgiving readers; the contract fixtures hold the two together.
#[cfg(test)]
pub mod read {
    use super::{Page, Workspace, WorkspaceStatus, WorkspaceType};

    pub fn has_more(page_items: usize, read_so_far: u64, total: Option<u64>) -> bool {
        page_items > 0 && total.is_none_or(|t| read_so_far < t)
    }

    /// A page, a bare array or one object.
    pub fn parse_list<T: serde::de::DeserializeOwned>(
        value: serde_json::Value,
    ) -> Result<(Vec<T>, Option<u64>), serde_json::Error> {
        match value {
            serde_json::Value::Array(_) => Ok((serde_json::from_value(value)?, None)),
            serde_json::Value::Object(ref m) if m.get("items").is_some_and(|i| i.is_array()) => {
                let page: Page<T> = serde_json::from_value(value)?;
                Ok((page.items, page.total_elements))
            }
            other => Ok((vec![serde_json::from_value(other)?], None)),
        }
    }

    pub fn is_archived(ws: &Workspace) -> bool {
        ws.status.as_deref() == Some(WorkspaceStatus::Archived.as_wire())
    }

    /// Subscription always, Trial when asked; channels never.
    pub fn is_billable(ws: &Workspace, include_trial: bool) -> bool {
        if ws.kind() == Some(WorkspaceType::Channel) {
            return false;
        }
        match ws.status.as_deref() {
            None => true,
            Some(s) if s == WorkspaceStatus::Subscription.as_wire() => true,
            Some(s) if s == WorkspaceStatus::Trial.as_wire() => include_trial,
            Some(_) => false,
        }
    }
}
