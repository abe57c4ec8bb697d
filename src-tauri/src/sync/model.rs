//! The sync's data: the [`Plan`] (what should change, per workspace × service, and why not when
//! it cannot), the [`RunSummary`] of a recorded run, and [`Progress`] events. All serializable
//! and exported to TypeScript; the plan is what the preview renders and what apply consumes.

use chrono::{DateTime, Utc};
use serde::Serialize;
use ts_rs::TS;

use crate::model::Unit;
use crate::model::{Cause, CompanyRef, ConnectorId, ProductRef, WorkspaceId};
use crate::psa::{BillingLine, NewLine};
use crate::store::runs::{
    ItemAction, ItemOutcome, RunItem, RunRow, RunStatus, RunTotals, RunTrigger,
};

/// What started a sync.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub enum Trigger {
    /// The daily schedule (or its catch-up at launch). Never applies held decreases.
    Schedule,
    Tray,
    Ui,
    Cli,
}

impl Trigger {
    pub fn store(self) -> RunTrigger {
        match self {
            Trigger::Schedule => RunTrigger::Schedule,
            Trigger::Tray => RunTrigger::Tray,
            Trigger::Ui => RunTrigger::Ui,
            Trigger::Cli => RunTrigger::Cli,
        }
    }

    pub fn from_store(t: RunTrigger) -> Trigger {
        match t {
            RunTrigger::Schedule => Trigger::Schedule,
            RunTrigger::Tray => Trigger::Tray,
            RunTrigger::Ui => Trigger::Ui,
            RunTrigger::Cli => Trigger::Cli,
        }
    }
}

/// What the plan wants for one workspace × service.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub enum Action {
    /// The PSA already bills the Coro count: nothing is written.
    Unchanged,
    Increase,
    Decrease,
    /// Cannot be synced; `reason` says what the operator can do about it.
    Skip,
    /// A decrease over the safety limit (or to zero): held for the operator's approval.
    Hold,
}

impl Action {
    pub fn store(self) -> ItemAction {
        match self {
            Action::Unchanged => ItemAction::Unchanged,
            Action::Increase => ItemAction::Increase,
            Action::Decrease => ItemAction::Decrease,
            Action::Skip => ItemAction::Skip,
            Action::Hold => ItemAction::Hold,
        }
    }

    pub fn from_store(a: ItemAction) -> Action {
        match a {
            ItemAction::Unchanged => Action::Unchanged,
            ItemAction::Increase => Action::Increase,
            ItemAction::Decrease => Action::Decrease,
            ItemAction::Skip => Action::Skip,
            ItemAction::Hold => Action::Hold,
        }
    }
}

/// Why an item needs a closer look than its action says (shown in the preview and History; the
/// daily notification names them).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, TS)]
#[serde(rename_all = "snake_case")]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub enum Flag {
    /// Coro or the PSA could not be read for it (after retries): skipped this run, which ends
    /// partial.
    ReadFailed,
    /// The workspace left Coro (gone, archived, inactive): ending its billing is proposed, held.
    Churn,
    /// The Coro count is a fallback (a workspace-wide total), not the service's own figure: held.
    Fallback,
    /// An increase far beyond the current quantity (a likely glitch): held.
    Spike,
    /// An accepted change the PSA does not show yet: nothing is sent again meanwhile.
    Awaiting,
    /// A change smaller than the connector's noise threshold: shown, not written.
    BelowThreshold,
    /// A monthly connector outside its write day: shown, written on that day.
    Deferred,
    /// The company is billed for a Coro bundle and for a module it includes: held.
    DoubleBilling,
    /// No line bills the product: creating one on the company's only agreement / contract is
    /// proposed (the connector's *create missing lines* option), always held for approval.
    Create,
}

/// One workspace × service of the plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct PlanItem {
    pub workspace_id: WorkspaceId,
    pub workspace_name: String,
    /// Empty for a workspace-level item (an unmapped workspace).
    pub service_key: String,
    pub service_name: String,
    /// The billing unit the mapping asks for (`None`: the service's own unit).
    pub unit: Option<Unit>,
    pub company_id: Option<CompanyRef>,
    pub company_name: Option<String>,
    pub product_id: Option<ProductRef>,
    pub product_name: Option<String>,
    /// Human reference of the PSA line (`agreement 12 / addition 34`).
    pub line_ref: Option<String>,
    /// Agreement / contract name of the line.
    pub line_name: Option<String>,
    /// The line as read, which apply writes to. Kept in the backend's copy of the plan only: the
    /// UI never supplies line keys.
    #[serde(skip)]
    #[ts(skip)]
    pub line: Option<BillingLine>,
    /// The line to create (flag [`Flag::Create`]), which apply creates. Backend only, like `line`.
    #[serde(skip)]
    #[ts(skip)]
    pub new_line: Option<NewLine>,
    /// The PSA quantity as read.
    #[ts(type = "number | null")]
    pub before: Option<i64>,
    /// The Coro count, i.e. the quantity the PSA should hold.
    #[ts(type = "number | null")]
    pub after: Option<i64>,
    pub action: Action,
    pub reason: Option<String>,
    pub flag: Option<Flag>,
    /// Why a skipped item is not written, as a kind (skipped lines are grouped by it).
    pub cause: Option<Cause>,
}

