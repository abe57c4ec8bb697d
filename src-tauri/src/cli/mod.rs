//! Command line: `psa-bridge` alone starts the desktop app; subcommands run headless. Read
//! commands take `--json`. Exit codes are stable: 0 ok, 1 failure, 2 usage error.

pub mod browse;
pub mod cadence;
pub mod check;
pub mod connector;
pub mod coro;
pub mod diagnostics;
pub mod map;
pub mod mappings;
pub mod output;
pub mod report;
#[cfg(feature = "demo")]
pub mod sandbox;
pub mod secret_input;
pub mod secrets;
pub mod settings;
pub mod status;
pub mod sync;
pub mod tickets;
pub mod undo;

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

use crate::error::{ApiError, ErrorCode};

use crate::process::{logging, print_error};
pub use crate::process::{EXIT_FAILURE, EXIT_OK, EXIT_USAGE};

#[derive(Debug, Parser)]
#[command(
    name = "psa-bridge",
    version = crate::build_info::LONG_VERSION,
    about = "Keeps ConnectWise Manage / Autotask billing quantities equal to Coro usage.",
    long_about = "PSA Bridge keeps the quantities an MSP bills in its PSA (ConnectWise Manage or \
Autotask) equal to real Coro usage.\n\nWithout a subcommand it starts the desktop app in the tray. \
With a subcommand it runs headless (for servers and scripts).\n\nExit codes: 0 ok, 1 failure, 2 usage error."
)]
pub struct Cli {
    /// Folder holding the database (default: the OS app-data folder; env PSA_BRIDGE_DATA_DIR).
    #[arg(long, global = true, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,

    /// Read and write secrets as files in DIR (`coro-client-secret`, `connector-<ID>-secret`,
    /// owner-only) instead of the OS keychain: for servers without one. systemd sets
    /// CREDENTIALS_DIRECTORY for a service with LoadCredential=.
    #[arg(long, global = true, value_name = "DIR", env = "CREDENTIALS_DIRECTORY")]
    pub credentials_dir: Option<PathBuf>,

    /// Start the desktop app against the built-in sandbox, with its own data folder.
    #[arg(long)]
    pub sandbox: bool,

    /// Start in the tray without opening the window (used by "Launch at login").
    #[arg(long)]
    pub hidden: bool,

    /// Ask the running app to close its window (it stays in the tray). For scripts/benchmarks.
    #[arg(long, hide = true)]
    pub close_window: bool,

    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Serve the simulated Coro, ConnectWise and Autotask APIs on 127.0.0.1 until killed.
    #[cfg(feature = "demo")]
    Sandbox(sandbox::SandboxArgs),
    /// Where data lives, the Coro connection, the connectors and the next sync.
    Status(connector::JsonFlag),
    /// Add, list, test and remove PSA connectors.
    #[command(subcommand)]
    Connector(connector::ConnectorCmd),
    /// List a connector's PSA companies (cached; --refresh re-reads, --search asks the PSA).
    Companies(browse::BrowseArgs),
    /// List a connector's PSA products (ConnectWise catalog items / Autotask services).
    Products(browse::BrowseArgs),
    /// Connect the Coro channel, or show the connection.
    #[command(subcommand)]
    Coro(coro::CoroCmd),
    /// List the Coro child workspaces (with --connector: and their PSA companies).
    Workspaces(coro::WorkspacesArgs),
    /// List the Coro services (with --connector: and their PSA products).
    Services(coro::ServicesArgs),
    /// Map a workspace to a company or a service to a product.
    #[command(subcommand)]
    Map(map::MapCmd),
    /// Remove a workspace or service mapping.
    #[command(subcommand)]
    Unmap(map::UnmapCmd),
    /// Export or import a connector's mappings as CSV (import: all rows valid or nothing written).
    #[command(subcommand)]
    Mappings(mappings::MappingsCmd),
    /// Make the PSA's billed quantities equal Coro usage (--dry-run: only show the plan).
    Sync(sync::SyncArgs),
    /// Reconcile: Coro usage against PSA billing, with its monthly value, unbilled customers,
    /// orphan lines and what the sync would skip (--last: the last report, without reading).
    Report(report::ReportArgs),
    /// Pre-flight checks per mapped company: no line, several lines, an agreement/contract
    /// ending within 30 days or ended, a closed one still holding a product, an inactive
    /// company (exit 3 when problems are found).
    Check(check::CheckArgs),
    /// Recent sync runs.
    Runs(sync::RunsArgs),
    /// One run: its items, or a CSV export.
    #[command(subcommand)]
    Run(sync::RunCmd),
    /// Show the settings, or change the limits that hold changes for approval.
    Settings(settings::SettingsArgs),
    /// Where secrets are kept (`secrets where`).
    #[command(subcommand)]
    Secrets(secrets::SecretsCmd),
    /// Save a support archive: versions, recent runs and logs, raw samples of each Coro and PSA
    /// read, with secrets removed and customer names hashed (unless --names).
    Diagnostics(diagnostics::DiagnosticsArgs),
}

