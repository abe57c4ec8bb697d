//! Undoing a run for the CLI (`psa-bridge run undo`) and the run page (*Undo this run…*): the
//! connector's PSA client, then [`crate::sync::undo`]; and the links History shows both ways.

use super::blocking;
use super::connectors::{client_of, require};
use crate::clock::SystemClock;
use crate::context::AppContext;
use crate::error::{ApiError, ErrorCode};
use crate::store;
use crate::sync::undo::{self, UndoEnv, UndoOutcome, UndoRequest};
use crate::sync::{Progress, Trigger};

/// Previews (`dry_run`) or applies the undo of `run_id` (all its changes, or only `items`).
pub async fn undo_run(
    ctx: &AppContext,
    run_id: i64,
    items: Vec<i64>,
    dry_run: bool,
    trigger: Trigger,
    progress: &(dyn Fn(Progress) + Send + Sync),
) -> Result<UndoOutcome, ApiError> {
    let row = blocking(ctx, move |ctx| {
        let run = store::runs::get(&ctx.store.conn()?, run_id)?.ok_or_else(|| {
            ApiError::new(ErrorCode::NotFound, format!("Run {run_id} does not exist"))
        })?;
        require(ctx, run.connector_id)
    })
    .await?;
    let psa = client_of(ctx, &row).await?;
    let clock = SystemClock;
    let env = UndoEnv {
        store: &ctx.store,
        data_dir: &ctx.data_dir,
        psa: &psa,
        clock: &clock,
    };
    let req = UndoRequest {
        run_id,
        items,
        dry_run,
        trigger,
    };
    Ok(undo::undo(&env, &req, progress).await?)
}

/// The run `run_id` undoes (when it is an undo) and the undo runs of it, oldest first.
pub fn links(ctx: &AppContext, run_id: i64) -> Result<(Option<i64>, Vec<i64>), ApiError> {
    let conn = ctx.store.conn()?;
    let of = store::undos::undo_of(&conn, run_id)?.map(|l| l.undone_run);
    let by = store::undos::undone_by(&conn, run_id)?
        .into_iter()
        .map(|l| l.undo_run)
        .collect();
    Ok((of, by))
}
