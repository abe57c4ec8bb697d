//! `psa-bridge sync`, `psa-bridge runs`, `psa-bridge run show|export`.

use clap::{Args, Subcommand};

use super::output::{print_json, table};
use crate::app;
use crate::context::AppContext;
use crate::error::{ApiError, ErrorCode};
use crate::store::runs::RunStatus;
use crate::sync::{Action, Plan, RunSummary, Trigger};

#[derive(Debug, Args)]
pub struct SyncArgs {
    /// Only this connector (id or name); default: every connector.
    pub connector: Option<String>,
    /// Show what would change without writing to the PSA.
    #[arg(long)]
    pub dry_run: bool,
    /// Also apply decreases held by the safety guard (large or to zero).
    #[arg(long)]
    pub approve_held: bool,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct RunsArgs {
    #[arg(long)]
    pub connector: Option<String>,
    #[arg(long, default_value_t = 20)]
    pub limit: u32,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Subcommand)]
pub enum RunCmd {
    /// A run's items with before/after/outcome.
    Show {
        run_id: i64,
        /// Only items of workspaces whose id or name contains this.
        #[arg(long)]
        workspace: Option<String>,
        #[arg(long)]
        json: bool,
    },
    /// Save a run as CSV and print the file's path.
    Export { run_id: i64 },
    /// Put back the quantities a run changed, where the PSA still shows what it left (a run of
    /// its own in History); `--dry-run` previews and records nothing.
    Undo {
        run_id: i64,
        /// Only these items (ids from `run show`); repeat for several. Default: every change.
        #[arg(long = "item", value_name = "ID")]
        items: Vec<i64>,
        #[arg(long)]
        dry_run: bool,
        #[arg(long)]
        json: bool,
    },
    /// Record what you found in the PSA for a change awaiting it (item id from `run show`):
    /// `landed` marks it applied; `not-landed` marks it failed, so the next run plans it again.
    Settle {
        item_id: i64,
        #[arg(value_enum)]
        found: Found,
    },
}

/// What the operator found in the PSA for an awaiting change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Found {
    Landed,
    NotLanded,
}

impl RunCmd {
    pub fn wants_json(&self) -> bool {
        matches!(
            self,
            RunCmd::Show { json: true, .. } | RunCmd::Undo { json: true, .. }
        )
    }
}

fn action_word(a: Action) -> &'static str {
    match a {
        Action::Unchanged => "unchanged",
        Action::Increase => "increase",
        Action::Decrease => "decrease",
        Action::Skip => "skip",
        Action::Hold => "hold",
    }
}

pub(super) fn print_plan(name: &str, plan: &Plan) {
    println!("{name}");
    let rows: Vec<Vec<String>> = plan
        .items
        .iter()
        .filter(|i| i.action != Action::Unchanged)
        .map(|i| {
            let qty = |q: Option<i64>| q.map(|v| v.to_string()).unwrap_or_else(|| "—".into());
            vec![
                i.workspace_name.clone(),
                i.service_name.clone(),
                format!("{} → {}", qty(i.before), qty(i.after)),
                action_word(i.action).to_string(),
                i.reason.clone().unwrap_or_default(),
            ]
        })
        .collect();
    if rows.is_empty() {
        println!("  nothing to change");
    } else {
        print!(
            "{}",
            table(
                &["WORKSPACE", "SERVICE", "QUANTITY", "ACTION", "REASON"],
                &rows
            )
        );
    }
    let t = &plan.totals;
    println!(
        "  {} increase(s) (+{}), {} decrease(s) (−{}), {} unchanged, {} skipped, {} held",
        t.increase, t.units_added, t.decrease, t.units_removed, t.unchanged, t.skip, t.hold
    );
}

fn status_word(s: RunStatus) -> &'static str {
    s.as_str()
}