/// A tokio runtime for headless commands.
pub fn runtime() -> Result<tokio::runtime::Runtime, ApiError> {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .map_err(|e| {
            ApiError::new(
                ErrorCode::Internal,
                format!("could not start the async runtime: {e}"),
            )
        })
}

/// Entry point of the binary.
pub fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let code = if e.use_stderr() { EXIT_USAGE } else { EXIT_OK };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    let json = cli.command.as_ref().is_some_and(Command::wants_json);
    let result = match &cli.command {
        None => {
            // The tray process (not the demo window, which renders a webview in this process):
            // no OpenGL, before any thread starts.
            #[cfg(feature = "desktop")]
            if !cli.sandbox {
                crate::desktop::resident::tray_without_gl();
            }
            // A GUI launch has no terminal: log to a file in the data folder too.
            let data_dir = crate::paths::data_dir(cli.data_dir.clone()).ok();
            logging::init_desktop(data_dir.as_deref(), "info");
            run_desktop(&cli).map(|()| EXIT_OK)
        }
        Some(cmd) => {
            logging::init_stderr("warn");
            dispatch(&cli, cmd)
        }
    };
    match result {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            print_error(&e, json);
            ExitCode::from(if e.code == ErrorCode::InvalidInput {
                EXIT_USAGE
            } else {
                EXIT_FAILURE
            })
        }
    }
}

impl Command {
    fn wants_json(&self) -> bool {
        match self {
            #[cfg(feature = "demo")]
            Command::Sandbox(a) => a.json,
            Command::Status(f) => f.json,
            Command::Connector(c) => c.wants_json(),
            Command::Companies(a) | Command::Products(a) => a.json,
            Command::Coro(c) => c.wants_json(),
            Command::Workspaces(a) => a.json,
            Command::Services(a) => a.json,
            Command::Map(m) => m.wants_json(),
            Command::Unmap(m) => m.wants_json(),
            Command::Mappings(m) => m.wants_json(),
            Command::Sync(a) => a.json,
            Command::Report(a) => a.json,
            Command::Check(a) => a.json,
            Command::Runs(a) => a.json,
            Command::Run(r) => r.wants_json(),
            Command::Settings(a) => a.json,
            Command::Secrets(c) => c.wants_json(),
            Command::Diagnostics(a) => a.json,
        }
    }
}

/// Runs a subcommand; its exit code (`0`, or `check`'s problems code) on success.
fn dispatch(cli: &Cli, cmd: &Command) -> Result<u8, ApiError> {
    #[cfg(feature = "demo")]
    if let Command::Sandbox(args) = cmd {
        return sandbox::run(args).map(|()| EXIT_OK);
    }
    let ctx =
        crate::context::AppContext::open_with(cli.data_dir.clone(), cli.credentials_dir.clone())?;
    if let Command::Check(a) = cmd {
        return check::run(&ctx, a);
    }
    let done = match cmd {
        #[cfg(feature = "demo")]
        Command::Sandbox(_) => Ok(()),
        Command::Check(_) => Ok(()),
        Command::Status(f) => status::run(&ctx, f.json),
        Command::Connector(c) => connector::run(&ctx, c),
        Command::Companies(a) => browse::companies(&ctx, a),
        Command::Products(a) => browse::products(&ctx, a),
        Command::Coro(c) => coro::run(&ctx, c),
        Command::Workspaces(a) => coro::workspaces(&ctx, a),
        Command::Services(a) => coro::services(&ctx, a),
        Command::Map(m) => map::map(&ctx, m),
        Command::Unmap(m) => map::unmap(&ctx, m),
        Command::Mappings(m) => mappings::run(&ctx, m),
        Command::Sync(a) => sync::run(&ctx, a),
        Command::Report(a) => report::run(&ctx, a),
        Command::Runs(a) => sync::runs(&ctx, a),
        Command::Run(r) => sync::run_cmd(&ctx, r),
        Command::Settings(a) => settings::run(&ctx, a),
        Command::Secrets(c) => secrets::run(&ctx, c),
        Command::Diagnostics(a) => diagnostics::run(&ctx, a),
    };
    done.map(|()| EXIT_OK)
}

/// The tray process (it starts the window process when the window is wanted); `--sandbox` is a
/// window on its own with the demo data.
#[cfg(feature = "desktop")]
fn run_desktop(cli: &Cli) -> Result<(), ApiError> {
    let opts = crate::desktop::LaunchOptions {
        data_dir: cli.data_dir.clone(),
        credentials_dir: cli.credentials_dir.clone(),
        sandbox: cli.sandbox,
        hidden: cli.hidden,
        close_window: cli.close_window,
        route: None,
        from_tray: false,
    };
    if cli.sandbox {
        return crate::desktop::resident::run_demo(&opts);
    }
    crate::desktop::resident::run(opts)
}

#[cfg(not(feature = "desktop"))]
fn run_desktop(_cli: &Cli) -> Result<(), ApiError> {
    Err(ApiError::new(
        ErrorCode::InvalidInput,
        "this build has no desktop app (built without the `desktop` feature): run a subcommand, see --help",
    ))
}
