//! `psa-bridge`: no subcommand starts the desktop app (tray + window); a subcommand runs headless.
//!
//! On Windows this is the desktop app's executable and is linked for the GUI subsystem (release
//! builds), so starting it opens no console whose closing would kill the tray app. The command
//! line on Windows is `psa-bridge-cli.exe` (src/bin/psa-bridge-cli.rs), a console program that
//! the installer puts on the PATH as `psa-bridge`. Linux and macOS have no such split: this one
//! binary is both.
#![cfg_attr(all(windows, not(debug_assertions)), windows_subsystem = "windows")]

use std::process::ExitCode;

fn main() -> ExitCode {
    psa_bridge::cli::main()
}
