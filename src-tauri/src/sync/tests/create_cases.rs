//! *Create missing lines*: the plan's shape (one named case per branch) and how a create whose
//! answer was lost is settled by reading.

use super::plan_cases::{base, count, no_line, qty, APPROVED, C, HOLD, P};
use crate::model::{PsaKind, WorkspaceId};
use crate::psa::{BillingState, LineLookup, NewLine};
use crate::store::runs::{ItemAction, ItemOutcome, NewItem};
use crate::store::testing::at;
use crate::sync::create::{resolution, shape};
use crate::sync::gather::Gathered;
use crate::sync::model::{Action, Flag};
use crate::sync::plan::{plan, PlanPolicy};

fn target() -> NewLine {
    NewLine {
        company: C,
        product: P,
        psa: PsaKind::Connectwise,
        container_id: 90,
        container_name: "Managed Services".into(),
    }
}

fn shaped(g: &Gathered, on: bool, policy: &PlanPolicy) -> crate::sync::PlanItem {
    let mut p = plan(g, policy, at(0));
    shape(&mut p, g, on, policy.approve_held);
    p.items.remove(0)
}

/// (case, gathered, option on, policy, action, flag, reason fragment)
type ShapeCase = (
    &'static str,
    Gathered,
    bool,
    PlanPolicy,
    Action,
    Option<Flag>,
    &'static str,
);

#[test]
fn shape_table() {
    let missing = |n: i64, t: Result<NewLine, String>| {
        let mut g = base();
        count(&mut g, Ok(n));
        no_line(&mut g);
        g.billing.new_lines.insert((C, P), t);
        g
    };
    // (case, gathered, option on, policy, action, flag, reason fragment)
    let cases: Vec<ShapeCase> = vec![
        (
            "option off: skipped as before",
            missing(12, Ok(target())),
            false,
            HOLD,
            Action::Skip,
            None,
            "No agreement/contract line bills",
        ),
        (
            "one agreement: create held",
            missing(12, Ok(target())),
            true,
            HOLD,
            Action::Hold,
            Some(Flag::Create),
            "creating one on 'Managed Services' with quantity 12 is held for approval",
        ),
        (
            "approved: written as an increase from nothing",
            missing(12, Ok(target())),
            true,
            APPROVED,
            Action::Increase,
            Some(Flag::Create),
            "approved by the operator",
        ),
        (
            "two agreements: skipped, never a guess",
            missing(12, Err("the company has 2 current agreements".into())),
            true,
            HOLD,
            Action::Skip,
            None,
            "Not created: the company has 2 current agreements",
        ),
        (
            "Coro counts 0: nothing to create",
            missing(0, Ok(target())),
            true,
            HOLD,
            Action::Skip,
            None,
            "No agreement/contract line bills",
        ),
        (
            "a line exists: a normal change",
            {
                let mut g = base();
                count(&mut g, Ok(12));
                qty(&mut g, 10);
                g.billing.new_lines.insert((C, P), Ok(target()));
                g
            },
            true,
            HOLD,
            Action::Increase,
            None,
            "",
        ),
    ];
    for (name, g, on, policy, action, flag, fragment) in cases {
        let item = shaped(&g, on, &policy);
        assert_eq!((item.action, item.flag), (action, flag), "{name}: {item:?}");
        let reason = item.reason.clone().unwrap_or_default();
        assert!(reason.contains(fragment), "{name}: {reason}");
        if flag == Some(Flag::Create) {
            assert_eq!(
                item.line_ref.as_deref(),
                Some("agreement 90 / new line"),
                "{name}"
            );
            assert_eq!((item.before, item.after), (None, Some(12)), "{name}");
            assert_eq!(item.new_line, Some(target()), "{name}");
        }
    }
}

fn journal_row(line_ref: &str) -> NewItem {
    NewItem {
        workspace_id: WorkspaceId("ws_a".into()),
        workspace_name: Some("Acme".into()),
        service_key: "edr".into(),
        company_id: Some(C),
        product_id: Some(P),
        line_ref: Some(line_ref.into()),
        action: ItemAction::Increase,
        before_qty: None,
        after_qty: Some(12),
        outcome: ItemOutcome::Pending,
        reason: None,
        cause: None,
    }
}

