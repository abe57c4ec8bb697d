//! Background sync runs of the desktop app (tray *Sync now*, the window, the daily schedule),
//! written once for both roles: the tray process ([`super::resident`]) and a window running on
//! its own (`--sandbox`, tests). They report progress as events, notify the operator of failures
//! and held changes, and mark the run the operator has not looked at yet. No Tauri here: the tray
//! process must not link the webview.

use std::future::Future;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::Utc;

use crate::app;
use crate::context::AppContext;
use crate::error::{ApiError, ErrorCode};
use crate::events::AppEvent;
use crate::model::ConnectorId;
use crate::store::runs::RunStatus;
use crate::sync::{Progress, RunSummary, Trigger};

/// One notification: short title, one-line body, and the run it is about. Never a secret.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Notice {
    pub title: String,
    pub body: String,
    /// The run to open when the operator clicks the notification.
    pub run_id: Option<i64>,
}

/// What a process running syncs does with their outcome.
pub trait SyncHost: Clone + Send + Sync + 'static {
    fn ctx(&self) -> Arc<AppContext>;
    fn sync_state(&self) -> &SyncState;
    /// Sends an `app-event` payload (`sync_progress`, `run_finished`, …) to the open window.
    fn emit(&self, event: AppEvent);
    fn notify(&self, notice: &Notice);
    /// The sync state changed (started, finished, failed): bring the tray in line.
    fn refresh(&self);
}

/// Sync state of one process.
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

    /// Runs `job` on `rt` unless a sync is already running; the flag is cleared when the job
    /// ends, however it ends.
    pub fn start<F>(
        &self,
        rt: &tokio::runtime::Handle,
        job: F,
    ) -> Result<tokio::task::JoinHandle<()>, ApiError>
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
        Ok(rt.spawn(async move {
            let _guard = guard;
            job.await;
        }))
    }

    pub fn set_problem(&self, run: i64) {
        if let Ok(mut g) = self.unseen_problem.lock() {
            *g = Some(run);
        }
    }

    pub fn problem(&self) -> Option<i64> {
        self.unseen_problem.lock().ok().and_then(|g| *g)
    }

    /// The run to open when the operator opens the window; clears the error state.
    pub fn take_problem(&self) -> Option<i64> {
        self.unseen_problem.lock().ok().and_then(|mut g| g.take())
    }
}

fn connector_name(ctx: &AppContext, id: ConnectorId) -> String {
    app::connectors::require(ctx, id)
        .map(|r| r.name)
        .unwrap_or_else(|_| format!("connector {id}"))
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

/// Starts a sync of every connector on `rt`. Errors only when one is already running in this
/// process (other processes are kept out by the sync lock, reported per connector).
pub fn start_all<H: SyncHost>(
    host: &H,
    rt: &tokio::runtime::Handle,
    trigger: Trigger,
) -> Result<(), ApiError> {
    let h = host.clone();
    host.sync_state().start(rt, async move {
        h.refresh();
        run_and_report(&h, trigger).await;
        h.refresh();
        h.emit(AppEvent::ConnectorsChanged);
    })?;
    Ok(())
}

async fn run_and_report<H: SyncHost>(h: &H, trigger: Trigger) {
    let ctx = h.ctx();
    let progress_host = h.clone();
    let progress = move |p: Progress| progress_host.emit(AppEvent::progress(&p));
    let notify_success = app::blocking(&ctx, app::settings::get)
        .await
        .map(|s| s.notify_success)
        .unwrap_or(false);
    let results = app::sync::run_all(&ctx, trigger, false, &progress).await;
    let mut all_ok = true;
    match results {
        Ok(results) => {
            for (id, result) in results {
                let name = app::blocking(&ctx, move |ctx| Ok(connector_name(ctx, id)))
                    .await
                    .unwrap_or_else(|_| format!("connector {id}"));
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
                            h.sync_state().set_problem(s.run_id);
                        }
                        if let Some(n) = notice_for(&name, s, notify_success) {
                            h.notify(&n);
                        }
                        h.emit(AppEvent::run_finished(s.run_id, s.status));
                    }
                    Err(e) => {
                        all_ok = false;
                        // A run that could not read a side is recorded as failed: point at it.
                        let latest = app::blocking(&ctx, move |ctx| {
                            Ok(crate::store::runs::latest(&ctx.store.conn()?, id, false)?)
                        })
                        .await;
                        let failed_run = latest
                            .ok()
                            .flatten()
                            .filter(|r| r.status == RunStatus::Failed)
                            .map(|r| r.id);
                        if let Some(run) = failed_run {
                            h.sync_state().set_problem(run);
                        }
                        h.notify(&Notice {
                            run_id: failed_run,
                            title: format!("PSA Bridge: sync failed — {name}"),
                            body: e.message.clone(),
                        });
                    }
                }
            }
        }
        Err(e) => {
            all_ok = false;
            h.notify(&Notice {
                run_id: None,
                title: "PSA Bridge: sync failed".into(),
                body: e.message,
            });
        }
    }
    if trigger == Trigger::Schedule {
        let recorded = app::blocking(&ctx, move |ctx| {
            app::sync::record_scheduled(ctx, Utc::now(), all_ok)
        })
        .await;
        if let Err(e) = recorded {
            tracing::error!(error = %e.message, "could not record the scheduled run");
        }
    }
}

/// The daily schedule: checks once a minute whether a run is due (catching up a run missed
/// while the app was closed) and starts it; paused means never.
pub fn spawn_scheduler<H: SyncHost>(host: &H, rt: &tokio::runtime::Handle) {
    let host = host.clone();
    let handle = rt.clone();
    rt.spawn(async move {
        // Let start-up finish (tray, window) before a catch-up run begins.
        tokio::time::sleep(Duration::from_secs(20)).await;
        loop {
            host.refresh();
            let due = app::blocking(&host.ctx(), |ctx| app::sync::next_due(ctx, Utc::now()))
                .await
                .ok()
                .flatten();
            if due.is_some_and(|t| t <= Utc::now()) {
                if let Err(e) = start_all(&host, &handle, Trigger::Schedule) {
                    // Already running (tray or window): look again in a minute.
                    tracing::info!(reason = %e.message, "scheduled sync deferred");
                }
            }
            tokio::time::sleep(Duration::from_secs(60)).await;
        }
    });
}

#[cfg(test)]
#[path = "runner_tests.rs"]
mod tests;
