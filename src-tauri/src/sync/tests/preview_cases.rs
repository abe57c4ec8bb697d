//! Preview → apply: apply executes exactly the previewed plan, re-reads each line first and
//! skips any that changed since, and applies held decreases only when approved (never for the
//! schedule).

use super::apply_cases::two_by_two;
use super::fakes::{line, policy};
use crate::model::{CompanyRef, ProductRef};
use crate::store::runs::{ItemAction, ItemOutcome, RunStatus};
use crate::sync::model::Trigger;
use crate::sync::{apply_plan, preview, SyncPolicy};

fn outcomes(h: &super::fakes::Harness, run_id: i64) -> Vec<(String, ItemOutcome)> {
    h.items(run_id)
        .into_iter()
        .map(|i| (i.item.line_ref.unwrap_or_default(), i.item.outcome))
        .collect()
}

#[tokio::test]
async fn preview_then_apply_applies_exactly_that_plan() {
    let mut h = two_by_two();
    h.source.count("ws_b", "edr", 2, 0); // held
    let pv = preview(&h.env(), h.connector, Trigger::Ui, policy())
        .await
        .unwrap();
    assert_eq!(pv.plan.totals.hold, 1);
    // Coro moves on after the preview: apply still does what the operator reviewed.
    h.source.count("ws_a", "edr", 50, 0);
    let s = apply_plan(&h.env(), &pv.plan, Trigger::Ui, policy(), &|_| {})
        .await
        .unwrap();
    assert_eq!(
        (h.psa.qty(111), h.psa.qty(211), h.psa.qty(212)),
        (12, 20, 4)
    );
    assert_eq!(s.status, RunStatus::Held);
    assert_eq!(s.counts.applied, 2);
    // Applying the same preview again writes nothing: every line moved since it was read.
    let again = apply_plan(&h.env(), &pv.plan, Trigger::Ui, policy(), &|_| {})
        .await
        .unwrap();
    assert_eq!(h.psa.write_count(), 2);
    assert_eq!(
        (again.counts.skipped, again.counts.held),
        (2, 1),
        "{again:?}"
    );
}

#[tokio::test]
async fn approved_held_decrease_is_applied_from_the_preview() {
    let mut h = two_by_two();
    h.source.count("ws_b", "edr", 2, 0);
    let pv = preview(&h.env(), h.connector, Trigger::Ui, policy())
        .await
        .unwrap();
    let approve = SyncPolicy {
        approve_held: true,
        ..policy()
    };
    let s = apply_plan(&h.env(), &pv.plan, Trigger::Ui, approve, &|_| {})
        .await
        .unwrap();
    assert_eq!(h.psa.qty(211), 2);
    assert_eq!(s.status, RunStatus::Succeeded);
    let item = h
        .items(s.run_id)
        .into_iter()
        .find(|i| i.item.line_ref.as_deref() == Some("agreement 200 / addition 211"))
        .unwrap();
    assert_eq!(
        (item.item.action, item.item.outcome),
        (ItemAction::Decrease, ItemOutcome::Applied)
    );
    assert!(item
        .item
        .reason
        .unwrap()
        .starts_with("Held change approved by the operator"));
    // The schedule cannot apply a preview's held decrease even if asked to.
    let mut h = two_by_two();
    h.source.count("ws_b", "edr", 2, 0);
    let pv = preview(&h.env(), h.connector, Trigger::Ui, policy())
        .await
        .unwrap();
    apply_plan(&h.env(), &pv.plan, Trigger::Schedule, approve, &|_| {})
        .await
        .unwrap();
    assert_eq!(h.psa.qty(211), 20);
}

#[tokio::test]
async fn changed_since_preview_is_skipped_not_overwritten() {
    let h = two_by_two();
    let pv = preview(&h.env(), h.connector, Trigger::Ui, policy())
        .await
        .unwrap();
    h.psa.set_qty(111, 11); // someone edits the PSA after the preview
    let s = apply_plan(&h.env(), &pv.plan, Trigger::Ui, policy(), &|_| {})
        .await
        .unwrap();
    assert_eq!(h.psa.qty(111), 11, "not overwritten");
    assert_eq!(h.psa.writes_to(111), 0);
    assert_eq!((h.psa.qty(211), h.psa.qty(212)), (18, 4));
    let got = outcomes(&h, s.run_id);
    assert!(
        got.contains(&("agreement 100 / addition 111".into(), ItemOutcome::Skipped)),
        "{got:?}"
    );
    let skipped = h
        .items(s.run_id)
        .into_iter()
        .find(|i| i.item.outcome == ItemOutcome::Skipped)
        .unwrap();
    assert_eq!(
        skipped.item.reason.as_deref(),
        Some(
            "The PSA quantity changed since the preview (10 then, 11 now); not overwritten — \
             preview again"
        )
    );
    assert_eq!(s.status, RunStatus::Succeeded);
}

#[tokio::test]
async fn a_line_replaced_since_preview_is_skipped() {
    let h = two_by_two();
    let pv = preview(&h.env(), h.connector, Trigger::Ui, policy())
        .await
        .unwrap();
    h.psa
        .state()
        .lines
        .insert((CompanyRef(2), ProductRef(12)), vec![line(2, 12, 999, 3)]);
    let s = apply_plan(&h.env(), &pv.plan, Trigger::Ui, policy(), &|_| {})
        .await
        .unwrap();
    assert_eq!(h.psa.writes_to(999) + h.psa.writes_to(212), 0);
    let reasons: Vec<_> = h
        .items(s.run_id)
        .into_iter()
        .filter_map(|i| i.item.reason)
        .collect();
    assert!(
        reasons.iter().any(
            |r| r.contains("line changed since the preview (now agreement 200 / addition 999)")
        ),
        "{reasons:?}"
    );
}

#[tokio::test]
async fn an_expired_preview_rereads_coro_and_shows_what_changed_before_writing() {
    let mut h = two_by_two();
    let pv = preview(&h.env(), h.connector, Trigger::Ui, policy())
        .await
        .unwrap();
    // 16 minutes later Coro counts differently: nothing is written, the change is named.
    h.clock.advance(std::time::Duration::from_secs(16 * 60));
    h.source.count("ws_a", "edr", 14, 0);
    let err = apply_plan(&h.env(), &pv.plan, Trigger::Ui, policy(), &|_| {})
        .await
        .unwrap_err();
    assert_eq!(
        h.psa.write_count(),
        0,
        "nothing written from a stale preview"
    );
    let msg = err.to_string();
    assert!(
        matches!(
            err,
            crate::sync::SyncError::PreviewExpired { minutes: 16, .. }
        ) && msg.contains("the preview said 10 → 12, now 10 → 14"),
        "{msg}"
    );
}

#[tokio::test]
async fn an_expired_preview_that_still_holds_is_applied() {
    let h = two_by_two();
    let pv = preview(&h.env(), h.connector, Trigger::Ui, policy())
        .await
        .unwrap();
    h.clock.advance(std::time::Duration::from_secs(30 * 60));
    let s = apply_plan(&h.env(), &pv.plan, Trigger::Ui, policy(), &|_| {})
        .await
        .unwrap();
    assert_eq!(s.counts.applied as usize, pv.plan.writes(false), "{s:?}");
    assert_eq!(h.psa.write_count(), pv.plan.writes(false));
    assert_eq!(h.psa.qty(111), 12);
}
