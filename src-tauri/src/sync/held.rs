//! Reviewing held changes: the operator approves or rejects each held item (a large decrease, a
//! spike, a fallback count, a customer leaving — whatever the reason), and the approved ones
//! are applied as a run of their own through the engine's approve path ([`super::apply_plan`]
//! with `approve_held`).
//!
//! [`review`] turns a plan into that run's plan: exactly its held items, the approved ones still
//! held (so the approve path writes them), the rejected ones skipped with the reason. Pure.

use std::collections::HashSet;

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::model::{Action, Plan, PlanItem, PlanTotals};
use crate::model::{Cause, WorkspaceId};

/// One held item, as the review names it (workspace × service).
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct HeldKey {
    pub workspace_id: WorkspaceId,
    pub service_key: String,
}

impl HeldKey {
    pub fn of(item: &PlanItem) -> HeldKey {
        HeldKey {
            workspace_id: item.workspace_id.clone(),
            service_key: item.service_key.clone(),
        }
    }
}

/// Why a review could not be made into a run.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReviewError {
    #[error("Nothing is held in this preview: there is nothing to review")]
    NothingHeld,
    #[error(
        "{0} is not held in this preview (it may have changed since): review the held changes again"
    )]
    NotHeld(String),
}

/// The held items of `plan`, nothing else.
pub fn held_only(plan: &Plan) -> Plan {
    let items: Vec<PlanItem> = plan
        .items
        .iter()
        .filter(|i| i.action == Action::Hold)
        .cloned()
        .collect();
    Plan {
        connector_id: plan.connector_id,
        totals: PlanTotals::of(&items),
        items,
        generated_at: plan.generated_at,
    }
}

/// The review run's plan: the held items of `plan`; those in `approved` stay held, the others
/// are skipped as rejected. Every approved key must name a held item.
pub fn review(plan: &Plan, approved: &[HeldKey]) -> Result<Plan, ReviewError> {
    let mut held = held_only(plan);
    if held.items.is_empty() {
        return Err(ReviewError::NothingHeld);
    }
    let wanted: HashSet<&HeldKey> = approved.iter().collect();
    if let Some(missing) = approved
        .iter()
        .find(|k| !held.items.iter().any(|i| HeldKey::of(i) == **k))
    {
        return Err(ReviewError::NotHeld(format!(
            "{} / {}",
            missing.workspace_id.0, missing.service_key
        )));
    }
    for item in &mut held.items {
        let was = item.reason.clone().unwrap_or_default();
        if wanted.contains(&HeldKey::of(item)) {
            item.reason = Some(format!("Approved on review. {was}"));
        } else {
            item.action = Action::Skip;
            item.cause = Some(Cause::Rejected);
            item.reason = Some(format!("Rejected on review: not written. {was}"));
        }
    }
    held.totals = PlanTotals::of(&held.items);
    Ok(held)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::ConnectorId;

    fn item(ws: &str, svc: &str, action: Action) -> PlanItem {
        PlanItem {
            workspace_id: WorkspaceId(ws.into()),
            workspace_name: ws.into(),
            service_key: svc.into(),
            service_name: svc.into(),
            unit: None,
            company_id: None,
            company_name: None,
            product_id: None,
            product_name: None,
            line_ref: None,
            line_name: None,
            line: None,
            new_line: None,
            before: Some(10),
            after: Some(2),
            action,
            reason: Some("A decrease of 80% (limit 50%) from 10 to 2 is held".into()),
            flag: None,
            cause: None,
        }
    }

    fn plan(items: Vec<PlanItem>) -> Plan {
        Plan {
            connector_id: ConnectorId(1),
            totals: PlanTotals::of(&items),
            items,
            generated_at: chrono::Utc::now(),
        }
    }

    fn key(ws: &str, svc: &str) -> HeldKey {
        HeldKey {
            workspace_id: WorkspaceId(ws.into()),
            service_key: svc.into(),
        }
    }

    #[test]
    fn only_held_items_remain_approved_held_and_rejected_skipped() {
        let p = plan(vec![
            item("a", "edr", Action::Hold),
            item("a", "email", Action::Increase),
            item("b", "edr", Action::Hold),
            item("c", "edr", Action::Decrease),
        ]);
        let r = review(&p, &[key("b", "edr")]).unwrap();
        let got: Vec<_> = r
            .items
            .iter()
            .map(|i| (i.workspace_id.0.as_str(), i.action))
            .collect();
        assert_eq!(got, vec![("a", Action::Skip), ("b", Action::Hold)]);
        assert!(r.items[0]
            .reason
            .as_deref()
            .unwrap()
            .starts_with("Rejected on review"));
        assert_eq!(r.items[0].cause, Some(Cause::Rejected));
        assert!(r.items[1]
            .reason
            .as_deref()
            .unwrap()
            .starts_with("Approved on review"));
        assert_eq!((r.totals.hold, r.totals.skip, r.totals.increase), (1, 1, 0));
        // The approve path writes exactly the approved one.
        assert_eq!(r.writes(true), 1);
        assert_eq!(r.writes(false), 0);
        // All approved, none approved.
        assert_eq!(
            review(&p, &[key("a", "edr"), key("b", "edr")])
                .unwrap()
                .writes(true),
            2
        );
        assert_eq!(review(&p, &[]).unwrap().writes(true), 0);
    }

    #[test]
    fn approving_what_is_not_held_is_refused() {
        let p = plan(vec![
            item("a", "edr", Action::Hold),
            item("a", "email", Action::Increase),
        ]);
        let e = review(&p, &[key("a", "email")]).unwrap_err();
        assert_eq!(e, ReviewError::NotHeld("a / email".into()));
        let none = plan(vec![item("a", "email", Action::Increase)]);
        assert_eq!(review(&none, &[]).unwrap_err(), ReviewError::NothingHeld);
    }
}
