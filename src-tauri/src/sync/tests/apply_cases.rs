//! Runs against a fake PSA and a real temp store: journaling, idempotence, failures, rate
//! limits, the held-decrease guard, preview → apply, and the changed-since-preview guard.

use std::sync::Mutex;
use std::time::Duration;

use super::fakes::{line, policy, Harness, Write};
use crate::clock::Clock;
use crate::error::{ApiError, ErrorCode};
use crate::psa::PsaError;
use crate::store::mappings::BillingUnit;
use crate::store::runs::{ItemAction, ItemOutcome, RunStatus};
use crate::store::status;
use crate::sync::model::{Progress, Trigger};
use crate::sync::{preview, run, RunRequest, SyncError, SyncPolicy};

/// ws_a → company 1, ws_b → company 2; edr → product 11 (devices), email → product 12 (users).
/// Writes planned: 111: 10 → 12, 211: 20 → 18, 212: 3 → 4; 112 (5 users) is unchanged.
pub fn two_by_two() -> Harness {
    let mut h = Harness::new();
    h.map_workspace("ws_a", 1);
    h.map_workspace("ws_b", 2);
    h.map_service("edr", 11, None);
    h.map_service("email", 12, Some(BillingUnit::User));
    for (c, p, id, q) in [
        (1, 11, 111, 10),
        (1, 12, 112, 5),
        (2, 11, 211, 20),
        (2, 12, 212, 3),
    ] {
        h.psa.add_line(line(c, p, id, q));
    }
    h.source.count("ws_a", "edr", 12, 1);
    h.source.count("ws_a", "email", 99, 5);
    h.source.count("ws_b", "edr", 18, 1);
    h.source.count("ws_b", "email", 99, 4);
    h
}

pub fn req(h: &Harness, trigger: Trigger, dry_run: bool) -> RunRequest {
    RunRequest {
        connector_id: h.connector,
        trigger,
        dry_run,
        policy: policy(),
    }
}

#[tokio::test]
async fn run_applies_changes_and_a_second_run_writes_nothing() {
    let h = two_by_two();
    let seen = Mutex::new(Vec::new());
    let record = |p: Progress| seen.lock().unwrap().push((p.done, p.total));
    let first = run(&h.env(), &req(&h, Trigger::Tray, false), &record)
        .await
        .unwrap();
    assert_eq!(first.summary.status, RunStatus::Succeeded);
    assert_eq!(
        (
            first.plan.totals.increase,
            first.plan.totals.decrease,
            first.plan.totals.unchanged
        ),
        (2, 1, 1)
    );
    assert_eq!(
        (
            h.psa.qty(111),
            h.psa.qty(112),
            h.psa.qty(211),
            h.psa.qty(212)
        ),
        (12, 5, 18, 4)
    );
    assert_eq!(h.psa.write_count(), 3);
    assert_eq!(*seen.lock().unwrap(), vec![(0, 3), (1, 3), (2, 3), (3, 3)]);
    let items = h.items(first.summary.run_id);
    let applied: Vec<_> = items
        .iter()
        .filter(|i| i.item.outcome == ItemOutcome::Applied)
        .collect();
    assert_eq!(applied.len(), 3);
    assert!(applied.iter().all(|i| i
        .request_id
        .as_deref()
        .is_some_and(|r| r.starts_with("req-"))));
    assert_eq!(first.summary.counts.applied, 3);
    let st = status::get(&h.t.store.conn().unwrap(), h.connector)
        .unwrap()
        .unwrap();
    assert_eq!(st.last_success_at, Some(h.clock.now()));

    let second = run(&h.env(), &req(&h, Trigger::Schedule, false), &|_| {})
        .await
        .unwrap();
    assert_eq!(h.psa.write_count(), 3, "idempotent: nothing written again");
    assert_eq!(second.plan.totals.unchanged, 4);
    assert_eq!(second.summary.status, RunStatus::Succeeded);
    assert_eq!(
        h.run_row(second.summary.run_id).summary(),
        "No changes needed"
    );
}