#[test]
fn a_lost_create_is_settled_by_reading() {
    let read = |l: LineLookup| {
        let mut s = BillingState::default();
        s.lines.insert((C, P), l);
        s
    };
    let on = |agreement: i64, q: i64| {
        let mut line = super::fakes::line(7, 11, 34, q);
        line.key = crate::psa::LineKey::Connectwise {
            agreement_id: agreement,
            addition_id: 34,
        };
        LineLookup::One { line }
    };
    let none = LineLookup::None {
        reason: "no addition".into(),
    };
    // (case, read, outcome, reason fragment)
    let cases = vec![
        (
            "created with the quantity",
            read(on(90, 12)),
            ItemOutcome::Applied,
            "was created holding 12",
        ),
        (
            "nothing created",
            read(none),
            ItemOutcome::Failed,
            "Not created",
        ),
        (
            "another quantity: the operator checks",
            read(on(90, 5)),
            ItemOutcome::Pending,
            "expected 12",
        ),
        (
            "on another agreement: the operator checks",
            read(on(91, 12)),
            ItemOutcome::Pending,
            "does not create it again",
        ),
        (
            "not readable: stays pending",
            BillingState::default(),
            ItemOutcome::Pending,
            "returned nothing",
        ),
    ];
    let row = journal_row("agreement 90 / new line");
    for (name, current, outcome, fragment) in cases {
        let (got, why) = resolution(&row, &current).expect("a create row");
        assert_eq!(got, outcome, "{name}: {why}");
        assert!(why.contains(fragment), "{name}: {why}");
    }
    // A quantity change is not a create.
    let mut change = journal_row("agreement 90 / addition 34");
    change.before_qty = Some(3);
    assert!(resolution(&change, &BillingState::default()).is_none());
}

/// ws_a → company 1 with one agreement (100) and no line for edr (product 11); Coro counts 12.
fn missing_line(on: bool) -> super::fakes::Harness {
    let mut h = super::fakes::Harness::new();
    h.map_workspace("ws_a", 1);
    h.map_service("edr", 11, None);
    h.source.count("ws_a", "edr", 12, 1);
    {
        let mut s = h.psa.state();
        s.agreements.insert(crate::model::CompanyRef(1), 100);
        s.products.push(crate::model::ProductRef(11));
    }
    let conn = h.t.store.conn().unwrap();
    let b = crate::sync::cadence::Billing {
        create_missing: on,
        ..Default::default()
    };
    crate::sync::cadence::save(&conn, h.connector, &b).unwrap();
    h
}

async fn sync(h: &super::fakes::Harness, approve: bool) -> crate::sync::run::RunResult {
    let mut req = super::apply_cases::req(h, crate::sync::Trigger::Cli, false);
    req.policy.approve_held = approve;
    crate::sync::run::run(&h.env(), &req, &|_| {})
        .await
        .unwrap()
}

fn journal(h: &super::fakes::Harness, run_id: i64) -> Vec<NewItem> {
    let conn = h.t.store.conn().unwrap();
    crate::store::runs::items(&conn, run_id)
        .unwrap()
        .into_iter()
        .map(|i| i.item)
        .collect()
}

#[tokio::test]
async fn a_create_is_held_then_made_once_and_a_rerun_writes_nothing() {
    let h = missing_line(true);
    let held = sync(&h, false).await;
    assert_eq!(held.plan.items[0].action, Action::Hold);
    assert!(h.psa.state().creates.is_empty(), "nothing before approval");
    assert_eq!(held.summary.status, crate::store::runs::RunStatus::Held);

    let made = sync(&h, true).await;
    assert_eq!(h.psa.state().creates, vec![(100, 11, 12)]);
    let row = &journal(&h, made.summary.run_id)[0];
    assert_eq!(
        (
            row.outcome,
            row.line_ref.as_deref(),
            row.before_qty,
            row.after_qty
        ),
        (
            ItemOutcome::Applied,
            Some("agreement 100 / addition 900"),
            None,
            Some(12)
        )
    );

    let again = sync(&h, true).await;
    assert_eq!(again.plan.items[0].action, Action::Unchanged);
    assert_eq!(h.psa.state().creates.len(), 1);
}

#[tokio::test]
async fn off_by_default_the_pair_is_skipped() {
    let h = missing_line(false);
    let r = sync(&h, true).await;
    assert_eq!(r.plan.items[0].action, Action::Skip);
    assert!(h.psa.state().creates.is_empty());
}

#[tokio::test]
async fn a_lost_create_answer_is_settled_by_the_next_run_not_sent_again() {
    let h = missing_line(true);
    h.psa.state().lose_create = true;
    let lost = sync(&h, true).await;
    assert_eq!(lost.summary.counts.unconfirmed, 1);
    let next = sync(&h, true).await;
    assert_eq!(next.plan.items[0].action, Action::Unchanged);
    assert_eq!(h.psa.state().creates.len(), 1, "never sent again");
    let row = &journal(&h, lost.summary.run_id)[0];
    assert_eq!(row.outcome, ItemOutcome::Applied);
    assert!(row
        .reason
        .as_deref()
        .unwrap_or_default()
        .contains("was created holding 12"));
}
