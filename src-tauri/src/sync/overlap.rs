//! Likely double billing: a company billed for a Coro bundle *and* for a module or add-on that
//! bundle includes. The usage source says which (workspace, service) pairs overlap
//! ([`super::UsageReport::double_billing`], from Coro's bundleInfo); the planner holds every
//! change of those lines until the operator approves one, and flags a line that needs no change
//! (nothing to write, so nothing to approve, but never silent). Pure.

use super::model::{Action, Flag, PlanItem};
use super::plan::PlanPolicy;

/// The item for a line (now `before`, Coro says `after`) that overlaps another billed line.
pub fn double_billing(
    mut item: PlanItem,
    before: i64,
    after: i64,
    why: &str,
    policy: &PlanPolicy,
) -> PlanItem {
    item.after = Some(after);
    item.flag = Some(Flag::DoubleBilling);
    item.action = if after == before {
        Action::Unchanged
    } else if policy.approve_held {
        if after > before {
            Action::Increase
        } else {
            Action::Decrease
        }
    } else {
        Action::Hold
    };
    item.reason = Some(match item.action {
        Action::Unchanged => format!(
            "The quantity is right ({before}), but {why}: unmap the one the company should not \
             pay for"
        ),
        Action::Hold => format!(
            "Held, {why}: the change from {before} to {after} waits for approval — approve the \
             line that should bill (and unmap the other), or reject both"
        ),
        _ => format!("Approved by the operator, although {why}"),
    });
    item
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::WorkspaceId;

    fn item() -> PlanItem {
        PlanItem {
            workspace_id: WorkspaceId("a_1".into()),
            workspace_name: "A".into(),
            service_key: "edr".into(),
            service_name: "EDR".into(),
            unit: None,
            company_id: None,
            company_name: None,
            product_id: None,
            product_name: None,
            line_ref: None,
            line_name: None,
            line: None,
            before: Some(10),
            after: None,
            action: Action::Skip,
            reason: None,
            flag: None,
            cause: None,
            new_line: None,
        }
    }

    #[test]
    fn overlapping_lines_are_held_approved_or_flagged() {
        let why = "likely double billing: Coro Complete (bundle) includes EDR";
        let held = PlanPolicy::default();
        let approved = PlanPolicy {
            approve_held: true,
            ..PlanPolicy::default()
        };
        let cases = [
            ("increase held", 10, 12, held, Action::Hold),
            ("decrease held", 10, 9, held, Action::Hold),
            ("approved increase", 10, 12, approved, Action::Increase),
            ("approved decrease", 10, 9, approved, Action::Decrease),
            ("no change", 10, 10, held, Action::Unchanged),
            ("no change approved", 10, 10, approved, Action::Unchanged),
        ];
        for (case, before, after, policy, want) in cases {
            let got = double_billing(item(), before, after, why, &policy);
            assert_eq!(got.action, want, "{case}");
            assert_eq!(got.after, Some(after), "{case}");
            assert_eq!(got.flag, Some(Flag::DoubleBilling), "{case}");
            let reason = got.reason.unwrap_or_default();
            assert!(reason.contains(why), "{case}: {reason}");
        }
    }
}