#[tokio::test]
async fn dry_run_writes_nothing_and_journals_the_plan() {
    let h = two_by_two();
    let r = preview(&h.env(), h.connector, Trigger::Cli, policy())
        .await
        .unwrap();
    assert_eq!(h.psa.write_count(), 0);
    assert!(r.summary.dry_run);
    assert_eq!(r.summary.status, RunStatus::Succeeded);
    assert_eq!(r.summary.counts.planned, 3);
    assert!(h
        .items(r.summary.run_id)
        .iter()
        .all(|i| i.item.outcome == ItemOutcome::Planned));
    let st = status::get(&h.t.store.conn().unwrap(), h.connector)
        .unwrap()
        .unwrap();
    assert_eq!(st.last_attempt_at, None, "a preview is not a sync attempt");
}

#[tokio::test]
async fn a_failing_item_does_not_stop_the_others() {
    let h = two_by_two();
    let rejected = PsaError::Rejected {
        message: "HTTP 400: addition is locked".into(),
        request_id: Some("cw-9".into()),
    };
    h.psa.script(111, [Write::Fail(rejected)]);
    let r = run(&h.env(), &req(&h, Trigger::Ui, false), &|_| {})
        .await
        .unwrap();
    assert_eq!(r.summary.status, RunStatus::Partial);
    assert_eq!(
        (h.psa.qty(111), h.psa.qty(211), h.psa.qty(212)),
        (10, 18, 4)
    );
    let failed = h
        .items(r.summary.run_id)
        .into_iter()
        .find(|i| i.item.outcome == ItemOutcome::Failed)
        .unwrap();
    assert_eq!(
        failed.item.reason.as_deref(),
        Some("HTTP 400: addition is locked")
    );
    assert_eq!(failed.request_id.as_deref(), Some("cw-9"));
    let first = r.summary.first_failure_reason.unwrap();
    assert_eq!(first, "ws_a name / edr: HTTP 400: addition is locked");
    let st = status::get(&h.t.store.conn().unwrap(), h.connector)
        .unwrap()
        .unwrap();
    assert!(st.last_error.unwrap().contains("addition is locked"));
    // The next run retries only the failed line.
    run(&h.env(), &req(&h, Trigger::Ui, false), &|_| {})
        .await
        .unwrap();
    assert_eq!(
        (h.psa.writes_to(111), h.psa.writes_to(211), h.psa.qty(111)),
        (2, 1, 12)
    );
}

fn limited(secs: Option<u64>) -> Write {
    Write::Fail(PsaError::RateLimited {
        message: "429 Too Many Requests".into(),
        retry_after_secs: secs,
    })
}

#[tokio::test]
async fn rate_limit_storm_pauses_then_stops_attempting() {
    let mut h = two_by_two();
    h.map_workspace("ws_c", 3);
    h.psa.add_line(line(3, 11, 311, 1));
    h.psa.add_line(line(3, 12, 312, 1));
    h.source.count("ws_c", "edr", 2, 0);
    h.source.count("ws_c", "email", 0, 2);
    // Writes in plan order: 111, 211, 212, 311, 312. Every one answers 429.
    for id in [111, 211, 212, 311, 312] {
        h.psa.script(id, [limited(Some(7))]);
    }
    let r = run(&h.env(), &req(&h, Trigger::Schedule, false), &|_| {})
        .await
        .unwrap();
    assert_eq!(
        h.psa.write_count(),
        3,
        "trips after 3 rate-limited items in a row"
    );
    assert_eq!(h.clock.slept(), vec![Duration::from_secs(7); 2]);
    assert_eq!(r.summary.status, RunStatus::Failed);
    let reasons: Vec<_> = h
        .items(r.summary.run_id)
        .into_iter()
        .filter(|i| i.item.outcome == ItemOutcome::Failed)
        .map(|i| i.item.reason.unwrap())
        .collect();
    assert_eq!(reasons.len(), 5);
    assert!(reasons[..3]
        .iter()
        .all(|r| r.contains("kept rate-limiting after retries (429 Too Many Requests)")));
    assert!(reasons[3..].iter().all(|r| r.starts_with("Not attempted")));
}

