//! Undo against the fake PSA on a real temp store: restores what is untouched, skips what changed
//! since, never undoes an awaiting change, links both ways, refuses a second undo and an undo of
//! an undo, and undoes chosen items.

use super::apply_cases::{req, two_by_two};
use super::fakes::{Harness, Write};
use crate::psa::PsaError;
use crate::store::runs::{ItemOutcome, RunStatus};
use crate::store::undos;
use crate::sync::model::{Action, Trigger};
use crate::sync::run;
use crate::sync::undo::{undo, UndoEnv, UndoError, UndoOutcome, UndoRequest};

fn env(h: &Harness) -> UndoEnv<'_, super::fakes::FakePsa> {
    UndoEnv {
        store: &h.t.store,
        data_dir: h.t.dir.path(),
        psa: &h.psa,
        clock: &h.clock,
    }
}

fn ask(run_id: i64, items: Vec<i64>, dry_run: bool) -> UndoRequest {
    UndoRequest {
        run_id,
        items,
        dry_run,
        trigger: Trigger::Cli,
    }
}

async fn undo_of(h: &Harness, r: UndoRequest) -> Result<UndoOutcome, UndoError> {
    undo(&env(h), &r, &|_| {}).await
}

/// The two-by-two world synced once: 111 10 → 12, 211 20 → 18, 212 3 → 4. Returns the run id.
async fn synced(h: &Harness) -> i64 {
    let r = run(&h.env(), &req(h, Trigger::Cli, false), &|_| {})
        .await
        .unwrap();
    assert_eq!(r.summary.status, RunStatus::Succeeded);
    r.summary.run_id
}

