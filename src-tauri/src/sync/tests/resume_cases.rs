//! Crash/kill resume, unconfirmed writes, single flight, and the CSV of a real run.

use std::collections::HashMap;
use std::time::Duration;

use super::apply_cases::{req, two_by_two};
use super::fakes::{line, policy, Write};
use crate::clock::Clock;
use crate::error::{ApiError, ErrorCode};
use crate::model::{CompanyRef, ProductRef, WorkspaceId};
use crate::psa::{BillingState, LineLookup, PsaError};
use crate::store::runs::{self, ItemAction, ItemOutcome, NewItem, RunStatus};
use crate::store::status;
use crate::sync::csv::{run_csv, CsvNames};
use crate::sync::lock::{LockError, SyncLock};
use crate::sync::model::Trigger;
use crate::sync::resume::resolution;
use crate::sync::{apply_plan, preview, run, SyncError};

fn item_outcome(h: &super::fakes::Harness, run_id: i64, line_ref: &str) -> (ItemOutcome, String) {
    let it = h
        .items(run_id)
        .into_iter()
        .find(|i| i.item.line_ref.as_deref() == Some(line_ref))
        .unwrap();
    (it.item.outcome, it.item.reason.unwrap_or_default())
}

const L211: &str = "agreement 200 / addition 211";

#[tokio::test]
async fn killed_after_a_write_landed_resumes_without_reapplying_it() {
    let h = two_by_two();
    h.psa.script(211, [Write::LandThenHang]);
    // "Kill" the run the moment the fake PSA says the write landed (the run is dropped there).
    let (env, first) = (h.env(), req(&h, Trigger::Schedule, false));
    tokio::select! {
        _ = run(&env, &first, &|_| {}) => panic!("the run finished instead of hanging at its write"),
        () = h.psa.hung() => {}
    }
    let killed = runs::latest(&h.t.store.conn().unwrap(), h.connector, false)
        .unwrap()
        .unwrap();
    assert_eq!(killed.status, RunStatus::Running);
    assert_eq!(item_outcome(&h, killed.id, L211).0, ItemOutcome::Pending);
    assert_eq!(h.psa.qty(211), 18, "the write landed before the kill");

    let r = run(&h.env(), &req(&h, Trigger::Tray, false), &|_| {})
        .await
        .unwrap();
    assert_eq!(h.psa.writes_to(211), 1, "never re-applied");
    assert_eq!(
        (h.psa.writes_to(111), h.psa.writes_to(212), h.psa.qty(212)),
        (1, 1, 4)
    );
    assert_eq!(h.run_row(killed.id).status, RunStatus::Interrupted);
    let (outcome, reason) = item_outcome(&h, killed.id, L211);
    assert_eq!(outcome, ItemOutcome::Applied);
    assert_eq!(reason, "Confirmed after the interruption: the PSA holds 18");
    assert_eq!(
        item_outcome(&h, r.summary.run_id, L211).0,
        ItemOutcome::Planned,
        "unchanged now"
    );
    assert_eq!(r.summary.status, RunStatus::Succeeded);
}

#[tokio::test]
async fn killed_before_a_write_landed_is_resolved_not_applied_and_redone_once() {
    let h = two_by_two();
    h.psa.script(211, [Write::Hang]);
    let (env, first) = (h.env(), req(&h, Trigger::Schedule, false));
    tokio::select! {
        _ = run(&env, &first, &|_| {}) => panic!("the run finished instead of hanging before its write"),
        () = h.psa.hung() => {}
    }
    assert_eq!(h.psa.qty(211), 20);
    let killed_id = runs::latest(&h.t.store.conn().unwrap(), h.connector, false)
        .unwrap()
        .unwrap()
        .id;

    let r = run(&h.env(), &req(&h, Trigger::Ui, false), &|_| {})
        .await
        .unwrap();
    let (outcome, reason) = item_outcome(&h, killed_id, L211);
    assert_eq!(outcome, ItemOutcome::Failed);
    assert!(
        reason.starts_with("Not applied: after the interruption the PSA still holds 20"),
        "{reason}"
    );
    assert_eq!(h.psa.qty(211), 18);
    assert_eq!(
        item_outcome(&h, r.summary.run_id, L211).0,
        ItemOutcome::Applied
    );
    assert_eq!(
        h.psa.writes_to(212),
        1,
        "the landed write after it is not repeated"
    );
}

