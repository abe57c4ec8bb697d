//! Domain types shared by the store, the clients, the sync and the UI.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Row id of a PSA connector in the local database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/", type = "number")]
pub struct ConnectorId(pub i64);

impl std::fmt::Display for ConnectorId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Which PSA a connector talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub enum PsaKind {
    Connectwise,
    Autotask,
}

impl PsaKind {
    pub fn as_str(self) -> &'static str {
        match self {
            PsaKind::Connectwise => "connectwise",
            PsaKind::Autotask => "autotask",
        }
    }

    pub fn parse(s: &str) -> Option<PsaKind> {
        match s {
            "connectwise" => Some(PsaKind::Connectwise),
            "autotask" => Some(PsaKind::Autotask),
            _ => None,
        }
    }

    pub fn display_name(self) -> &'static str {
        match self {
            PsaKind::Connectwise => "ConnectWise PSA",
            PsaKind::Autotask => "Autotask PSA",
        }
    }
}

/// A Coro workspace id (opaque string, e.g. `exampleWS_92NB_b`).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct WorkspaceId(pub String);

/// A PSA company id (ConnectWise company `id`, Autotask company `id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/", type = "number")]
pub struct CompanyRef(pub i64);

/// A PSA product id (ConnectWise catalog item `id`, Autotask service `id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/", type = "number")]
pub struct ProductRef(pub i64);

/// Result of the last live credential check of a connector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub enum ConnectionState {
    /// The last check passed.
    Connected,
    /// The last check failed; `message` says why.
    Error,
    /// Never checked since it was stored.
    Untested,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct ConnectionStatus {
    pub state: ConnectionState,
    /// Why the last check failed (plain text, never a secret).
    pub message: Option<String>,
    /// RFC 3339 time of the last check.
    pub checked_at: Option<String>,
}

/// "N of M mapped"; `mapped == 0` reads "Setup required".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct MappingCount {
    pub mapped: u32,
    pub total: u32,
}

/// Outcome of the most recent sync run of a connector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct LastSync {
    #[ts(type = "number")]
    pub run_id: i64,
    /// RFC 3339 start time.
    pub started_at: String,
    /// `succeeded`, `failed`, `partial`, `held` or `running`.
    pub outcome: String,
    pub summary: String,
}

/// One row of the Connectors page (PSA tab).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct ConnectorSummary {
    pub id: ConnectorId,
    pub kind: PsaKind,
    pub name: String,
    pub status: ConnectionStatus,
    pub workspace_mapping: MappingCount,
    pub service_mapping: MappingCount,
    pub last_sync: Option<LastSync>,
    /// Autotask: the database's time zone (IANA name) that "today" and effective dates follow.
    pub time_zone: Option<String>,
}

/// What the UI shows about the app itself (Settings, footer, tray tooltip).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct AppInfo {
    pub version: String,
    /// The commit this build came from (`unknown` when built without git).
    pub commit: String,
    /// The folder holding the SQLite database.
    pub data_dir: String,
    /// True when running against the built-in sandbox (demo mode).
    pub sandbox: bool,
    pub daily_sync_paused: bool,
    /// RFC 3339 time of the next scheduled run, if any.
    pub next_sync_at: Option<String>,
    /// Whether a Coro channel connection is stored.
    pub coro_connected: bool,
}

/// Why a plan item is not written, as a kind: skipped lines are grouped by it (preview, run
/// page) and each kind names the screen that fixes it. Stored with the journal item (`cause`);
/// a value this build does not know reads as `None`, so older and newer data both load.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub enum Cause {
    /// The Coro workspace is not mapped to a PSA company (Workspace mapping screen).
    WorkspaceUnmapped,
    /// A service in use is not mapped to a PSA product (Service mapping screen).
    ServiceUnmapped,
    /// The mapped PSA product no longer exists or is inactive (Service mapping screen).
    ProductGone,
    /// No agreement / contract line bills the product (fixed in the PSA).
    NoLine,
    /// More than one line bills the product: PSA Bridge will not guess (fixed in the PSA).
    ManyLines,
    /// Coro could not be read for the workspace (the next run tries again).
    CoroUnreadable,
    /// The PSA could not be read for the company (the next run tries again).
    PsaUnreadable,
    /// Coro returned no usable count for the service.
    NoCount,
    /// The workspace left Coro (Workspace mapping screen: unmap it).
    Churned,
    /// An accepted change the PSA does not show yet.
    Awaiting,
    /// The operator excluded the pair from billing (the preview's toggle).
    Excluded,
    /// Rejected when the held changes were reviewed.
    Rejected,
    /// Smaller than the connector's noise threshold (the connector's billing settings).
    BelowThreshold,
    /// A monthly connector outside its write day (the connector's billing settings).
    Deferred,
}

impl Cause {
    const ALL: [Cause; 14] = [
        Cause::WorkspaceUnmapped,
        Cause::ServiceUnmapped,
        Cause::ProductGone,
        Cause::NoLine,
        Cause::ManyLines,
        Cause::CoroUnreadable,
        Cause::PsaUnreadable,
        Cause::NoCount,
        Cause::Churned,
        Cause::Awaiting,
        Cause::Excluded,
        Cause::Rejected,
        Cause::BelowThreshold,
        Cause::Deferred,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Cause::WorkspaceUnmapped => "workspace_unmapped",
            Cause::ServiceUnmapped => "service_unmapped",
            Cause::ProductGone => "product_gone",
            Cause::NoLine => "no_line",
            Cause::ManyLines => "many_lines",
            Cause::CoroUnreadable => "coro_unreadable",
            Cause::PsaUnreadable => "psa_unreadable",
            Cause::NoCount => "no_count",
            Cause::Churned => "churned",
            Cause::Awaiting => "awaiting",
            Cause::Excluded => "excluded",
            Cause::Rejected => "rejected",
            Cause::BelowThreshold => "below_threshold",
            Cause::Deferred => "deferred",
        }
    }

    /// Whether a line skipped for this reason leaves Coro usage unbilled (or billed wrong) until
    /// someone acts: not the operator's own choices (excluded, rejected, below the threshold,
    /// deferred to the billing day) nor a change the PSA already accepted.
    pub fn leaves_unbilled(self) -> bool {
        !matches!(
            self,
            Cause::Excluded
                | Cause::Rejected
                | Cause::BelowThreshold
                | Cause::Deferred
                | Cause::Awaiting
        )
    }

    /// The stored spelling back; unknown (a newer build's kind) → `None`.
    pub fn parse(s: &str) -> Option<Cause> {
        Cause::ALL.into_iter().find(|c| c.as_str() == s)
    }
}

#[cfg(test)]
mod cause_tests {
    use super::Cause;

    #[test]
    fn every_cause_reads_back_and_matches_its_json_spelling() {
        for c in Cause::ALL {
            assert_eq!(Cause::parse(c.as_str()), Some(c));
            let json = serde_json::to_string(&c).expect("json");
            assert_eq!(json, format!("\"{}\"", c.as_str()));
        }
        assert_eq!(Cause::parse("something_newer"), None);
    }
}

/// Billing unit of a Coro service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub enum Unit {
    Device,
    User,
    /// The larger of protected users and protected devices (the metric Coro bills some products
    /// on, coro.md §3; UNCONFIRMED, third-party evidence).
    Max,
}

impl Unit {
    /// `device`, `user` or `max`, as the CLI and messages write it.
    pub fn as_str(self) -> &'static str {
        match self {
            Unit::Device => "device",
            Unit::User => "user",
            Unit::Max => "max",
        }
    }
}