#[tokio::test]
async fn an_isolated_rate_limit_pauses_capped_and_continues() {
    let h = two_by_two();
    h.psa.script(111, [limited(Some(3600))]);
    h.psa.script(211, [limited(None)]);
    let r = run(&h.env(), &req(&h, Trigger::Ui, false), &|_| {})
        .await
        .unwrap();
    assert_eq!(r.summary.status, RunStatus::Partial);
    assert_eq!(
        h.clock.slept(),
        vec![Duration::from_secs(120), Duration::from_secs(30)]
    );
    assert_eq!(h.psa.qty(212), 4, "the write after two 429s still happens");
}

#[tokio::test]
async fn held_decreases_wait_for_approval_and_never_apply_on_schedule() {
    let mut h = two_by_two();
    // 211: 20 → 2 is a 90 % decrease.
    h.source.count("ws_b", "edr", 2, 0);
    let approving = SyncPolicy {
        approve_held: true,
        ..policy()
    };
    let scheduled = RunRequest {
        policy: approving,
        ..req(&h, Trigger::Schedule, false)
    };
    let r = run(&h.env(), &scheduled, &|_| {}).await.unwrap();
    assert_eq!(r.plan.totals.hold, 1);
    assert_eq!(
        h.psa.qty(211),
        20,
        "the schedule never applies a held decrease"
    );
    assert_eq!(r.summary.status, RunStatus::Held);
    assert_eq!(
        h.run_row(r.summary.run_id).error.as_deref(),
        Some("1 change(s) held for approval: review them in the preview")
    );
    let held = h
        .items(r.summary.run_id)
        .into_iter()
        .find(|i| i.item.action == ItemAction::Hold)
        .unwrap();
    assert_eq!(held.item.outcome, ItemOutcome::Held);

    let manual = RunRequest {
        policy: approving,
        ..req(&h, Trigger::Ui, false)
    };
    let r = run(&h.env(), &manual, &|_| {}).await.unwrap();
    assert_eq!(h.psa.qty(211), 2);
    assert_eq!(r.summary.status, RunStatus::Succeeded);
}

#[tokio::test]
async fn a_source_failure_is_an_error_and_a_failed_run() {
    let mut h = two_by_two();
    h.source.fail = Some(ApiError::new(
        ErrorCode::Unauthorized,
        "Coro rejected the client secret",
    ));
    let err = run(&h.env(), &req(&h, Trigger::Schedule, false), &|_| {})
        .await
        .unwrap_err();
    assert!(matches!(err, SyncError::Gather(_)));
    let api = ApiError::from(err);
    assert_eq!(api.code, ErrorCode::Unauthorized);
    assert_eq!(
        api.message,
        "Could not read Coro: Coro rejected the client secret"
    );
    let conn = h.t.store.conn().unwrap();
    let row = crate::store::runs::latest(&conn, h.connector, true)
        .unwrap()
        .unwrap();
    assert_eq!(row.status, RunStatus::Failed);
    let st = status::get(&conn, h.connector).unwrap().unwrap();
    assert_eq!(
        st.last_error.as_deref(),
        Some("Could not read Coro: Coro rejected the client secret")
    );
    assert_eq!(h.psa.write_count(), 0);
}

#[tokio::test]
async fn a_psa_read_failure_is_an_error_with_the_psa_code() {
    let h = two_by_two();
    h.psa.state().read_error = Some(PsaError::Unreachable("connect timed out".into()));
    let err = run(&h.env(), &req(&h, Trigger::Ui, false), &|_| {})
        .await
        .unwrap_err();
    assert_eq!(ApiError::from(err).code, ErrorCode::Unreachable);
}

#[test]
fn run_future_is_send() {
    fn assert_send<T: Send>(_: &T) {}
    let h = two_by_two();
    let env = h.env();
    let r = req(&h, Trigger::Ui, false);
    let progress = |_: Progress| {};
    let fut = run(&env, &r, &progress);
    assert_send(&fut);
}

