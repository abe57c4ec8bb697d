//! `psa-bridge check [CONNECTOR] [--json]`: the pre-flight checks of each connector (or one) —
//! per mapped company, what will stop the sync from billing it. Exit code: `0` no problem,
//! [`EXIT_PROBLEMS`] (3) problems found, `1` the check could not be made, `2` usage.

use clap::Args;

use super::output::{print_json, table};
use crate::app;
use crate::checks::CheckReport;
use crate::context::AppContext;
use crate::error::{ApiError, ErrorCode};

/// The exit code when the checks found problems (distinct from a failure, `1`).
pub const EXIT_PROBLEMS: u8 = 3;

#[derive(Debug, Args)]
pub struct CheckArgs {
    /// Only this connector (id or name); default: every connector.
    pub connector: Option<String>,
    /// The checks as JSON (an array, one per connector).
    #[arg(long)]
    pub json: bool,
}

/// Runs the checks and returns the exit code: 0 or [`EXIT_PROBLEMS`].
pub fn run(ctx: &AppContext, a: &CheckArgs) -> Result<u8, ApiError> {
    let rt = super::runtime()?;
    let rows = match &a.connector {
        Some(c) => vec![app::connectors::resolve(ctx, c)?],
        None => crate::store::connectors::list(&ctx.store.conn()?)?,
    };
    if rows.is_empty() {
        return Err(ApiError::new(
            ErrorCode::InvalidInput,
            "No PSA connectors: add one first (psa-bridge connector add …)",
        ));
    }
    let mut reports = Vec::new();
    for row in rows {
        eprintln!("{}: checking the mapped companies…", row.name);
        reports.push(rt.block_on(app::checks::fresh(ctx, row.id))?);
    }
    let found = reports.iter().any(|r| !r.problems.is_empty());
    if a.json {
        print_json(&reports)?;
    } else {
        for r in &reports {
            print_report(r);
        }
    }
    Ok(if found { EXIT_PROBLEMS } else { 0 })
}

fn print_report(r: &CheckReport) {
    let n = r.problems.len();
    println!(
        "{} — {} mapped compan{} checked: {}",
        r.connector_name,
        r.companies,
        if r.companies == 1 { "y" } else { "ies" },
        match n {
            0 => "no problems".to_string(),
            1 => "1 problem".to_string(),
            n => format!("{n} problems"),
        }
    );
    if n == 0 {
        return;
    }
    let rows: Vec<Vec<String>> = r
        .problems
        .iter()
        .map(|p| {
            vec![
                p.company_name.clone(),
                p.service_key.clone().unwrap_or_else(|| "—".into()),
                p.kind.label().to_string(),
                p.reason.clone(),
            ]
        })
        .collect();
    print!(
        "{}",
        table(&["COMPANY", "SERVICE", "PROBLEM", "REASON"], &rows)
    );
}