#[tokio::test]
async fn an_unconfirmed_write_stays_pending_until_the_next_run_reads_it() {
    let h = two_by_two();
    h.psa.script(211, [Write::LandThenUnknown]);
    let r = run(&h.env(), &req(&h, Trigger::Ui, false), &|_| {})
        .await
        .unwrap();
    assert_eq!(r.summary.status, RunStatus::Partial);
    assert_eq!(r.summary.counts.unconfirmed, 1);
    let (outcome, reason) = item_outcome(&h, r.summary.run_id, L211);
    assert_eq!(outcome, ItemOutcome::Pending);
    assert!(reason.contains("the answer was lost"), "{reason}");
    assert!(r
        .summary
        .first_failure_reason
        .unwrap()
        .contains("the answer was lost"));

    let next = run(&h.env(), &req(&h, Trigger::Ui, false), &|_| {})
        .await
        .unwrap();
    assert_eq!(
        h.psa.writes_to(211),
        1,
        "resolved by reading, not by resending"
    );
    assert_eq!(
        item_outcome(&h, r.summary.run_id, L211).0,
        ItemOutcome::Applied
    );
    assert_eq!(next.summary.status, RunStatus::Succeeded);
    assert_eq!(h.psa.write_count(), 3);
    // The older run's counts in History follow: the settled item now counts as applied.
    let conn = h.t.store.conn().unwrap();
    let first = runs::get(&conn, r.summary.run_id).unwrap().unwrap();
    assert_eq!(
        first.status,
        RunStatus::Partial,
        "a run's status stays as it ended"
    );
    assert_eq!(
        first.totals.applied,
        r.summary.counts.applied + 1,
        "recounted after the next run settled its pending item"
    );
}

#[tokio::test]
async fn a_second_concurrent_run_is_busy() {
    let h = two_by_two();
    h.psa.script(111, [Write::Hang]);
    let env = h.env();
    let (r1, r2) = (
        req(&h, Trigger::Schedule, false),
        req(&h, Trigger::Tray, false),
    );
    // The second starts once the first is at its write (holding the lock), as the fake PSA
    // signals; the first is still going when the second returns.
    let second = async {
        h.psa.hung().await;
        run(&env, &r2, &|_| {}).await
    };
    let second = tokio::select! {
        _ = run(&env, &r1, &|_| {}) => panic!("the first run finished instead of hanging"),
        r = second => r,
    };
    let err = second.unwrap_err();
    assert!(
        matches!(err, SyncError::Lock(LockError::Busy { .. })),
        "{err:?}"
    );
    let api = ApiError::from(err);
    assert_eq!(api.code, ErrorCode::Busy);
    assert!(
        api.message.starts_with(
            "Another sync is already running (started at 2025-01-31 10:00:00 UTC by the daily \
             schedule"
        ),
        "{}",
        api.message
    );
    let all = runs::list(&h.t.store.conn().unwrap(), Some(h.connector), None, 10).unwrap();
    assert_eq!(all.len(), 1, "the busy run recorded nothing");
}

#[tokio::test]
async fn preview_and_apply_are_busy_while_another_process_syncs() {
    let h = two_by_two();
    let pv = preview(&h.env(), h.connector, Trigger::Ui, policy())
        .await
        .unwrap();
    // Another process (the CLI) holds the lock.
    let other = SyncLock::acquire(h.t.dir.path(), Trigger::Cli, h.clock.now()).unwrap();
    let err = preview(&h.env(), h.connector, Trigger::Ui, policy())
        .await
        .unwrap_err();
    assert_eq!(ApiError::from(err).code, ErrorCode::Busy);
    let err = apply_plan(&h.env(), &pv.plan, Trigger::Ui, policy(), &|_| {})
        .await
        .unwrap_err();
    assert!(err.to_string().contains("by the command line"), "{err}");
    assert_eq!(h.psa.write_count(), 0);
    drop(other);
    apply_plan(&h.env(), &pv.plan, Trigger::Ui, policy(), &|_| {})
        .await
        .unwrap();
    assert_eq!(h.psa.write_count(), 3);
}

fn pending(before: i64, after: i64) -> NewItem {
    NewItem {
        workspace_id: WorkspaceId("ws_a".into()),
        workspace_name: None,
        service_key: "edr".into(),
        company_id: Some(CompanyRef(1)),
        product_id: Some(ProductRef(11)),
        line_ref: Some("agreement 100 / addition 111".into()),
        action: ItemAction::Increase,
        before_qty: Some(before),
        after_qty: Some(after),
        outcome: ItemOutcome::Pending,
        reason: None,
        cause: None,
    }
}