fn refused(e: UndoError) -> String {
    match e {
        UndoError::Refused(m) => m,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn undo_restores_untouched_lines_skips_a_changed_one_and_is_refused_twice() {
    let h = two_by_two();
    let run_id = synced(&h).await;
    h.psa.set_qty(211, 14); // someone edited this line since
    let writes_before = h.psa.write_count();

    // The preview writes and records nothing.
    let preview = undo_of(&h, ask(run_id, vec![], true)).await.unwrap();
    assert!(preview.summary.is_none());
    assert_eq!(h.psa.write_count(), writes_before);
    let actions: Vec<_> = preview
        .plan
        .items
        .iter()
        .map(|i| {
            (
                i.line_ref.clone().unwrap_or_default(),
                i.action,
                i.before,
                i.after,
            )
        })
        .collect();
    assert_eq!(preview.plan.items.len(), 3, "{actions:?}");
    let skip = preview
        .plan
        .items
        .iter()
        .find(|i| i.action == Action::Skip)
        .unwrap();
    assert_eq!(
        skip.reason.as_deref(),
        Some("Changed since: now 14 (the run left 18); not undone")
    );
    assert_eq!(
        (preview.plan.totals.increase, preview.plan.totals.decrease),
        (0, 2)
    );

    let done = undo_of(&h, ask(run_id, vec![], false)).await.unwrap();
    let summary = done.summary.unwrap();
    assert_eq!(summary.status, RunStatus::Succeeded, "{summary:?}");
    assert_eq!(
        (h.psa.qty(111), h.psa.qty(211), h.psa.qty(212)),
        (10, 14, 3)
    );
    assert_eq!(h.psa.write_count(), writes_before + 2);
    assert_eq!(
        h.psa.writes_to(211),
        1,
        "the changed line is not written again"
    );

    // Linked both ways, item by item.
    let conn = h.t.store.conn().unwrap();
    let link = undos::undo_of(&conn, summary.run_id).unwrap().unwrap();
    assert_eq!(link.undone_run, run_id);
    assert_eq!(undos::undone_by(&conn, run_id).unwrap(), vec![link.clone()]);
    let items = h.items(summary.run_id);
    assert_eq!(items.len(), 3);
    assert_eq!(
        items
            .iter()
            .filter(|i| i.item.outcome == ItemOutcome::Applied)
            .count(),
        2
    );
    assert_eq!(
        items
            .iter()
            .filter(|i| i.item.outcome == ItemOutcome::Skipped)
            .count(),
        1
    );

    // A second undo is refused and writes nothing; so is an undo of the undo.
    let again = refused(undo_of(&h, ask(run_id, vec![], false)).await.unwrap_err());
    assert!(
        again.contains(&format!("already undone by run {}", summary.run_id)),
        "{again}"
    );
    let redo = refused(
        undo_of(&h, ask(summary.run_id, vec![], true))
            .await
            .unwrap_err(),
    );
    assert!(redo.contains("is the undo of run"), "{redo}");
    assert_eq!(h.psa.write_count(), writes_before + 2);
}

#[tokio::test]
async fn chosen_items_are_undone_once_and_the_rest_later() {
    let h = two_by_two();
    let run_id = synced(&h).await;
    let items = h.items(run_id);
    let id_of = |line: &str| {
        items
            .iter()
            .find(|i| i.item.line_ref.as_deref().is_some_and(|r| r.contains(line)))
            .unwrap()
            .id
    };
    let first = undo_of(&h, ask(run_id, vec![id_of("addition 111")], false))
        .await
        .unwrap();
    assert_eq!(first.plan.items.len(), 1);
    assert_eq!((h.psa.qty(111), h.psa.qty(211)), (10, 18));
    let twice = refused(
        undo_of(&h, ask(run_id, vec![id_of("addition 111")], false))
            .await
            .unwrap_err(),
    );
    assert!(twice.contains("already undone by run"), "{twice}");
    let unchanged = refused(
        undo_of(&h, ask(run_id, vec![id_of("addition 112")], false))
            .await
            .unwrap_err(),
    );
    assert!(
        unchanged.contains("changed nothing in the PSA"),
        "{unchanged}"
    );
    assert!(matches!(
        undo_of(&h, ask(run_id, vec![999_999], false)).await,
        Err(UndoError::NotFound(_))
    ));
    // The whole run now: only what is left.
    let rest = undo_of(&h, ask(run_id, vec![], false)).await.unwrap();
    assert_eq!(rest.plan.items.len(), 2);
    assert_eq!((h.psa.qty(211), h.psa.qty(212)), (20, 3));
}

#[tokio::test]
async fn an_awaiting_change_is_never_undone_and_a_failed_undo_can_be_retried() {
    let h = two_by_two();
    // 211's write is accepted but does not show yet (Autotask lag).
    h.psa.script(
        211,
        [Write::Fail(PsaError::Awaiting {
            message: "accepted, units not showing yet".into(),
            request_id: Some("9001".into()),
        })],
    );
    let r = run(&h.env(), &req(&h, Trigger::Cli, false), &|_| {})
        .await
        .unwrap();
    let run_id = r.summary.run_id;
    // 212's undo is rejected once.
    h.psa.script(
        212,
        [Write::Fail(PsaError::Rejected {
            message: "no".into(),
            request_id: None,
        })],
    );
    let done = undo_of(&h, ask(run_id, vec![], false)).await.unwrap();
    let awaiting = done
        .plan
        .items
        .iter()
        .find(|i| i.line_ref.as_deref().is_some_and(|l| l.contains("211")))
        .unwrap();
    assert_eq!(awaiting.action, Action::Skip);
    assert!(
        awaiting
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("Still awaiting the PSA (adjustment 9001)")),
        "{awaiting:?}"
    );
    assert_eq!(h.psa.qty(111), 10);
    assert_eq!(h.psa.qty(212), 4, "rejected: unchanged");
    assert_eq!(done.summary.unwrap().status, RunStatus::Partial);
    // The failed item may be undone again (nothing was written); the others are done.
    let retry = undo_of(&h, ask(run_id, vec![], false)).await.unwrap();
    assert_eq!(retry.plan.items.len(), 1, "{:?}", retry.plan.items);
    assert_eq!(h.psa.qty(212), 3);
}

#[tokio::test]
async fn dry_runs_and_runs_that_changed_nothing_are_refused() {
    let h = two_by_two();
    let dry = run(&h.env(), &req(&h, Trigger::Cli, true), &|_| {})
        .await
        .unwrap();
    let m = refused(
        undo_of(&h, ask(dry.summary.run_id, vec![], true))
            .await
            .unwrap_err(),
    );
    assert!(m.contains("was a dry run"), "{m}");
    let first = synced(&h).await;
    let second = synced(&h).await; // nothing left to change
    assert_ne!(first, second);
    let m = refused(undo_of(&h, ask(second, vec![], true)).await.unwrap_err());
    assert!(m.contains("changed nothing in the PSA"), "{m}");
    assert!(matches!(
        undo_of(&h, ask(4242, vec![], true)).await,
        Err(UndoError::NotFound(_))
    ));
}
