//! `psa-bridge connector tickets ID [--tickets on|off] [--ticket-board ID | --ticket-queue ID]
//! [--json]`: show or set the PSA ticket opened when a sync fails or holds changes; and
//! `psa-bridge connector boards ID [--json]`: the ConnectWise service boards / Autotask queues to
//! choose from.

use clap::Args;

use super::connector::IdArgs;
use super::output::{print_json, table};
use crate::app;
use crate::context::AppContext;
use crate::error::ApiError;

#[derive(Debug, Args)]
pub struct TicketsArgs {
    /// Connector id or name.
    pub connector: String,
    /// Open a ticket when a sync fails or holds changes: `on` or `off` (the default).
    #[arg(long, value_name = "on|off", value_parser = on_off)]
    pub tickets: Option<bool>,
    /// The ConnectWise service board tickets go on (`psa-bridge connector boards` lists them).
    #[arg(long, value_name = "ID", conflicts_with = "ticket_queue")]
    pub ticket_board: Option<i64>,
    /// The Autotask queue tickets go into (`psa-bridge connector boards` lists them).
    #[arg(long, value_name = "ID")]
    pub ticket_queue: Option<i64>,
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &AppContext, a: &TicketsArgs) -> Result<(), ApiError> {
    let row = app::connectors::resolve(ctx, &a.connector)?;
    let queue = a.ticket_board.or(a.ticket_queue);
    let view = if a.tickets.is_some() || queue.is_some() {
        super::runtime()?.block_on(app::tickets::update(ctx, row.id, a.tickets, queue))?
    } else {
        app::tickets::get(ctx, row.id)?
    };
    if a.json {
        return print_json(&view);
    }
    println!(
        "Connector {} ({}): PSA tickets {}.",
        row.id,
        row.name,
        view.settings.describe()
    );
    for t in &view.open {
        println!(
            "Open ticket for {}: {} (opened {}, last run {}).",
            t.problem.as_str(),
            t.ticket_id,
            t.opened_at.format("%Y-%m-%d %H:%M UTC"),
            t.last_run_id
        );
    }
    Ok(())
}

pub fn boards(ctx: &AppContext, a: &IdArgs) -> Result<(), ApiError> {
    let row = app::connectors::resolve(ctx, &a.connector)?;
    let list = super::runtime()?.block_on(app::tickets::queues(ctx, row.id))?;
    if a.json {
        return print_json(&list);
    }
    let rows: Vec<Vec<String>> = list
        .iter()
        .map(|q| vec![q.id.to_string(), q.name.clone()])
        .collect();
    print!("{}", table(&["ID", "NAME"], &rows));
    Ok(())
}

/// `on` / `off` (also `true` / `false`, `yes` / `no`).
fn on_off(s: &str) -> Result<bool, String> {
    match s.trim().to_ascii_lowercase().as_str() {
        "on" | "true" | "yes" => Ok(true),
        "off" | "false" | "no" => Ok(false),
        other => Err(format!(
            "'{other}' is neither on nor off; use --tickets on or off"
        )),
    }
}