#[test]
fn resolution_of_a_pending_item_follows_the_fresh_read() {
    let one = |id, q| {
        Some(LineLookup::One {
            line: line(1, 11, id, q),
        })
    };
    let cases: [(&str, NewItem, Option<LineLookup>, ItemOutcome, &str); 8] = [
        (
            "landed",
            pending(10, 12),
            one(111, 12),
            ItemOutcome::Applied,
            "Confirmed",
        ),
        (
            "not_landed",
            pending(10, 12),
            one(111, 10),
            ItemOutcome::Failed,
            "Not applied",
        ),
        (
            "changed_elsewhere",
            pending(10, 12),
            one(111, 11),
            ItemOutcome::Failed,
            "changed elsewhere, and the next run plans from 11",
        ),
        (
            "other_line_now",
            pending(10, 12),
            one(999, 12),
            ItemOutcome::Pending,
            "now billed on another line",
        ),
        (
            "several_lines",
            pending(10, 12),
            Some(LineLookup::Many {
                lines: vec![line(1, 11, 111, 12), line(1, 11, 112, 1)],
            }),
            ItemOutcome::Pending,
            "2 lines now bill",
        ),
        (
            "line_gone",
            pending(10, 12),
            Some(LineLookup::None {
                reason: "agreement cancelled".into(),
            }),
            ItemOutcome::Pending,
            "(agreement cancelled); check this line in the PSA",
        ),
        (
            "not_in_read",
            pending(10, 12),
            None,
            ItemOutcome::Pending,
            "returned nothing",
        ),
        (
            "journal_incomplete",
            NewItem {
                after_qty: None,
                ..pending(10, 12)
            },
            one(111, 12),
            ItemOutcome::Pending,
            "does not say",
        ),
    ];
    for (name, item, lookup, want, phrase) in cases {
        let mut state = BillingState::default();
        if let Some(l) = lookup {
            state.lines.insert((CompanyRef(1), ProductRef(11)), l);
        }
        let (got, reason) = resolution(&item, &state);
        assert_eq!(got, want, "case {name}");
        assert!(reason.contains(phrase), "case {name}: {reason}");
    }
}

#[tokio::test]
async fn a_real_run_exports_as_csv() {
    let h = two_by_two();
    let r = run(&h.env(), &req(&h, Trigger::Cli, false), &|_| {})
        .await
        .unwrap();
    let full = runs::get_with_items(&h.t.store.conn().unwrap(), r.summary.run_id)
        .unwrap()
        .unwrap();
    let names = CsvNames {
        companies: HashMap::from([(CompanyRef(1), "Company 1".into())]),
        ..CsvNames::default()
    };
    let csv = run_csv(&full, &names);
    let rows: Vec<&str> = csv.trim_end().split("\r\n").collect();
    assert_eq!(rows.len(), 5, "{csv}");
    assert_eq!(
        rows[1],
        format!(
            "{},ws_a,ws_a name,edr,1,Company 1,11,,agreement 100 / addition 111,increase,10,12,\
             applied,,req-111-12,2025-01-31T10:00:00Z",
            r.summary.run_id
        )
    );
}

#[tokio::test]
async fn an_unreadable_psa_while_resuming_fails_and_records_the_attempt() {
    let h = two_by_two();
    h.psa.script(211, [Write::LandThenUnknown]);
    let first = run(&h.env(), &req(&h, Trigger::Ui, false), &|_| {})
        .await
        .unwrap();
    h.psa.state().read_error = Some(PsaError::Unreachable("connect timed out".into()));
    h.clock.advance(Duration::from_secs(3600));
    let err = run(&h.env(), &req(&h, Trigger::Schedule, false), &|_| {})
        .await
        .unwrap_err();
    assert!(matches!(err, SyncError::Resume(_)), "{err:?}");
    assert_eq!(ApiError::from(err).code, ErrorCode::Unreachable);
    let st = status::get(&h.t.store.conn().unwrap(), h.connector)
        .unwrap()
        .unwrap();
    assert_eq!(
        st.last_attempt_at,
        Some(h.clock.now()),
        "the catch-up does not loop"
    );
    assert!(st
        .last_error
        .unwrap()
        .contains("left unconfirmed: connect timed out"));
    assert_eq!(
        item_outcome(&h, first.summary.run_id, L211).0,
        ItemOutcome::Pending
    );
    assert_eq!(h.psa.writes_to(211), 1);
}
