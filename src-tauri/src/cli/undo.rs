//! `psa-bridge run undo RUN [--item ID…] [--dry-run] [--json]`.

use super::output::print_json;
use super::sync::print_plan;
use crate::app;
use crate::context::AppContext;
use crate::error::{ApiError, ErrorCode};
use crate::store::runs::RunStatus;
use crate::sync::Trigger;

pub fn undo(
    ctx: &AppContext,
    run_id: i64,
    items: &[i64],
    dry_run: bool,
    json: bool,
) -> Result<(), ApiError> {
    let rt = super::runtime()?;
    let out = rt.block_on(app::undo::undo_run(
        ctx,
        run_id,
        items.to_vec(),
        dry_run,
        Trigger::Cli,
        &|_| {},
    ))?;
    if json {
        print_json(&out)?;
    } else {
        let title = if dry_run {
            format!("Undo of run {run_id} (preview: nothing written)")
        } else {
            format!("Undo of run {run_id}")
        };
        print_plan(&title, &out.plan);
        if let Some(s) = &out.summary {
            println!("  run {}: {}", s.run_id, s.status.as_str());
            if let Some(f) = &s.first_failure_reason {
                println!("  first problem: {f}");
            }
        }
    }
    match &out.summary {
        Some(s) if matches!(s.status, RunStatus::Failed | RunStatus::Partial) => {
            let message = format!(
                "the undo of run {run_id} ended {}: see `psa-bridge run show {}`",
                s.status.as_str(),
                s.run_id
            );
            Err(ApiError::new(
                ErrorCode::Remote,
                if json { String::new() } else { message },
            ))
        }
        _ => Ok(()),
    }
}
