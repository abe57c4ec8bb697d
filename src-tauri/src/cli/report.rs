//! `psa-bridge report [CONNECTOR] [--json|--csv] [--last]`: the reconciliation report of each
//! connector (or one), from a fresh read (progress on stderr) or the last one kept.

use clap::Args;

use super::output::{print_json, table};
use crate::app;
use crate::context::AppContext;
use crate::error::{ApiError, ErrorCode};
use crate::report::model::{money, Report};
use crate::report::{csv, saved};

#[derive(Debug, Args)]
pub struct ReportArgs {
    /// Only this connector (id or name); default: every connector.
    pub connector: Option<String>,
    /// The report as JSON (an array, one per connector).
    #[arg(long, conflicts_with = "csv")]
    pub json: bool,
    /// The report as CSV (one table for every connector; a `connector_id` column first).
    #[arg(long)]
    pub csv: bool,
    /// Show the last report made instead of reading Coro and the PSA now (says how old it is).
    #[arg(long)]
    pub last: bool,
}

pub fn run(ctx: &AppContext, a: &ReportArgs) -> Result<(), ApiError> {
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
        let report = if a.last {
            rt.block_on(app::report::last(ctx, row.id))?
        } else {
            eprintln!("{}: reading Coro usage and the PSA lines…", row.name);
            let started = std::time::Instant::now();
            let r = rt.block_on(app::report::fresh(ctx, row.id))?;
            eprintln!(
                "{}: read in {:.1} s ({} PSA requests)",
                row.name,
                started.elapsed().as_secs_f64(),
                r.psa_requests
            );
            r
        };
        reports.push(report);
    }
    if a.json {
        return print_json(&reports);
    }
    if a.csv {
        for (i, r) in reports.iter().enumerate() {
            let text = csv::report_csv(r).map_err(|e| {
                ApiError::new(ErrorCode::Internal, format!("could not write CSV: {e}"))
            })?;
            // One header for all connectors: later reports drop theirs (and the byte-order mark).
            let text = if i == 0 {
                text
            } else {
                text.trim_start_matches('\u{feff}')
                    .split_once("\r\n")
                    .map(|(_, rest)| rest.to_string())
                    .unwrap_or_default()
            };
            print!("{text}");
        }
        return Ok(());
    }
    for r in &reports {
        print_report(r);
    }
    Ok(())
}

fn opt_money(c: Option<i64>) -> String {
    c.map(money).unwrap_or_else(|| "—".into())
}

fn print_report(r: &Report) {
    let when = r
        .read_at
        .with_timezone(&chrono::Local)
        .format("%Y-%m-%d %H:%M");
    match r.age_seconds {
        Some(age) => println!(
            "{} — last report, read {when} ({} ago; run without --last for a fresh one)",
            r.connector_name,
            saved::age_text(age)
        ),
        None => println!("{} — read {when}", r.connector_name),
    }
    let t = &r.totals;
    println!(
        "  under-billed: {} line(s), {} unit(s), {} a month",
        t.under_billed_rows,
        t.under_billed_units,
        money(t.under_billed_cents)
    );
    println!(
        "  over-billed:  {} line(s), {} unit(s), {} a month",
        t.over_billed_rows,
        t.over_billed_units,
        money(t.over_billed_cents)
    );
    if t.unpriced_rows > 0 {
        println!("  ({} differing line(s) carry no price)", t.unpriced_rows);
    }
    let rows: Vec<Vec<String>> = r
        .rows
        .iter()
        .filter(|row| row.difference != 0)
        .map(|row| {
            vec![
                row.company_name.clone(),
                row.service_name.clone(),
                row.coro_count.to_string(),
                row.psa_quantity.to_string(),
                format!("{:+}", row.difference),
                opt_money(row.unit_price_cents),
                opt_money(row.monthly_value_cents),
            ]
        })
        .collect();
    println!("\n  Differences ({} of {} lines)", rows.len(), r.rows.len());
    if !rows.is_empty() {
        print!(
            "{}",
            table(
                &["COMPANY", "SERVICE", "CORO", "PSA", "DIFF", "PRICE", "MONTHLY"],
                &rows
            )
        );
    }
    println!(
        "\n  Unbilled customers ({}; {} unit(s) in use)",
        r.unbilled.len(),
        t.unbilled_units
    );
    for u in &r.unbilled {
        let counts: Vec<String> = u
            .counts
            .iter()
            .map(|c| format!("{} {}", c.service_name, c.count))
            .collect();
        println!("    {}: {}", u.workspace_name, counts.join(", "));
        if let Some(n) = &u.note {
            println!("      {n}");
        }
    }
    println!(
        "\n  Orphan lines ({}; {} a month)",
        r.orphans.len(),
        money(t.orphan_cents)
    );
    for o in &r.orphans {
        println!(
            "    {}: {} × {} on {} ({}) = {}",
            o.company_name,
            o.quantity,
            o.product_name,
            o.line_name,
            o.line_ref,
            opt_money(o.monthly_value_cents)
        );
    }
    let skipped: usize = r.skipped.iter().map(|g| g.lines.len()).sum();
    println!("\n  Lines the sync would skip ({skipped})");
    for g in &r.skipped {
        println!(
            "    {} ({}) — fix in {}",
            g.title,
            g.lines.len(),
            g.fix_text
        );
        for l in &g.lines {
            println!(
                "      {} / {}: {}",
                l.workspace_name, l.service_name, l.reason
            );
        }
    }
    println!();
}
