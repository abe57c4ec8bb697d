//! Sync runs started by the desktop app (tray *Sync now*, the UI, the daily schedule): they run
//! in the background, report progress as events, notify the operator of failures and held
//! changes, and put the tray icon in its error state until the operator opens the run.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;
use tauri::{AppHandle, Emitter, Manager, Runtime};

use super::notify::{self, Notice};
use super::{tray, DesktopState};
use crate::app;
use crate::error::{ApiError, ErrorCode};
use crate::model::ConnectorId;
use crate::store::runs::RunStatus;
use crate::sync::{Progress, RunSummary, Trigger};

/// Desktop-side sync state.
#[derive(Default)]
pub struct SyncState {
    running: Arc<AtomicBool>,
    /// The run the operator has not looked at yet after a failure (the tray shows an error).
    pub unseen_problem: Mutex<Option<i64>>,
}

/// Holds the "sync running" flag; dropping it clears the flag, also when the sync task panics
/// or is cancelled, so one failed run can never wedge every later one.
struct Running(Arc<AtomicBool>);

impl Drop for Running {
    fn drop(&mut self) {
        self.0.store(false, Ordering::SeqCst);
    }
}

impl SyncState {
    pub fn is_running(&self) -> bool {
        self.running.load(Ordering::SeqCst)
    }

    /// Runs `job` in the background unless a sync is already running; the flag is cleared when
    /// the job ends, however it ends.
    pub fn start<F>(&self, job: F) -> Result<tauri::async_runtime::JoinHandle<()>, ApiError>
    where
        F: Future<Output = ()> + Send + 'static,
    {
        if self.running.swap(true, Ordering::SeqCst) {
            return Err(ApiError::new(
                ErrorCode::Busy,
                "A sync is already running: wait for it to finish",
            ));
        }
        let guard = Running(self.running.clone());
        Ok(tauri::async_runtime::spawn(async move {
            let _guard = guard;
            job.await;
        }))
    }
}

fn emit<R: Runtime>(app: &AppHandle<R>, payload: serde_json::Value) {
    if let Err(e) = app.emit("app-event", payload) {
        tracing::debug!(error = %e, "event not delivered");
    }
}

pub fn progress_emitter<R: Runtime>(
    app: &AppHandle<R>,
) -> impl Fn(Progress) + Send + Sync + 'static {
    let app = app.clone();
    move |p: Progress| {
        emit(
            &app,
            serde_json::json!({"kind": "sync_progress", "run_id": p.run_id, "done": p.done, "total": p.total}),
        )
    }
}

fn connector_name<R: Runtime>(app: &AppHandle<R>, id: ConnectorId) -> String {
    app.try_state::<DesktopState>()
        .and_then(|s| app::connectors::require(&s.ctx, id).ok())
        .map(|r| r.name)
        .unwrap_or_else(|| format!("connector {id}"))
}

/// What to tell the operator about one finished run, if anything.
pub fn notice_for(connector: &str, summary: &RunSummary, notify_success: bool) -> Option<Notice> {
    let c = &summary.counts;
    let first = summary.first_failure_reason.clone().unwrap_or_default();
    // What needs the operator besides failures: named, so nothing is billed on silently.
    let attention = match summary.attention.as_slice() {
        [] => String::new(),
        [one] => format!(" Needs attention: {one}"),
        [one, rest @ ..] => format!(" Needs attention: {one} (and {} more)", rest.len()),
    };
    match summary.status {
        RunStatus::Failed | RunStatus::Partial | RunStatus::Interrupted => Some(Notice {
            run_id: Some(summary.run_id),
            title: format!("PSA Bridge: sync problem — {connector}"),
            body: format!(
                "{} change(s) failed, {} unconfirmed, {} applied. {first}{attention}",
                c.failed, c.unconfirmed, c.applied
            )
            .trim()
            .to_string(),
        }),
        RunStatus::Held => Some(Notice {
            run_id: Some(summary.run_id),
            title: format!("PSA Bridge: {} change(s) held for approval — {connector}", c.held),
            body: format!("Changes over the safety limits (large decreases or increases, counts from a fallback, customers who left Coro) were not applied by {}. Open the run and choose Review held changes to approve or reject them.{attention}", match summary.trigger {
                crate::sync::Trigger::Schedule => "the daily sync",
                _ => "this sync",
            }),
        }),
        _ if !summary.attention.is_empty() => Some(Notice {
            run_id: Some(summary.run_id),
            title: format!("PSA Bridge: needs attention — {connector}"),
            body: attention.trim().to_string(),
        }),
        RunStatus::Succeeded if notify_success => Some(Notice {
            run_id: Some(summary.run_id),
            title: format!("PSA Bridge: sync finished — {connector}"),
            body: format!("{} change(s) applied, {} skipped.", c.applied, c.skipped),
        }),
        _ => None,
    }
}

