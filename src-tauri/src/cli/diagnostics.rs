//! `psa-bridge diagnostics [--out FILE] [--names] [--json]`: the support archive (see
//! [`crate::app::diagnostics`]).

use std::path::PathBuf;

use clap::Args;

use super::output::print_json;
use crate::app;
use crate::context::AppContext;
use crate::error::ApiError;

#[derive(Debug, Args)]
pub struct DiagnosticsArgs {
    /// Where to write the archive (default: `diagnostics/` in the data folder).
    #[arg(long, value_name = "FILE")]
    pub out: Option<PathBuf>,
    /// Keep customer names (default: replaced by stable hashes).
    #[arg(long)]
    pub names: bool,
    #[arg(long)]
    pub json: bool,
}

pub fn run(ctx: &AppContext, a: &DiagnosticsArgs) -> Result<(), ApiError> {
    let rt = super::runtime()?;
    let saved = rt.block_on(app::diagnostics::save(ctx, a.out.clone(), a.names))?;
    if a.json {
        return print_json(&saved);
    }
    println!("Diagnostics saved to {}", saved.path);
    println!(
        "{} files; secrets removed, customer names {}.",
        saved.files.len(),
        if a.names {
            "kept"
        } else {
            "replaced by hashes"
        }
    );
    for p in &saved.problems {
        println!("Could not read: {p}");
    }
    Ok(())
}
