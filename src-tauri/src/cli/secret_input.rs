//! Secrets on the command line come from stdin (piped) or an interactive prompt with echo off —
//! never from argv, where they would land in shell history and `ps` output.

use std::io::{IsTerminal, Read};

use crate::error::{ApiError, ErrorCode};
use crate::secrets::Sensitive;

/// Reads one secret: the first line of piped stdin, or a hidden prompt on a terminal.
pub fn read_secret(what: &str) -> Result<Sensitive<String>, ApiError> {
    let stdin = std::io::stdin();
    let value = if stdin.is_terminal() {
        rpassword::prompt_password(format!("{what}: ")).map_err(|e| {
            ApiError::new(
                ErrorCode::InvalidInput,
                format!("could not read the {what} from the terminal: {e}"),
            )
        })?
    } else {
        let mut buf = String::new();
        stdin.lock().read_to_string(&mut buf).map_err(|e| {
            ApiError::new(
                ErrorCode::InvalidInput,
                format!("could not read the {what} from stdin: {e}"),
            )
        })?;
        buf.lines().next().unwrap_or_default().to_string()
    };
    let value = value.trim().to_string();
    if value.is_empty() {
        return Err(ApiError::new(
            ErrorCode::InvalidInput,
            format!("No {what} given: pipe it on stdin (e.g. `printf %s \"$KEY\" | psa-bridge …`) or type it at the prompt"),
        ));
    }
    Ok(Sensitive::new(value))
}
