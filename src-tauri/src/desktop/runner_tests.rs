//! Tests of [`super`]: the running flag and the notices by outcome.
use super::*;
use crate::sync::RunCounts;

fn summary(status: RunStatus, failed: u32, held: u32) -> RunSummary {
    RunSummary {
        run_id: 7,
        connector_id: ConnectorId(1),
        trigger: Trigger::Schedule,
        dry_run: false,
        status,
        started_at: Utc::now(),
        finished_at: None,
        counts: RunCounts {
            planned: 3,
            applied: 1,
            failed,
            skipped: 0,
            held,
            unconfirmed: 0,
            unbilled: 0,
        },
        first_failure_reason: (failed > 0).then(|| "Acme / edr: 500 from ConnectWise".to_string()),
        attention: Vec::new(),
    }
}

/// A sync task that panics still clears the running flag: the next sync starts.
#[test]
fn a_panicking_sync_does_not_wedge_the_next_one() {
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("runtime");
    let rt = runtime.handle();
    let state = SyncState::default();
    let panicked = state
        .start(rt, async {
            panic!("injected: the sync task panics mid-run")
        })
        .expect("first sync starts");
    let joined = runtime.block_on(panicked);
    assert!(
        joined.is_err(),
        "the injected panic surfaced as a join error"
    );
    assert!(!state.is_running(), "the flag was cleared by the guard");
    let (tx, rx) = std::sync::mpsc::channel();
    let next = state
        .start(rt, async move {
            let _ = tx.send(());
        })
        .expect("the next sync starts after a panic");
    runtime.block_on(next).expect("second sync ran");
    assert!(rx.try_recv().is_ok());
    // And while one runs, another is refused.
    let (hold_tx, hold_rx) = tokio::sync::oneshot::channel::<()>();
    let long = state
        .start(rt, async move {
            let _ = hold_rx.await;
        })
        .expect("starts");
    assert_eq!(
        state.start(rt, async {}).map(|_| ()).unwrap_err().code,
        ErrorCode::Busy
    );
    let _ = hold_tx.send(());
    runtime.block_on(long).expect("ran");
    assert!(!state.is_running());
}

#[test]
fn notices_by_outcome() {
    let failed =
        notice_for("CW", &summary(RunStatus::Partial, 1, 0), false).expect("failure notice");
    assert!(
        failed.title.contains("CW")
            && failed.body.contains("1 change(s) failed")
            && failed.body.contains("Acme / edr")
    );
    let held = notice_for("CW", &summary(RunStatus::Held, 0, 2), false).expect("held notice");
    assert!(held.title.contains("2 change(s) held"));
    assert!(held.body.contains("by the daily sync") && held.body.contains("Review held changes"));
    // After a manual run the notice does not blame the daily sync.
    let mut manual = summary(RunStatus::Held, 0, 2);
    manual.trigger = crate::sync::Trigger::Tray;
    let n = notice_for("CW", &manual, false).expect("held notice");
    assert!(
        !n.body.contains("daily") && n.body.contains("by this sync"),
        "{n:?}"
    );
    // A customer who left Coro is named, even when the run otherwise succeeded.
    let mut churned = summary(RunStatus::Succeeded, 0, 0);
    churned.attention = vec!["Acme / EDR: the workspace is archived in Coro".into()];
    let n = notice_for("CW", &churned, false).expect("attention notice");
    assert!(
        n.title.contains("needs attention") && n.body.contains("Acme / EDR"),
        "{n:?}"
    );
    churned.status = RunStatus::Held;
    let n = notice_for("CW", &churned, false).expect("held notice");
    assert!(n.body.contains("Needs attention: Acme / EDR"), "{n:?}");
    assert!(
        notice_for("CW", &summary(RunStatus::Succeeded, 0, 0), false).is_none(),
        "success is quiet by default"
    );
    assert!(notice_for("CW", &summary(RunStatus::Succeeded, 0, 0), true).is_some());
}
