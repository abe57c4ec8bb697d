//! The sync engine: keep each mapped PSA line's quantity equal to the Coro count of its
//! workspace × service. One pipeline for every trigger:
//!
//! gather ([`gather`]: Coro via [`UsageSource`], the PSA via [`crate::psa::Psa`]) → plan
//! ([`plan::plan`], pure, the [`Plan`] is data) → review (the UI or CLI shows a dry run) → apply
//! ([`apply`]: exactly that plan, each write journaled `pending` first) → record (the run, its
//! items, the connector's last attempt).
//!
//! Safety: writes happen only where exactly one line carries the product; quantities are set
//! absolutely from a fresh read, so a re-run writes nothing when nothing changed; an item whose
//! line changed since the preview is skipped, not overwritten; big decreases are held for
//! approval; one sync at a time across processes ([`lock`]); a crashed run is resumed by
//! re-reading the PSA ([`resume`]).

pub mod apply;
pub mod awaiting;
pub mod cadence;
pub mod create;
pub mod csv;
pub mod exclusions;
pub mod expiry;
pub mod gather;
pub mod held;
pub mod lock;
pub mod model;
pub mod overlap;
pub mod plan;
pub mod resume;
pub mod run;
pub mod share;
pub mod undo;
pub mod undo_items;

#[cfg(test)]
mod tests;

pub use apply::RateLimitPolicy;
pub use gather::{GatherError, Mappings, ServiceQuery, SourceWorkspace, UsageReport, UsageSource};
pub use lock::{LockError, SyncLock};
pub use model::{Action, Plan, PlanItem, PlanTotals, Progress, RunCounts, RunSummary, Trigger};
pub use plan::PlanPolicy;
pub use resume::Recovery;
pub use run::{apply_plan, preview, run, RunRequest, RunResult, SyncEnv, SyncPolicy};

use crate::error::{ApiError, ErrorCode};
use crate::psa::PsaError;
use crate::store::StoreError;

/// Why a sync could not run or finish. Item-level failures are not errors: they are in the run.
#[derive(Debug, thiserror::Error)]
pub enum SyncError {
    #[error(transparent)]
    Lock(#[from] LockError),
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Gather(#[from] GatherError),
    #[error("Could not check the changes an interrupted run left unconfirmed: {0}")]
    Resume(PsaError),
    /// A bug: inputs that cannot belong together.
    #[error("{0}")]
    Invalid(String),
    /// A preview older than [`expiry::PREVIEW_TTL`] no longer matches Coro and the PSA: nothing
    /// was written.
    #[error("The preview is {minutes} minutes old and Coro or the PSA changed since, so nothing was written. Preview again to review: {}", changes.join("; "))]
    PreviewExpired { minutes: i64, changes: Vec<String> },
}

impl From<SyncError> for ApiError {
    fn from(err: SyncError) -> ApiError {
        let message = err.to_string();
        let code = match err {
            SyncError::Lock(LockError::Busy { .. }) => ErrorCode::Busy,
            SyncError::Lock(LockError::Io { .. }) => ErrorCode::Storage,
            SyncError::Store(e) => ApiError::from(e).code,
            SyncError::Gather(GatherError::Source(e)) => e.code,
            SyncError::Gather(GatherError::Psa(e)) | SyncError::Resume(e) => ApiError::from(e).code,
            SyncError::Invalid(_) => ErrorCode::Internal,
            SyncError::PreviewExpired { .. } => ErrorCode::InvalidInput,
        };
        ApiError::new(code, message)
    }
}
