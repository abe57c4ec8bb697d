//! The planner's rules for vendors and data that misbehave: guards both ways (a spike, a fallback
//! count), churn (a workspace that left Coro), read failures, and changes awaiting the PSA. One
//! named case per rule on the base scenario (ws_a "Acme", EDR on one line holding 10).

use chrono::{TimeZone, Utc};

use super::plan_cases::{base, count, qty, ws, APPROVED, C, HOLD, P};
use crate::model::WorkspaceId;
use crate::psa::LineLookup;
use crate::sync::awaiting::AwaitingChange;
use crate::sync::gather::Gathered;
use crate::sync::model::Action::{self, Decrease, Hold, Increase, Skip, Unchanged};
use crate::sync::model::{Flag, PlanItem};
use crate::sync::plan::{plan, PlanPolicy};

fn one(g: &Gathered, policy: &PlanPolicy) -> PlanItem {
    let p = plan(g, policy, Utc.timestamp_opt(0, 0).unwrap());
    assert_eq!(p.items.len(), 1, "{:?}", p.items);
    p.items.into_iter().next().unwrap()
}

fn awaiting(g: &mut Gathered, before: i64, after: i64) {
    g.awaiting.insert(
        (C, P),
        AwaitingChange {
            item_id: 1,
            line_ref: Some("agreement 700 / addition 34".into()),
            before,
            after,
            request_id: Some("9001".into()),
            since: Utc.timestamp_opt(0, 0).unwrap(),
        },
    );
}

type Setup = fn(&mut Gathered);
type Want = (Action, Option<i64>, Option<Flag>, &'static str);

#[rustfmt::skip]
const CASES: &[(&str, Setup, PlanPolicy, Want)] = &[
    ("spike_held", |g| count(g, Ok(400)), HOLD,
        (Hold, Some(400), Some(Flag::Spike), "An increase of more than 2× and at least 10 units from 10 to 400 is held")),
    ("spike_approved", |g| count(g, Ok(400)), APPROVED,
        (Increase, Some(400), Some(Flag::Spike), "approved by the operator")),
    ("double_but_few_units_is_not_a_spike", |g| { qty(g, 4); count(g, Ok(12)) }, HOLD,
        (Increase, Some(12), None, "")),
    ("many_units_but_within_factor_is_not_a_spike", |g| { qty(g, 100); count(g, Ok(190)) }, HOLD,
        (Increase, Some(190), None, "")),
    ("from_zero_to_many_is_a_spike", |g| { qty(g, 0); count(g, Ok(25)) }, HOLD,
        (Hold, Some(25), Some(Flag::Spike), "from 0 to 25")),
    ("fallback_increase_held", |g| {
        count(g, Ok(11));
        g.usage.fallback.insert((ws(), "edr".into()), "the workspace's 11 protected devices".into());
    }, HOLD, (Hold, Some(11), Some(Flag::Fallback), "change built on a fallback count (the workspace's 11 protected devices)")),
    ("fallback_decrease_held", |g| {
        count(g, Ok(9));
        g.usage.fallback.insert((ws(), "edr".into()), "the workspace total".into());
    }, HOLD, (Hold, Some(9), Some(Flag::Fallback), "fallback count")),
    ("fallback_unchanged_is_not_held", |g| {
        g.usage.fallback.insert((ws(), "edr".into()), "the workspace total".into());
    }, HOLD, (Unchanged, Some(10), None, "")),
    ("churn_archived_approved", |g| g.coro_workspaces[0].archived = true, APPROVED,
        (Decrease, Some(0), Some(Flag::Churn), "ending its billing (10 → 0) approved")),
    ("churn_inactive_named", |g| {
        g.coro_workspaces[0].archived = true;
        g.coro_workspaces[0].status = "inactive".into();
    }, HOLD, (Hold, Some(0), Some(Flag::Churn), "is inactive in Coro")),
    ("churn_already_zero", |g| { qty(g, 0); g.coro_workspaces.clear() }, HOLD,
        (Unchanged, Some(0), Some(Flag::Churn), "already bills 0")),
    ("churn_without_a_line_is_a_plain_skip", |g| {
        g.coro_workspaces.clear();
        g.billing.lines.insert((C, P), LineLookup::None { reason: "no agreement".into() });
    }, HOLD, (Skip, None, None, "nothing to bill; unmap it")),
    ("coro_read_failed", |g| {
        g.usage.failed.insert(WorkspaceId("ws_a".into()), "Coro answered a cut-off body".into());
    }, HOLD, (Skip, None, Some(Flag::ReadFailed), "Coro could not be read for this workspace (Coro answered a cut-off body)")),
    ("psa_read_failed", |g| {
        g.billing.lines.insert((C, P), LineLookup::Unreadable { reason: "additions of agreement 34 kept failing".into() });
    }, HOLD, (Skip, Some(10), Some(Flag::ReadFailed), "The PSA could not be read for this company and product (additions of agreement 34 kept failing)")),
    ("awaiting_counts_as_made", |g| { awaiting(g, 10, 14); count(g, Ok(14)) }, HOLD,
        (Unchanged, Some(14), Some(Flag::Awaiting), "the accepted change 10 → 14 (adjustment 9001) does not show yet")),
    ("awaiting_blocks_the_next_change", |g| { awaiting(g, 10, 14); count(g, Ok(15)) }, HOLD,
        (Skip, Some(15), Some(Flag::Awaiting), "the next change (to 15) waits until it does")),
    ("awaiting_end_of_a_churned_workspace_is_not_proposed_again", |g| {
        awaiting(g, 10, 0);
        g.coro_workspaces[0].archived = true;
    }, APPROVED, (Unchanged, Some(0), Some(Flag::Awaiting), "the accepted change 10 → 0")),
    ("awaiting_end_of_a_churned_workspace_is_not_proposed_again", |g| {
        awaiting(g, 10, 0);
        g.coro_workspaces[0].archived = true;
    }, APPROVED, (Unchanged, Some(0), Some(Flag::Awaiting), "the accepted change 10 → 0")),
    ("awaiting_for_another_quantity_is_ignored", |g| { awaiting(g, 3, 14); count(g, Ok(12)) }, HOLD,
        (Increase, Some(12), None, "")),
];

#[test]
fn guards_churn_read_failures_and_awaiting() {
    for (name, setup, policy, want) in CASES {
        let mut g = base();
        setup(&mut g);
        let item = one(&g, policy);
        let reason = item.reason.clone().unwrap_or_default();
        assert_eq!(
            (item.action, item.after, item.flag),
            (want.0, want.1, want.2),
            "case {name}: {reason}"
        );
        assert!(
            reason.contains(want.3),
            "case {name}: {reason:?} lacks {:?}",
            want.3
        );
        // Nothing flagged awaiting or failed to read is ever written.
        if matches!(item.flag, Some(Flag::Awaiting | Flag::ReadFailed)) {
            assert!(matches!(item.action, Unchanged | Skip), "case {name}");
        }
    }
}

#[test]
fn nonsense_increase_factor_holds_rather_than_never() {
    let mut g = base();
    count(&mut g, Ok(20));
    let policy = PlanPolicy {
        max_increase_factor: f64::NAN,
        ..HOLD
    };
    assert_eq!(one(&g, &policy).action, Hold);
}
