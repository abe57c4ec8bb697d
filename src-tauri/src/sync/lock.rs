//! Single flight: one sync at a time across every process that opens the same data folder (the
//! app's scheduler and tray, its UI, and `psa-bridge sync` from a terminal). An OS file lock on
//! `<data_dir>/sync.lock` is held for the whole run and released when the [`SyncLock`] is
//! dropped — or by the OS when the process dies, so a crash never leaves a stale lock.
//!
//! Who holds the lock (start time, trigger, pid) is written to a separate `sync.lock.info`: on
//! Windows a locked file cannot be read by anyone else, so the "started at" of the Busy message
//! cannot live in the lock file itself.

use std::fs::{File, OpenOptions, TryLockError};
use std::io;
use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

use super::model::Trigger;

pub const LOCK_FILE: &str = "sync.lock";
pub const INFO_FILE: &str = "sync.lock.info";

#[derive(Debug, thiserror::Error)]
pub enum LockError {
    #[error(
        "Another sync is already running{}; wait for it to finish and try again",
        describe(.holder)
    )]
    Busy { holder: Option<Holder> },
    #[error(
        "Could not take the sync lock {path}: {source} — check that the data folder is writable \
         (a sync needs a local folder that supports file locks)"
    )]
    Io { path: PathBuf, source: io::Error },
}

/// Who holds the lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Holder {
    pub started_at: DateTime<Utc>,
    pub trigger: String,
    pub pid: u32,
}

fn describe(holder: &Option<Holder>) -> String {
    match holder {
        Some(h) => format!(
            " (started at {} by {}, process {})",
            h.started_at.format("%Y-%m-%d %H:%M:%S UTC"),
            trigger_label(&h.trigger),
            h.pid
        ),
        None => String::new(),
    }
}

fn trigger_label(trigger: &str) -> &str {
    match trigger {
        "schedule" => "the daily schedule",
        "tray" => "Sync now in the tray",
        "ui" => "the app",
        "cli" => "the command line",
        other => other,
    }
}

/// The held lock; dropping it releases the sync for others.
#[derive(Debug)]
pub struct SyncLock {
    file: File,
    info_path: PathBuf,
}

impl SyncLock {
    /// Takes the lock without waiting, or says who holds it.
    pub fn acquire(
        data_dir: &Path,
        trigger: Trigger,
        now: DateTime<Utc>,
    ) -> Result<SyncLock, LockError> {
        let path = data_dir.join(LOCK_FILE);
        let io_err = |source| LockError::Io {
            path: path.clone(),
            source,
        };
        // Never truncate: the file's content is irrelevant, and opening must not disturb a holder.
        let file = OpenOptions::new()
            .create(true)
            .write(true)
            .truncate(false)
            .open(&path)
            .map_err(io_err)?;
        match file.try_lock() {
            Ok(()) => {}
            Err(TryLockError::WouldBlock) => {
                return Err(LockError::Busy {
                    holder: read_holder(data_dir),
                })
            }
            Err(TryLockError::Error(e)) => return Err(io_err(e)),
        }
        let info_path = data_dir.join(INFO_FILE);
        let holder = Holder {
            started_at: now,
            trigger: trigger_name(trigger).into(),
            pid: std::process::id(),
        };
        // Informational only: a failure here must not stop the sync that holds the lock.
        if let Ok(text) = serde_json::to_string(&holder) {
            if let Err(e) = std::fs::write(&info_path, text) {
                tracing::warn!(error = %e, "could not record the sync lock holder");
            }
        }
        Ok(SyncLock { file, info_path })
    }
}

impl Drop for SyncLock {
    fn drop(&mut self) {
        // Remove the info first: once unlocked, the next holder may already be writing its own.
        let _ = std::fs::remove_file(&self.info_path);
        // Closing the file releases the lock too; unlocking first makes the release immediate
        // even if something else still holds a duplicate of the handle.
        let _ = self.file.unlock();
    }
}

fn trigger_name(t: Trigger) -> &'static str {
    t.store().as_str()
}

fn read_holder(data_dir: &Path) -> Option<Holder> {
    let text = std::fs::read_to_string(data_dir.join(INFO_FILE)).ok()?;
    serde_json::from_str(&text).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[test]
    fn second_acquire_is_busy_and_names_the_holder_until_released() {
        let dir = tempfile::tempdir().unwrap();
        let t0 = Utc.with_ymd_and_hms(2025, 1, 31, 6, 0, 0).unwrap();
        let held = SyncLock::acquire(dir.path(), Trigger::Schedule, t0).unwrap();
        let err = SyncLock::acquire(dir.path(), Trigger::Ui, t0).unwrap_err();
        let msg = err.to_string();
        assert!(
            matches!(err, LockError::Busy { holder: Some(_) }),
            "{err:?}"
        );
        assert!(
            msg.starts_with(
                "Another sync is already running (started at 2025-01-31 06:00:00 UTC by the \
                 daily schedule"
            ),
            "{msg}"
        );
        drop(held);
        assert!(!dir.path().join(INFO_FILE).exists());
        let again = SyncLock::acquire(dir.path(), Trigger::Cli, t0).unwrap();
        drop(again);
    }

    #[test]
    fn busy_without_holder_info_still_says_busy() {
        let dir = tempfile::tempdir().unwrap();
        let t0 = Utc.with_ymd_and_hms(2025, 1, 31, 6, 0, 0).unwrap();
        let _held = SyncLock::acquire(dir.path(), Trigger::Tray, t0).unwrap();
        std::fs::write(dir.path().join(INFO_FILE), "garbage").unwrap();
        let err = SyncLock::acquire(dir.path(), Trigger::Ui, t0).unwrap_err();
        assert_eq!(
            err.to_string(),
            "Another sync is already running; wait for it to finish and try again"
        );
    }

    #[test]
    fn missing_folder_is_an_io_error_naming_the_path() {
        let dir = tempfile::tempdir().unwrap();
        let gone = dir.path().join("nope");
        let err = SyncLock::acquire(&gone, Trigger::Cli, Utc::now()).unwrap_err();
        assert!(matches!(err, LockError::Io { .. }));
        assert!(err.to_string().contains("sync.lock"), "{err}");
    }
}
