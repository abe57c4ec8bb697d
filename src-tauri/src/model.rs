//! Domain types shared by the store, the clients, the sync and the UI.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

/// Row id of a PSA connector in the local database.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
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
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct CompanyRef(pub i64);

/// A PSA product id (ConnectWise catalog item `id`, Autotask service `id`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct ProductRef(pub i64);
