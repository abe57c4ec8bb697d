//! *Exclude from billing*: the plan never writes an excluded workspace × service; the item is
//! skipped and says who excluded it and when. Applied to every plan (preview, run, the fresh
//! plan of an expired preview), so an exclusion holds everywhere. Pure.

use super::model::{Action, Plan, PlanTotals};
use crate::model::Cause;
use crate::store::exclusions::Exclusion;

/// The reason an excluded item shows (the UI recognises it by this start).
pub const EXCLUDED: &str = "Excluded from billing";

/// Skips every item of `plan` whose pair is excluded.
pub fn apply(plan: &mut Plan, excluded: &[Exclusion]) {
    if excluded.is_empty() {
        return;
    }
    for item in &mut plan.items {
        let Some(e) = excluded
            .iter()
            .find(|e| e.workspace_id == item.workspace_id.0 && e.service_key == item.service_key)
        else {
            continue;
        };
        item.action = Action::Skip;
        item.flag = None;
        item.cause = Some(Cause::Excluded);
        item.reason = Some(format!(
            "{EXCLUDED} by {} on {}: never written until included again",
            e.excluded_by,
            e.excluded_at.format("%Y-%m-%d %H:%M UTC")
        ));
    }
    plan.totals = PlanTotals::of(&plan.items);
}
