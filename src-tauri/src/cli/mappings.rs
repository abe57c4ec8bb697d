//! `psa-bridge mappings export|import ID FILE`: a connector's workspace and service mappings as
//! CSV. An import previews its changes (`--dry-run` stops there), refuses any invalid row with a
//! line-numbered report, and writes nothing unless every row is valid.

use std::path::PathBuf;

use clap::{Args, Subcommand};

use super::output::print_json;
use crate::app;
use crate::app::mapping_csv::ImportReport;
use crate::context::AppContext;
use crate::error::{ApiError, ErrorCode};

#[derive(Debug, Subcommand)]
pub enum MappingsCmd {
    /// Write every Coro workspace and service with its PSA company / product (empty: unmapped)
    /// to FILE (`-` for stdout).
    Export(ExportArgs),
    /// Read FILE (as written by export, edited) and apply its changes: all or nothing.
    Import(ImportArgs),
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Connector id or name.
    pub connector: String,
    pub file: PathBuf,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Connector id or name.
    pub connector: String,
    pub file: PathBuf,
    /// Only show what would change; write nothing.
    #[arg(long)]
    pub dry_run: bool,
    #[arg(long)]
    pub json: bool,
}

impl MappingsCmd {
    pub fn wants_json(&self) -> bool {
        matches!(self, MappingsCmd::Import(a) if a.json)
    }
}

fn invalid(msg: String) -> ApiError {
    ApiError::new(ErrorCode::InvalidInput, msg)
}

pub fn run(ctx: &AppContext, cmd: &MappingsCmd) -> Result<(), ApiError> {
    match cmd {
        MappingsCmd::Export(a) => {
            let row = app::connectors::resolve(ctx, &a.connector)?;
            let text = super::runtime()?.block_on(app::mapping_import::export(ctx, row.id))?;
            if a.file.as_os_str() == "-" {
                print!("{text}");
                return Ok(());
            }
            std::fs::write(&a.file, text.as_bytes())
                .map_err(|e| invalid(format!("could not write {}: {e}", a.file.display())))?;
            eprintln!(
                "Wrote the mappings of {} to {}.",
                row.name,
                a.file.display()
            );
            Ok(())
        }
        MappingsCmd::Import(a) => {
            let row = app::connectors::resolve(ctx, &a.connector)?;
            let bytes = std::fs::read(&a.file)
                .map_err(|e| invalid(format!("could not read {}: {e}", a.file.display())))?;
            let text = String::from_utf8(bytes).map_err(|_| {
                invalid(format!(
                    "{} is not UTF-8 text: save it as CSV UTF-8",
                    a.file.display()
                ))
            })?;
            let report = super::runtime()?
                .block_on(app::mapping_import::import(ctx, row.id, &text, a.dry_run))?;
            if a.json {
                print_json(&report)?;
            } else {
                print_report(&report, a.dry_run);
            }
            if report.errors.is_empty() {
                Ok(())
            } else {
                // The report said why; exit 2 with nothing more to print.
                Err(ApiError::new(ErrorCode::InvalidInput, ""))
            }
        }
    }
}

fn print_report(r: &ImportReport, dry_run: bool) {
    if !r.errors.is_empty() {
        eprintln!(
            "Nothing was imported: {} line(s) are not valid.",
            r.errors.len()
        );
        for e in &r.errors {
            eprintln!("  line {}: {}", e.line, e.message);
        }
        return;
    }
    for c in &r.changes {
        println!("line {}: {}", c.line, c.message);
    }
    let verb = if r.applied {
        "Imported"
    } else if dry_run {
        "Would import (dry run, nothing written)"
    } else {
        "Nothing to import"
    };
    println!(
        "{verb}: {} change(s), {} row(s) unchanged.",
        r.changes.len(),
        r.unchanged
    );
}