/// Puts the tray in its error state (or back), and the next sync in its tooltip.
pub fn refresh_tray_state<R: Runtime>(app: &AppHandle<R>) {
    let Some(state) = app.try_state::<DesktopState>() else {
        return;
    };
    let problem = state.sync.unseen_problem.lock().ok().and_then(|g| *g);
    let Some(tray_icon) = app.tray_by_id(tray::TRAY_ID) else {
        return;
    };
    let icon = if problem.is_some() {
        tray::error_icon()
    } else {
        tray::normal_icon()
    };
    if let Ok(icon) = icon {
        let _ = tray_icon.set_icon(Some(icon));
        // The error icon is in colour; the normal one is a template where the OS wants one.
        let _ = tray_icon.set_icon_as_template(problem.is_none() && tray::NORMAL_ICON_IS_TEMPLATE);
    }
    let next = app::sync::next_due(&state.ctx, Utc::now()).ok().flatten();
    let mut tip = match (problem, next) {
        (Some(_), _) => "PSA Bridge — the last sync needs attention".to_string(),
        (None, Some(t)) => format!(
            "PSA Bridge — next sync {}",
            t.with_timezone(&chrono::Local).format("%a %H:%M")
        ),
        (None, None) => "PSA Bridge — daily sync paused".to_string(),
    };
    if state.sync.is_running() {
        tip = "PSA Bridge — syncing…".to_string();
    }
    let _ = tray_icon.set_tooltip(Some(tip));
}

/// The run to open when the operator opens the window, clearing the error state.
pub fn take_unseen_problem<R: Runtime>(app: &AppHandle<R>) -> Option<i64> {
    let state = app.try_state::<DesktopState>()?;
    let run = state
        .sync
        .unseen_problem
        .lock()
        .ok()
        .and_then(|mut g| g.take());
    refresh_tray_state(app);
    run
}

/// Starts a sync of every connector in the background. Errors only when one is already running
/// in this app (other processes are kept out by the sync lock, reported per connector).
pub fn start_all<R: Runtime>(app: &AppHandle<R>, trigger: Trigger) -> Result<(), ApiError> {
    let state = app
        .try_state::<DesktopState>()
        .ok_or_else(|| ApiError::new(ErrorCode::Internal, "app state missing"))?;
    let ctx = state.ctx.clone();
    let app = app.clone();
    state.sync.start(async move {
        refresh_tray_state(&app);
        let progress = progress_emitter(&app);
        let notify_success = app::settings::get(&ctx)
            .map(|s| s.notify_success)
            .unwrap_or(false);
        let results = app::sync::run_all(&ctx, trigger, false, &progress).await;
        let mut all_ok = true;
        match results {
            Ok(results) => {
                for (id, result) in results {
                    let name = connector_name(&app, id);
                    match result {
                        Ok(r) => {
                            let s = &r.summary;
                            if matches!(
                                s.status,
                                RunStatus::Failed
                                    | RunStatus::Partial
                                    | RunStatus::Held
                                    | RunStatus::Interrupted
                            ) {
                                all_ok = false;
                                if let Some(st) = app.try_state::<DesktopState>() {
                                    if let Ok(mut g) = st.sync.unseen_problem.lock() {
                                        *g = Some(s.run_id);
                                    }
                                }
                            }
                            if let Some(n) = notice_for(&name, s, notify_success) {
                                notify::show(&app, &n);
                            }
                            emit(
                                &app,
                                serde_json::json!({"kind": "run_finished", "run_id": s.run_id, "status": s.status}),
                            );
                        }
                        Err(e) => {
                            all_ok = false;
                            // A run that could not read a side is recorded as failed: point at it.
                            let failed_run = ctx
                                .store
                                .conn()
                                .ok()
                                .and_then(|c| {
                                    crate::store::runs::latest(&c, id, false).ok().flatten()
                                })
                                .filter(|r| r.status == RunStatus::Failed)
                                .map(|r| r.id);
                            if let (Some(run), Some(st)) =
                                (failed_run, app.try_state::<DesktopState>())
                            {
                                if let Ok(mut g) = st.sync.unseen_problem.lock() {
                                    *g = Some(run);
                                }
                            }
                            notify::show(
                                &app,
                                &Notice {
                                    run_id: failed_run,
                                    title: format!("PSA Bridge: sync failed — {name}"),
                                    body: e.message.clone(),
                                },
                            );
                        }
                    }
                }
            }
            Err(e) => {
                all_ok = false;
                notify::show(
                    &app,
                    &Notice {
                        run_id: None,
                        title: "PSA Bridge: sync failed".into(),
                        body: e.message,
                    },
                );
            }
        }
        if trigger == Trigger::Schedule {
            if let Err(e) = app::sync::record_scheduled(&ctx, Utc::now(), all_ok) {
                tracing::error!(error = %e.message, "could not record the scheduled run");
            }
        }
        refresh_tray_state(&app);
        emit(&app, serde_json::json!({"kind": "connectors_changed"}));
    })?;
    Ok(())
}