/// `n` workspaces (`ws_1`…), each mapped to company `i` with one EDR line (`100 + i`) billing 10,
/// and Coro counting `devices` for each.
fn edr_lines(n: i64, devices: i64) -> Harness {
    let mut h = Harness::new();
    h.map_service("edr", 11, None);
    for i in 1..=n {
        let ws = format!("ws_{i}");
        h.map_workspace(&ws, i);
        h.psa.add_line(line(i, 11, 100 + i, 10));
        h.source.count(&ws, "edr", devices, 1);
    }
    h
}

#[tokio::test]
async fn writes_go_out_as_wide_as_the_psa_allows_and_each_is_journaled() {
    // Ten workspaces, each one line off by one: ten writes.
    let h = edr_lines(10, 11);
    h.psa.state().write_width = 4;
    let seen = Mutex::new(Vec::new());
    let record = |p: Progress| seen.lock().unwrap().push((p.done, p.total));
    let r = run(&h.env(), &req(&h, Trigger::Ui, false), &record)
        .await
        .unwrap();
    assert_eq!(r.summary.status, RunStatus::Succeeded);
    assert_eq!(
        h.psa.state().max_in_flight,
        4,
        "four writes in flight, never more"
    );
    assert_eq!(h.psa.write_count(), 10, "each change written exactly once");
    for i in 1..=10i64 {
        assert_eq!(h.psa.qty(100 + i), 11);
    }
    let items = h.items(r.summary.run_id);
    let applied: Vec<_> = items
        .iter()
        .filter(|i| i.item.outcome == ItemOutcome::Applied)
        .collect();
    assert_eq!(applied.len(), 10);
    assert!(
        applied.iter().all(|i| i.request_id.is_some()),
        "request ids recorded"
    );
    assert_eq!(
        seen.lock().unwrap().last(),
        Some(&(10, 10)),
        "progress reaches the end"
    );
    // Idempotent: a second run writes nothing.
    run(&h.env(), &req(&h, Trigger::Ui, false), &|_| {})
        .await
        .unwrap();
    assert_eq!(h.psa.write_count(), 10);
}

#[tokio::test]
async fn writes_go_in_batches_of_the_psas_choosing_each_journaled_first() {
    // Autotask checks a whole batch with one read before and one after, so it asks for batches
    // wider than its thread limit: apply hands them over whole, journaled `pending` first.
    let h = edr_lines(14, 13);
    {
        let mut s = h.psa.state();
        s.write_width = 3;
        s.batch_size = 6;
    }
    let seen = Mutex::new(Vec::new());
    let record = |p: Progress| seen.lock().unwrap().push(p.done);
    let r = run(&h.env(), &req(&h, Trigger::Ui, false), &record)
        .await
        .unwrap();
    assert_eq!(r.summary.status, RunStatus::Succeeded);
    // The first write goes alone (its verification is seen before any other is sent).
    assert_eq!(h.psa.state().batches, vec![1, 6, 6, 1]);
    assert_eq!(
        h.psa.state().max_in_flight,
        3,
        "never more than the width in flight"
    );
    assert_eq!(h.psa.write_count(), 14, "each change written exactly once");
    let seen = seen.lock().unwrap().clone();
    assert!(
        seen.windows(2).all(|w| w[0] <= w[1]),
        "progress never goes back: {seen:?}"
    );
    assert!(
        (1..=14).all(|n| seen.contains(&n)),
        "progress moves with each write, not only per batch: {seen:?}"
    );
    assert_eq!(seen.last(), Some(&14));

    // A crash while a batch is out: every write of that batch was journaled first, and the next
    // run settles them by reading instead of sending any again.
    let h = edr_lines(8, 12);
    {
        let mut s = h.psa.state();
        s.write_width = 3;
        s.batch_size = 6;
    }
    h.psa.script(105, [Write::LandThenHang]);
    let crashed = tokio::time::timeout(
        Duration::from_millis(200),
        run(&h.env(), &req(&h, Trigger::Ui, false), &|_| {}),
    )
    .await;
    assert!(crashed.is_err(), "the run never finished (killed)");
    let first = h.psa.write_count();
    let r = run(&h.env(), &req(&h, Trigger::Ui, false), &|_| {})
        .await
        .unwrap();
    for i in 1..=8i64 {
        assert_eq!(h.psa.qty(100 + i), 12, "line {}", 100 + i);
        assert_eq!(h.psa.writes_to(100 + i), 1, "line {} written once", 100 + i);
    }
    assert_eq!(
        h.psa.write_count() - first,
        8 - first,
        "only unsent writes are sent"
    );
    assert_ne!(r.summary.status, RunStatus::Failed);
}

