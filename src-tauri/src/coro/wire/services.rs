//! Services (coro.md §2.3–§2.6, §3): service keys, subscriptions, usage and its module
//! statistics, devices and users.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

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