/// The daily schedule: checks once a minute whether a run is due (catching up a run missed
/// while the app was closed) and starts it; paused means never.
pub fn spawn_scheduler<R: Runtime>(app: &AppHandle<R>) {
    let app = app.clone();
    tauri::async_runtime::spawn(async move {
        // Let start-up finish (tray, window) before a catch-up run begins.
        tokio::time::sleep(Duration::from_secs(20)).await;
        loop {
            refresh_tray_state(&app);
            let due = app
                .try_state::<DesktopState>()
                .and_then(|s| app::sync::next_due(&s.ctx, Utc::now()).ok().flatten());
            if due.is_some_and(|t| t <= Utc::now()) {
                match start_all(&app, Trigger::Schedule) {
                    Ok(()) => {}
                    // Already running (tray or UI): look again in a minute.
                    Err(e) => tracing::info!(reason = %e.message, "scheduled sync deferred"),
                }
            }
            tokio::time::sleep(Duration::from_secs(60)).await;
        }
    });
}

#[cfg(test)]
mod tests {
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
            },
            first_failure_reason: (failed > 0)
                .then(|| "Acme / edr: 500 from ConnectWise".to_string()),
            attention: Vec::new(),
        }
    }

    /// A sync task that panics still clears the running flag: the next sync starts.
    #[test]
    fn a_panicking_sync_does_not_wedge_the_next_one() {
        let state = SyncState::default();
        let panicked = state
            .start(async { panic!("injected: the sync task panics mid-run") })
            .expect("first sync starts");
        let joined = tauri::async_runtime::block_on(panicked);
        assert!(
            joined.is_err(),
            "the injected panic surfaced as a join error"
        );
        assert!(!state.is_running(), "the flag was cleared by the guard");
        let (tx, rx) = std::sync::mpsc::channel();
        let next = state
            .start(async move {
                let _ = tx.send(());
            })
            .expect("the next sync starts after a panic");
        tauri::async_runtime::block_on(next).expect("second sync ran");
        assert!(rx.try_recv().is_ok());
        // And while one runs, another is refused.
        let (hold_tx, hold_rx) = tokio::sync::oneshot::channel::<()>();
        let long = state
            .start(async move {
                let _ = hold_rx.await;
            })
            .expect("starts");
        assert_eq!(
            state.start(async {}).map(|_| ()).unwrap_err().code,
            ErrorCode::Busy
        );
        let _ = hold_tx.send(());
        tauri::async_runtime::block_on(long).expect("ran");
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
        assert!(
            held.body.contains("by the daily sync") && held.body.contains("Review held changes")
        );
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
}
