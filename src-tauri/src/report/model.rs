//! The reconciliation report's data: what Coro usage is worth against what the PSA bills, per
//! company × service, and what is not billed at all. Serializable (the `--json` output, the
//! Reconcile page through generated bindings, the saved copy `--last` reads). Money is in whole
//! cents of the PSA's currency; a difference is `coro_count − psa_quantity` (positive: Coro uses
//! more than the PSA bills, i.e. under-billing).

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::model::{CompanyRef, ConnectorId, ProductRef, WorkspaceId};

/// One mapped workspace × service with exactly one PSA line and a Coro count.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct ReportRow {
    pub workspace_id: WorkspaceId,
    pub workspace_name: String,
    pub company_id: CompanyRef,
    pub company_name: String,
    pub service_key: String,
    pub service_name: String,
    pub product_id: ProductRef,
    pub product_name: String,
    /// `agreement 12 / addition 34`, `contract 5 / contract service 6`.
    pub line_ref: String,
    #[ts(type = "number")]
    pub coro_count: i64,
    #[ts(type = "number")]
    pub psa_quantity: i64,
    /// `coro_count − psa_quantity`.
    #[ts(type = "number")]
    pub difference: i64,
    /// The PSA line's unit price (`None`: the PSA gave none, so the value is unknown).
    #[ts(type = "number | null")]
    pub unit_price_cents: Option<i64>,
    /// `difference × unit price` for one month.
    #[ts(type = "number | null")]
    pub monthly_value_cents: Option<i64>,
}

/// Under- and over-billing over the rows of one connector.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct ReportTotals {
    /// Rows where Coro counts more than the PSA bills.
    pub under_billed_rows: u32,
    #[ts(type = "number")]
    pub under_billed_units: i64,
    /// Their monthly value (priced rows only).
    #[ts(type = "number")]
    pub under_billed_cents: i64,
    /// Rows where the PSA bills more than Coro counts.
    pub over_billed_rows: u32,
    #[ts(type = "number")]
    pub over_billed_units: i64,
    #[ts(type = "number")]
    pub over_billed_cents: i64,
    /// Rows that differ but whose line carries no price (their value is not in the totals).
    pub unpriced_rows: u32,
    /// Units used in Coro by workspaces no mapping covers.
    #[ts(type = "number")]
    pub unbilled_units: i64,
    /// Monthly value of the orphan lines (priced ones).
    #[ts(type = "number")]
    pub orphan_cents: i64,
}

/// One service's count in an unbilled workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct ServiceCount {
    pub service_key: String,
    pub service_name: String,
    #[ts(type = "number")]
    pub count: i64,
}

/// A Coro workspace with usage that no workspace mapping covers: nothing of it is billed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct UnbilledWorkspace {
    pub workspace_id: WorkspaceId,
    pub workspace_name: String,
    /// Services in use (count > 0), by key.
    pub counts: Vec<ServiceCount>,
    /// Why some counts are missing (Coro could not be read for it), when so.
    pub note: Option<String>,
}

/// A PSA line for a mapped product on a company that no workspace maps to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct OrphanLine {
    pub company_id: CompanyRef,
    pub company_name: String,
    pub product_id: ProductRef,
    pub product_name: String,
    pub line_ref: String,
    pub line_name: String,
    #[ts(type = "number")]
    pub quantity: i64,
    #[ts(type = "number | null")]
    pub unit_price_cents: Option<i64>,
    /// What the line bills a month (`quantity × unit price`).
    #[ts(type = "number | null")]
    pub monthly_value_cents: Option<i64>,
}

/// Why the sync would skip a line, as a group the operator can act on at once.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub enum SkipKind {
    /// No active agreement / contract line carries the mapped product.
    NoLine,
    /// Several active lines carry it: the sync never guesses.
    SeveralLines,
    /// The mapped PSA product was deleted or deactivated.
    ProductGone,
    /// A service in use in a mapped workspace is not mapped to a product.
    ServiceNotMapped,
    /// The workspace left Coro (gone, archived, inactive).
    WorkspaceLeft,
    /// Coro gave no usable count.
    CountUnavailable,
    /// Coro or the PSA could not be read for it this time.
    ReadFailed,
    /// An accepted change does not show in the PSA yet.
    Awaiting,
    /// The operator excluded the pair from billing.
    Excluded,
    Other,
}

