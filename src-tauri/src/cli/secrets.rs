//! `psa-bridge secrets where`: which store holds this data folder's secrets.

use clap::Subcommand;

use super::output::print_json;
use crate::context::AppContext;
use crate::error::ApiError;

#[derive(Debug, Subcommand)]
pub enum SecretsCmd {
    /// Say where secrets are kept: the OS keychain (and its entry name) or a credentials directory.
    Where(super::connector::JsonFlag),
}

impl SecretsCmd {
    pub fn wants_json(&self) -> bool {
        match self {
            SecretsCmd::Where(f) => f.json,
        }
    }
}

pub fn run(ctx: &AppContext, cmd: &SecretsCmd) -> Result<(), ApiError> {
    match cmd {
        SecretsCmd::Where(f) => {
            let location = ctx.secrets.location();
            if f.json {
                print_json(&location)
            } else {
                println!("Secrets are kept in {location}.");
                Ok(())
            }
        }
    }
}