/// Counts by action, and the units the increases add and the decreases remove (held decreases
/// are not in `units_removed`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct PlanTotals {
    pub unchanged: u32,
    pub increase: u32,
    pub decrease: u32,
    pub skip: u32,
    pub hold: u32,
    #[ts(type = "number")]
    pub units_added: i64,
    #[ts(type = "number")]
    pub units_removed: i64,
}

impl PlanTotals {
    pub fn of(items: &[PlanItem]) -> PlanTotals {
        let mut t = PlanTotals::default();
        for item in items {
            let delta = match (item.before, item.after) {
                (Some(b), Some(a)) => a.saturating_sub(b),
                _ => 0,
            };
            match item.action {
                Action::Unchanged => t.unchanged += 1,
                Action::Increase => {
                    t.increase += 1;
                    t.units_added = t.units_added.saturating_add(delta);
                }
                Action::Decrease => {
                    t.decrease += 1;
                    t.units_removed = t.units_removed.saturating_sub(delta);
                }
                Action::Skip => t.skip += 1,
                Action::Hold => t.hold += 1,
            }
        }
        t
    }
}

/// Everything one sync would do for one connector.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct Plan {
    pub connector_id: ConnectorId,
    pub items: Vec<PlanItem>,
    pub totals: PlanTotals,
    pub generated_at: DateTime<Utc>,
}

impl Plan {
    /// Items that write to the PSA when applied (`approve_held`: held decreases too).
    pub fn writes(&self, approve_held: bool) -> usize {
        self.items
            .iter()
            .filter(|i| is_write(i.action, approve_held))
            .count()
    }
}

pub(crate) fn is_write(action: Action, approve_held: bool) -> bool {
    matches!(action, Action::Increase | Action::Decrease)
        || (approve_held && action == Action::Hold)
}

/// Counts over a recorded run's items (see [`RunTotals`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct RunCounts {
    pub planned: u32,
    pub applied: u32,
    pub failed: u32,
    pub skipped: u32,
    pub held: u32,
    /// Writes whose outcome is not confirmed (`pending`): the next run re-reads them.
    pub unconfirmed: u32,
    /// Skipped lines that leave usage unbilled until someone acts (a missing mapping or line,
    /// several candidate lines, an unreadable count…): a run with these "needs attention" even
    /// when it succeeded. Not the operator's own choices (see `Cause::leaves_unbilled`).
    pub unbilled: u32,
}

impl RunCounts {
    pub fn from_totals(t: RunTotals, unconfirmed: u32, unbilled: u32) -> RunCounts {
        RunCounts {
            planned: t.planned,
            applied: t.applied,
            failed: t.failed,
            skipped: t.skipped,
            held: t.held,
            unconfirmed,
            unbilled,
        }
    }
}

/// A recorded run, as the CLI prints it and the UI shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct RunSummary {
    #[ts(type = "number")]
    pub run_id: i64,
    pub connector_id: ConnectorId,
    pub trigger: Trigger,
    pub dry_run: bool,
    /// The store's run status.
    #[ts(
        type = "\"running\" | \"succeeded\" | \"partial\" | \"failed\" | \"held\" | \"interrupted\""
    )]
    pub status: RunStatus,
    pub started_at: DateTime<Utc>,
    pub finished_at: Option<DateTime<Utc>>,
    pub counts: RunCounts,
    pub first_failure_reason: Option<String>,
    /// What needs the operator besides failures (workspaces that left Coro while still billed,
    /// accepted changes not shown after a day), one line each. Filled for the run just made.
    pub attention: Vec<String>,
}

impl RunSummary {
    /// `items`: the run's recorded items (the counts not kept on the run row come from them).
    pub fn from_row(row: &RunRow, items: &[RunItem], first_failure_reason: Option<String>) -> Self {
        let count = |f: &dyn Fn(&RunItem) -> bool| {
            u32::try_from(items.iter().filter(|i| f(i)).count()).unwrap_or(u32::MAX)
        };
        let unconfirmed = count(&|i| i.item.outcome == ItemOutcome::Pending);
        let unbilled = count(&|i| {
            i.item.outcome == ItemOutcome::Skipped
                && i.item.cause.is_none_or(Cause::leaves_unbilled)
        });
        RunSummary {
            run_id: row.id,
            connector_id: row.connector_id,
            trigger: Trigger::from_store(row.trigger),
            dry_run: row.dry_run,
            status: row.status,
            started_at: row.started_at,
            finished_at: row.finished_at,
            counts: RunCounts::from_totals(row.totals, unconfirmed, unbilled),
            first_failure_reason,
            attention: Vec::new(),
        }
    }
}

/// Apply progress: `done` of `total` writes finished.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct Progress {
    #[ts(type = "number")]
    pub run_id: i64,
    pub done: u32,
    pub total: u32,
}
