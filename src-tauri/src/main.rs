//! `psa-bridge`: no subcommand starts the desktop app (tray + window); a subcommand runs headless.

use std::process::ExitCode;

fn main() -> ExitCode {
    psa_bridge::cli::main()
}
