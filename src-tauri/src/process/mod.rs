//! What both front doors (`cli/` and `desktop/`) share as processes: the exit codes, where log
//! lines go, and how a fatal error is printed. It sits below both, so the command line can start
//! the desktop app without the desktop app reaching back into the command line.

pub mod logging;

use crate::error::ApiError;

/// Exit codes are stable: scripts depend on them.
pub const EXIT_OK: u8 = 0;
pub const EXIT_FAILURE: u8 = 1;
pub const EXIT_USAGE: u8 = 2;

/// Prints the error that ends the process: to stderr as text, or to stdout as
/// `{"error": {code, message}}` when the command was asked for `--json`, so scripts can parse it.
pub fn print_error(e: &ApiError, json: bool) {
    if e.message.is_empty() {
        // Already reported in the command's own output.
        return;
    }
    if json {
        let doc = serde_json::json!({ "error": e });
        println!("{doc}");
    } else {
        eprintln!("error: {}", e.message);
    }
}
