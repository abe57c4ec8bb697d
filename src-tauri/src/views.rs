//! What the screens show and send: the IPC request and response types of the desktop commands
//! (also printed by the CLI with `--json`). TypeScript bindings are generated from these by
//! ts-rs into ui/src/bindings/.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::{CompanyRef, ConnectorId, ProductRef, Unit};
use crate::secrets::Sensitive;

/// Add-connector dialog for ConnectWise (field names as in the vendor's guide).
#[derive(Debug, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct ConnectwiseInput {
    /// Display name; defaults to "ConnectWise (<company>)".
    pub name: Option<String>,
    /// *Company name*: the ConnectWise company id used at login.
    pub company: String,
    /// *ConnectWise domain*: a host (`na.myconnectwise.net`) or a full URL.
    pub site: String,
    pub public_key: String,
    #[ts(type = "string")]
    pub private_key: Sensitive<String>,
    /// The integration's clientId, asked in the same dialog (prefilled from Settings); saved in
    /// Settings only when the add succeeds. Missing or empty: the one in Settings.
    #[serde(default)]
    pub client_id: Option<String>,
}

/// Add-connector dialog for Autotask.
#[derive(Debug, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct AutotaskInput {
    pub name: Option<String>,
    /// *User name (key)* of the API user.
    pub username: String,
    #[ts(type = "string")]
    pub secret: Sensitive<String>,
    /// *API tracking identifier* (integration code): sent as a header on every call, so never
    /// printed.
    #[ts(type = "string")]
    pub integration_code: Sensitive<String>,
    /// Optional zone URL override (normally discovered from the user name).
    pub zone_url: Option<String>,
    /// The Autotask database's time zone (IANA name, e.g. `America/New_York`); empty or
    /// missing: this computer's zone.
    #[serde(default)]
    pub time_zone: Option<String>,
}

/// This computer's time zone: the default for a new Autotask connector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct MachineTimeZone {
    /// IANA name (UTC when the system's zone could not be read).
    pub zone: String,
    /// Why it is UTC, when it fell back.
    pub note: Option<String>,
}

/// Coro channel connection form.
#[derive(Debug, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct CoroInput {
    /// `us`, `ca`, `eu` or a full URL.
    pub region: String,
    pub client_id: String,
    #[ts(type = "string")]
    pub client_secret: Sensitive<String>,
    /// The channel (parent) workspace id.
    pub channel: String,
}

/// The stored Coro connection, for Settings.
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct CoroStatus {
    pub connected: bool,
    pub region: Option<String>,
    pub base_url: Option<String>,
    pub client_id: Option<String>,
    pub channel: Option<String>,
    pub channel_name: Option<String>,
}

/// Demo values for the forms in `--sandbox` mode (demo credentials only).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct SandboxDefaults {
    pub connectwise_company: String,
    pub connectwise_site: String,
    pub connectwise_public_key: String,
    pub connectwise_private_key: String,
    pub autotask_username: String,
    pub autotask_secret: String,
    pub autotask_integration_code: String,
    pub autotask_zone_url: String,
    /// The simulated Autotask database's time zone.
    pub autotask_time_zone: String,
    pub coro_region: String,
    pub coro_client_id: String,
    pub coro_client_secret: String,
    pub coro_channel: String,
}

/// A PSA company or product offered by a picker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct PickOption {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    pub identifier: Option<String>,
}

/// A one-click suggestion for an unmapped row (never applied silently).
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct Suggestion {
    #[ts(type = "number")]
    pub id: i64,
    pub name: String,
    /// 0.0–1.0 name similarity.
    pub score: f64,
}

/// One row of the workspace mapping screen.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct WorkspaceRow {
    pub workspace_id: String,
    pub name: String,
    /// Coro status as reported (e.g. `subscription`, `trial`, `archived`).
    pub status: String,
    /// Archived workspaces are shown but never billed.
    pub archived: bool,
    pub company: Option<PickOption>,
    /// The mapped company no longer exists in the PSA.
    pub stale: bool,
    pub suggestion: Option<Suggestion>,
}

/// One row of the service mapping screen.
#[derive(Debug, Clone, PartialEq, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct ServiceRow {
    pub service_key: String,
    pub name: String,
    /// False for a service key PSA Bridge has no display name for (a new Coro service).
    pub known: bool,
    pub default_unit: Unit,
    /// The unit used for billing: the mapping's override or the default.
    pub unit: Unit,
    pub product: Option<PickOption>,
    pub stale: bool,
    pub suggestion: Option<Suggestion>,
    /// How much Coro bills it across the channel, as last read (`None`: not seen in use).
    pub in_use: Option<KeyUse>,
}

/// Map / unmap requests.
#[derive(Debug, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct MapWorkspace {
    pub connector_id: ConnectorId,
    pub workspace_id: String,
    pub company_id: CompanyRef,
}

#[derive(Debug, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct MapService {
    pub connector_id: ConnectorId,
    pub service_key: String,
    pub product_id: ProductRef,
    /// Overrides the service's default unit for this connector.
    pub unit: Option<Unit>,
}

/// The Settings screen.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct SettingsView {
    /// ConnectWise integration clientId (from developer.connectwise.com).
    pub connectwise_client_id: Option<String>,
    /// Local time of the daily sync, `HH:MM`.
    pub daily_sync_time: String,
    pub daily_sync_paused: bool,
    /// Notify after successful runs too (failures and held changes always notify).
    pub notify_success: bool,
    /// A scheduled decrease larger than this share (0–1) of the current quantity is held for
    /// approval.
    pub max_decrease_share: f64,
    /// A scheduled increase to more than this factor of the current quantity (≥ 1)…
    pub max_increase_factor: f64,
    /// …and by at least this many units is held for approval.
    #[ts(type = "number")]
    pub min_increase_units: i64,
}

/// How much one key is in use across the channel, as last read.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct KeyUse {
    /// Workspaces that have it.
    pub workspaces: u32,
    /// Their counts added up.
    #[ts(type = "number")]
    pub count: u64,
}