pub fn run(ctx: &AppContext, a: &SyncArgs) -> Result<(), ApiError> {
    let rt = super::runtime()?;
    let ids = match &a.connector {
        Some(c) => vec![app::connectors::resolve(ctx, c)?],
        None => crate::store::connectors::list(&ctx.store.conn()?)?,
    };
    if ids.is_empty() {
        return Err(ApiError::new(
            ErrorCode::InvalidInput,
            "No PSA connectors: add one first (psa-bridge connector add …)",
        ));
    }
    let mut out = Vec::new();
    let mut failed = None;
    for row in ids {
        let result = rt.block_on(app::sync::run(
            ctx,
            row.id,
            Trigger::Cli,
            a.dry_run,
            a.approve_held,
            &|_| {},
        ));
        match result {
            Ok(r) => {
                if !a.json {
                    print_plan(&row.name, &r.plan);
                    println!(
                        "  run {}: {}",
                        r.summary.run_id,
                        status_word(r.summary.status)
                    );
                    for a in &r.summary.attention {
                        println!("  needs attention: {a}");
                    }
                    if let Some(f) = &r.summary.first_failure_reason {
                        println!("  first problem: {f}");
                    }
                }
                if matches!(
                    r.summary.status,
                    RunStatus::Failed | RunStatus::Partial | RunStatus::Interrupted
                ) {
                    failed.get_or_insert_with(|| {
                        ApiError::new(
                            ErrorCode::Remote,
                            format!(
                                "sync of {} ended {}: see `psa-bridge run show {}`",
                                row.name,
                                status_word(r.summary.status),
                                r.summary.run_id
                            ),
                        )
                    });
                }
                out.push(serde_json::json!({"connector_id": row.id, "plan": r.plan, "summary": r.summary}));
            }
            Err(e) => {
                if !a.json {
                    eprintln!("{}: {}", row.name, e.message);
                }
                out.push(serde_json::json!({"connector_id": row.id, "error": e}));
                failed.get_or_insert(e);
            }
        }
    }
    if a.json {
        print_json(&out)?;
    }
    match failed {
        // With --json the document above already carries the errors; exit 1 all the same.
        Some(e) if a.json => Err(ApiError {
            message: String::new(),
            ..e
        }),
        Some(e) => Err(e),
        None => Ok(()),
    }
}

fn print_runs(runs: &[RunSummary]) {
    let rows: Vec<Vec<String>> = runs
        .iter()
        .map(|r| {
            vec![
                r.run_id.to_string(),
                r.connector_id.to_string(),
                r.started_at
                    .with_timezone(&chrono::Local)
                    .format("%Y-%m-%d %H:%M")
                    .to_string(),
                format!("{:?}", r.trigger).to_lowercase(),
                if r.dry_run {
                    format!("{} (dry run)", status_word(r.status))
                } else {
                    status_word(r.status).to_string()
                },
                format!(
                    "{} applied, {} failed, {} skipped, {} held",
                    r.counts.applied, r.counts.failed, r.counts.skipped, r.counts.held
                ),
            ]
        })
        .collect();
    print!(
        "{}",
        table(
            &["RUN", "CONNECTOR", "STARTED", "TRIGGER", "STATUS", "ITEMS"],
            &rows
        )
    );
}

pub fn runs(ctx: &AppContext, a: &RunsArgs) -> Result<(), ApiError> {
    let connector = match &a.connector {
        Some(c) => Some(app::connectors::resolve(ctx, c)?.id),
        None => None,
    };
    let list = app::sync::list_runs(ctx, connector, a.limit)?;
    if a.json {
        return print_json(&list);
    }
    print_runs(&list);
    Ok(())
}

pub fn run_cmd(ctx: &AppContext, cmd: &RunCmd) -> Result<(), ApiError> {
    match cmd {
        RunCmd::Show {
            run_id,
            workspace,
            json,
        } => {
            let d = app::sync::run_detail(ctx, *run_id, workspace.as_deref())?;
            if *json {
                return print_json(&d);
            }
            print_runs(std::slice::from_ref(&d.run));
            if let Some(of) = d.undo_of {
                println!("This run is the undo of run {of}.");
            }
            for by in &d.undone_by {
                println!("Undone by run {by}.");
            }
            let rows: Vec<Vec<String>> = d
                .items
                .iter()
                .map(|i| {
                    let q = |v: Option<i64>| v.map(|x| x.to_string()).unwrap_or_else(|| "—".into());
                    vec![
                        i.item_id.to_string(),
                        i.workspace_name
                            .clone()
                            .unwrap_or_else(|| i.workspace_id.clone()),
                        i.service_name.clone(),
                        format!("{} → {}", q(i.before), q(i.after)),
                        action_word(i.action).to_string(),
                        i.outcome.as_str().to_string(),
                        i.reason.clone().unwrap_or_default(),
                        i.request_id.clone().unwrap_or_default(),
                    ]
                })
                .collect();
            print!(
                "{}",
                table(
                    &[
                        "ITEM",
                        "WORKSPACE",
                        "SERVICE",
                        "QUANTITY",
                        "ACTION",
                        "OUTCOME",
                        "REASON",
                        "REQUEST ID"
                    ],
                    &rows
                )
            );
            Ok(())
        }
        RunCmd::Settle { item_id, found } => {
            let landed = *found == Found::Landed;
            app::sync::settle_awaiting(ctx, *item_id, landed)?;
            println!(
                "Item {item_id} recorded as {}",
                if landed {
                    "applied"
                } else {
                    "not applied (the next run plans it from a fresh read)"
                }
            );
            Ok(())
        }
        RunCmd::Undo {
            run_id,
            items,
            dry_run,
            json,
        } => super::undo::undo(ctx, *run_id, items, *dry_run, *json),
        RunCmd::Export { run_id } => {
            let path = app::sync::export_csv(ctx, *run_id)?;
            println!("{}", path.display());
            Ok(())
        }
    }
}
