//! The pre-flight checks' data: per mapped company, what will stop the sync from billing it (or
//! soon will). Serializable: `psa-bridge check --json`, the mapping page's badges through
//! generated bindings, and the saved copy the Connectors page counts.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::{CompanyRef, ConnectorId, WorkspaceId};

/// What a problem is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub enum ProblemKind {
    /// Coro counts usage of a mapped service, and no line bills its product for the company.
    NoLine,
    /// More than one line bills the product: the sync never guesses between them.
    SeveralLines,
    /// The agreement / contract billing a mapped product ends within 30 days.
    EndsSoon,
    /// The agreement / contract billing a mapped product is past its end date.
    Ended,
    /// A cancelled, expired or inactive agreement / contract still holds a mapped product.
    ClosedHoldsProduct,
    /// The company is inactive (or gone) in the PSA.
    CompanyInactive,
}

impl ProblemKind {
    /// The badge's short text.
    pub fn label(self) -> &'static str {
        match self {
            ProblemKind::NoLine => "No line",
            ProblemKind::SeveralLines => "Several lines",
            ProblemKind::EndsSoon => "Ends soon",
            ProblemKind::Ended => "Ended",
            ProblemKind::ClosedHoldsProduct => "Closed agreement holds product",
            ProblemKind::CompanyInactive => "Company inactive",
        }
    }
}

/// One problem of one mapped company.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct Problem {
    pub kind: ProblemKind,
    pub workspace_id: WorkspaceId,
    pub workspace_name: String,
    pub company_id: CompanyRef,
    pub company_name: String,
    /// The mapped service it concerns (`None`: the whole company).
    pub service_key: Option<String>,
    /// What is wrong and what fixes it, in words.
    pub reason: String,
}

/// The checks of one connector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct CheckReport {
    pub connector_id: ConnectorId,
    pub connector_name: String,
    #[ts(type = "string")]
    pub checked_at: DateTime<Utc>,
    /// Mapped companies checked.
    pub companies: u32,
    pub problems: Vec<Problem>,
    /// HTTP requests the PSA read took.
    pub psa_requests: u32,
}
