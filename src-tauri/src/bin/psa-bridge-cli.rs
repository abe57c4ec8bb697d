//! The Windows command line: the same commands as `psa-bridge`, linked as a console program so
//! its output reaches the terminal and scripts see its exit code. Built with the `windows-cli`
//! feature (the release workflow's Windows job); the installer copies it to `bin\psa-bridge.exe`
//! and puts that folder on the user's PATH (src-tauri/windows/installer-hooks.nsh).

use std::process::ExitCode;

fn main() -> ExitCode {
    psa_bridge::cli::main()
}