impl SkipKind {
    /// The heading of the group.
    pub fn title(self) -> &'static str {
        match self {
            SkipKind::NoLine => "No PSA line for a mapped product",
            SkipKind::SeveralLines => "More than one candidate line",
            SkipKind::ProductGone => "Mapped PSA product no longer exists",
            SkipKind::ServiceNotMapped => "Service in use but not mapped",
            SkipKind::WorkspaceLeft => "Workspace left Coro",
            SkipKind::CountUnavailable => "Coro count unavailable",
            SkipKind::ReadFailed => "Could not be read this time",
            SkipKind::Awaiting => "Awaiting the PSA",
            SkipKind::Excluded => "Excluded from billing",
            SkipKind::Other => "Other",
        }
    }

    /// Where it is fixed.
    pub fn fix(self) -> FixScreen {
        match self {
            SkipKind::NoLine | SkipKind::SeveralLines => FixScreen::Psa,
            SkipKind::ProductGone | SkipKind::ServiceNotMapped => FixScreen::Services,
            SkipKind::WorkspaceLeft => FixScreen::Workspaces,
            SkipKind::Excluded => FixScreen::Preview,
            SkipKind::CountUnavailable
            | SkipKind::ReadFailed
            | SkipKind::Awaiting
            | SkipKind::Other => FixScreen::Sync,
        }
    }
}

/// The screen (or place) that fixes a group of skipped lines.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub enum FixScreen {
    /// The agreement / contract in the PSA itself.
    Psa,
    /// PSA Bridge's Services mapping screen.
    Services,
    /// PSA Bridge's Workspaces mapping screen.
    Workspaces,
    /// The sync preview, where an exclusion is lifted (*Include again*).
    Preview,
    /// Nothing to fix by hand: the next sync (or preview) reads it again.
    Sync,
}

impl FixScreen {
    pub fn describe(self) -> &'static str {
        match self {
            FixScreen::Psa => "the company's agreement / contract in the PSA",
            FixScreen::Services => "the Services screen",
            FixScreen::Workspaces => "the Workspaces screen",
            FixScreen::Preview => "the sync preview (Include again)",
            FixScreen::Sync => "the next sync (nothing to fix by hand)",
        }
    }
}

/// One line the plan would skip.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct SkippedLine {
    pub workspace_id: WorkspaceId,
    pub workspace_name: String,
    pub company_name: Option<String>,
    pub service_key: String,
    pub service_name: String,
    pub product_name: Option<String>,
    /// The planner's reason, word for word.
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct SkipGroup {
    pub kind: SkipKind,
    pub title: String,
    pub fix: FixScreen,
    /// Where to fix it, in words.
    pub fix_text: String,
    pub lines: Vec<SkippedLine>,
}

/// The reconciliation of one connector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct Report {
    pub connector_id: ConnectorId,
    pub connector_name: String,
    /// When Coro and the PSA were read.
    pub read_at: DateTime<Utc>,
    /// Seconds since `read_at` when the report was shown from the saved copy (`--last`);
    /// `None` for a fresh read.
    #[ts(type = "number | null")]
    pub age_seconds: Option<i64>,
    pub rows: Vec<ReportRow>,
    pub totals: ReportTotals,
    pub unbilled: Vec<UnbilledWorkspace>,
    pub orphans: Vec<OrphanLine>,
    pub skipped: Vec<SkipGroup>,
    /// HTTP requests the PSA read took (retries and discovery included).
    pub psa_requests: u32,
}

/// Whole cents as a plain decimal (`1234` → `12.34`, `-5` → `-0.05`).
pub fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    format!("{sign}{}.{:02}", abs / 100, abs % 100)
}

#[cfg(test)]
mod tests {
    use super::money;

    #[test]
    fn money_prints_cents_as_a_decimal() {
        assert_eq!(money(1234), "12.34");
        assert_eq!(money(-5), "-0.05");
        assert_eq!(money(0), "0.00");
        assert_eq!(money(100), "1.00");
    }
}