#[tokio::test]
async fn a_crash_in_the_middle_of_a_batch_is_resolved_without_a_second_write() {
    let h = edr_lines(4, 12);
    h.psa.state().write_width = 4;
    // In one batch: line 102 lands and the process dies before the answer; 103 never leaves.
    h.psa.script(102, [Write::LandThenHang]);
    h.psa.script(103, [Write::Hang]);
    let crashed = tokio::time::timeout(
        Duration::from_millis(200),
        run(&h.env(), &req(&h, Trigger::Ui, false), &|_| {}),
    )
    .await;
    assert!(crashed.is_err(), "the run never finished (killed)");
    assert_eq!(h.psa.qty(102), 12, "the lost write landed");
    assert_eq!(h.psa.qty(103), 10, "the hung write did not");
    let writes_before = h.psa.write_count();
    // The next run resolves the pending items by reading, then writes only what is missing.
    let r = run(&h.env(), &req(&h, Trigger::Ui, false), &|_| {})
        .await
        .unwrap();
    for i in 1..=4i64 {
        assert_eq!(h.psa.qty(100 + i), 12, "line {}", 100 + i);
    }
    assert_eq!(
        h.psa.writes_to(102),
        1,
        "the landed write was never sent again"
    );
    assert_eq!(
        h.psa.write_count() - writes_before,
        1,
        "only the hung write is redone"
    );
    assert_ne!(r.summary.status, RunStatus::Failed);
}

/// A run that succeeds but leaves a line unbilled says so in its counts; a line the operator
/// excluded is skipped too but is not "unbilled" (it is their choice).
#[tokio::test]
async fn a_succeeded_run_counts_the_lines_it_left_unbilled_but_not_exclusions() {
    let mut h = Harness::new();
    h.map_workspace("ws_a", 1);
    h.map_workspace("ws_b", 2);
    h.map_service("edr", 11, None);
    // ws_a / edr has its line; ws_b / edr has none (nothing bills it: unbilled).
    h.psa.add_line(line(1, 11, 111, 10));
    h.source.count("ws_a", "edr", 12, 1);
    h.source.count("ws_b", "edr", 7, 1);
    h.map_service("email", 12, Some(BillingUnit::User));
    h.psa.add_line(line(1, 12, 112, 5));
    h.source.count("ws_a", "email", 1, 9);
    h.source.count("ws_b", "email", 1, 0);
    h.psa.add_line(line(2, 12, 212, 0));
    crate::store::exclusions::exclude(
        &h.t.store.conn().unwrap(),
        h.connector,
        "ws_a",
        "email",
        "tester",
        h.clock.now(),
    )
    .unwrap();

    let r = run(&h.env(), &req(&h, Trigger::Tray, false), &|_| {})
        .await
        .unwrap();
    assert_eq!(r.summary.status, RunStatus::Succeeded);
    assert_eq!(r.summary.counts.applied, 1, "ws_a / edr 10 → 12");
    assert_eq!(
        r.summary.counts.skipped, 2,
        "the missing line and the exclusion"
    );
    assert_eq!(r.summary.counts.unbilled, 1, "only the missing line");
    let causes: Vec<_> = h
        .items(r.summary.run_id)
        .into_iter()
        .filter_map(|i| i.item.cause)
        .collect();
    assert!(
        causes.contains(&crate::model::Cause::NoLine)
            && causes.contains(&crate::model::Cause::Excluded),
        "{causes:?}"
    );
}
