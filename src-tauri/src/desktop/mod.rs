//! The desktop app (feature `desktop`) in two processes of one product:
//!
//! - the **tray process** (`psa-bridge` with no subcommand; [`resident`]): tray icon and menu,
//!   the daily schedule, the sync engine, notifications, launch at login, single instance. It
//!   links no webview.
//! - the **window process** (`psa-bridge-window`; [`run_window`]): the Tauri webview, started by
//!   the tray process on demand and ended when its window closes. It forwards *Sync now* to the
//!   tray process and shows the events the tray process sends ([`link`]).
//!
//! A window started on its own (no tray process for its data folder: `--sandbox` demo mode, the
//! WebDriver tests) runs its syncs itself. Everything here is thin: commands parse, call the
//! core, map the error.

pub mod autostart;
pub mod billing_commands;
pub mod command_list;
pub mod commands;
pub mod folder_commands;
pub mod link;
pub mod login_commands;
pub mod notify;
pub mod operator_commands;
pub mod report_commands;
pub mod resident;
pub mod runner;
pub mod syncing;
pub mod ticket_commands;
pub mod undo_commands;
pub mod window;

use std::path::PathBuf;
use std::sync::Arc;

use tauri::{AppHandle, RunEvent};

use crate::context::AppContext;
use crate::error::{ApiError, ErrorCode};

/// How the desktop app was launched.
#[derive(Debug, Clone, Default)]
pub struct LaunchOptions {
    pub data_dir: Option<PathBuf>,
    /// Secrets as files in this folder instead of the OS keychain (`--credentials-dir`).
    pub credentials_dir: Option<PathBuf>,
    pub sandbox: bool,
    pub hidden: bool,
    /// Only meaningful for a second launch: close the running instance's window.
    pub close_window: bool,
    /// The window's first page (`history/12`), when the tray opens a run.
    pub route: Option<String>,
    /// The window process was started by the tray process (`--tray`).
    pub from_tray: bool,
}

/// Argument the autostart entry passes so a login launch starts in the tray.
pub const HIDDEN_ARG: &str = "--hidden";
/// Argument a second launch passes to close the running instance's window.
pub const CLOSE_WINDOW_ARG: &str = "--close-window";

/// Shared state behind every command of the window process.
pub struct DesktopState {
    pub ctx: Arc<AppContext>,
    /// Kept alive for the app's lifetime in `--sandbox` mode.
    pub sandbox: Option<crate::app::demo::Demo>,
    /// Syncs run by this process (a window on its own); with a tray process it runs them.
    pub sync: runner::SyncState,
    pub previews: crate::app::sync::Previews,
    /// The tray process this window belongs to, if any (its data folder).
    pub tray: Option<PathBuf>,
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(ErrorCode::Internal, e.to_string())
}

/// The window process: one window; returns when it closes (or the tray process says so).
pub fn run_window(opts: LaunchOptions) -> Result<(), ApiError> {
    let (ctx, sandbox) = if opts.sandbox {
        let (ctx, sb) = crate::app::demo::open(opts.data_dir.clone())?;
        (ctx, Some(sb))
    } else {
        (
            AppContext::open_with(opts.data_dir.clone(), opts.credentials_dir.clone())?,
            None,
        )
    };
    tracing::info!(
        version = crate::build_info::VERSION,
        commit = crate::build_info::COMMIT,
        data_dir = %ctx.data_dir.display(),
        "PSA Bridge window started"
    );
    // The tray process of this data folder, if one runs (never in demo mode: its own folder).
    let events = if sandbox.is_none() {
        link::Client::connect(&link::endpoint(&ctx.data_dir))
            .and_then(link::Client::subscribe)
            .map_err(|e| tracing::info!(reason = %e, "no tray process: the window runs on its own"))
            .ok()
    } else {
        None
    };
    if events.is_none() && opts.from_tray {
        // The tray process quit while this window was starting: nothing to show it for.
        tracing::info!("the tray process is gone; the window does not open");
        return Ok(());
    }
    let tray = events.as_ref().map(|_| ctx.data_dir.clone());
    let ctx = Arc::new(ctx);
    // Asked for (tray, notification) or else the page the window showed last. Read once here,
    // before the window exists.
    let route = opts
        .route
        .clone()
        .or_else(|| crate::app::last_page::last(&ctx));
    let app = tauri::Builder::default()
        .manage(DesktopState {
            ctx,
            sandbox,
            sync: runner::SyncState::default(),
            previews: crate::app::sync::Previews::default(),
            tray,
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_info,
            commands::list_connectors,
            commands::add_connectwise,
            commands::add_autotask,
            commands::test_connector,
            commands::remove_connector,
            commands::set_time_zone,
            commands::machine_time_zone,
            commands::sandbox_defaults,
            commands::get_settings,
            commands::save_settings,
            commands::coro_status,
            commands::coro_connect,
            commands::companies,
            commands::products,
            commands::workspace_rows,
            commands::map_workspace,
            commands::unmap_workspace,
            commands::service_rows,
            commands::map_service,
            commands::unmap_service,
            commands::sync_now,
            commands::sync_preview,
            commands::sync_apply,
            commands::list_runs,
            commands::run_detail,
            commands::export_run_csv,
            commands::save_diagnostics,
            operator_commands::edit_connector,
            operator_commands::connector_settings,
            operator_commands::held_preview,
            operator_commands::apply_held,
            operator_commands::bulk_map_workspaces,
            operator_commands::export_mappings,
            operator_commands::import_mappings,
            operator_commands::set_excluded,
            operator_commands::remember_page,
            login_commands::launch_at_login,
            login_commands::set_launch_at_login,
            folder_commands::open_saved_folder,
            undo_commands::undo_run,
            report_commands::reconcile_report,
            report_commands::export_reconcile_csv,
            report_commands::preflight_check,
            report_commands::last_preflight_checks,
            report_commands::reconcile_trends,
            billing_commands::get_billing,
            billing_commands::set_billing,
            ticket_commands::get_tickets,
            ticket_commands::set_tickets,
            ticket_commands::ticket_queues,
        ])
        .on_page_load(|_webview, payload| {
            // Lets the benchmark time "Open PSA Bridge" to a loaded window; only in builds made
            // for benchmarks and tests (feature `bench-hooks`).
            #[cfg(feature = "bench-hooks")]
            if matches!(payload.event(), tauri::webview::PageLoadEvent::Finished) {
                if let Ok(path) = std::env::var("PSA_BRIDGE_WINDOW_READY_FILE") {
                    let _ = std::fs::write(path, format!("{}", std::process::id()));
                }
            }
            let _ = payload;
        })
        .setup(move |app| {
            let handle = app.handle().clone();
            window::show(&handle, route.as_deref())?;
            if let Some(events) = events {
                follow_tray(handle, events);
            }
            Ok(())
        })
        .build(tauri::generate_context!())
        .map_err(internal)?;
    // Closing the window ends this process (the tray process stays).
    app.run(|_app, _event: RunEvent| {});
    Ok(())
}

/// Carries the tray process's events into the window until its connection ends; then (Quit)
/// the window closes too.
fn follow_tray(app: AppHandle, events: impl Iterator<Item = link::Event> + Send + 'static) {
    let spawned = std::thread::Builder::new()
        .name("tray-events".into())
        .spawn(move || {
            for event in events {
                let result = match event {
                    link::Event::App { payload } => {
                        syncing::emit(&app, payload);
                        Ok(())
                    }
                    link::Event::Show { route } => window::show(&app, route.as_deref()),
                    link::Event::Close => break,
                };
                if let Err(e) = result {
                    tracing::warn!(error = %e, "could not act on a tray event");
                }
            }
            app.exit(0);
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "could not follow the tray process");
    }
}

/// Tells the tray process (if this window has one) that the settings changed.
pub fn refresh_tray(state: &DesktopState) {
    if let Some(dir) = &state.tray {
        if let Err(e) = link::request(dir, &link::Request::SettingsChanged) {
            tracing::debug!(error = %e, "the tray did not hear of the settings change");
        }
    }
}

/// The window process's command line (the tray process builds it; see
/// [`resident::window_proc::WindowLaunch::args`]).
#[derive(Debug, clap::Parser)]
#[command(name = "psa-bridge-window", version = crate::build_info::LONG_VERSION)]
struct WindowArgs {
    /// Folder holding the database (the tray process's).
    #[arg(long, value_name = "DIR")]
    data_dir: Option<PathBuf>,
    /// Secrets as files in DIR instead of the OS keychain.
    #[arg(long, value_name = "DIR")]
    credentials_dir: Option<PathBuf>,
    /// Demo mode: the built-in sandbox, with its own data folder; no tray process.
    #[arg(long)]
    sandbox: bool,
    /// The first page, e.g. `history/12`.
    #[arg(long)]
    route: Option<String>,
    /// Started by the tray process: end at once if it is gone (see `window_proc::TRAY_ARG`).
    #[arg(long)]
    tray: bool,
}

/// Entry point of `psa-bridge-window`.
pub fn window_main() -> std::process::ExitCode {
    use clap::Parser;
    let args = match WindowArgs::try_parse() {
        Ok(a) => a,
        Err(e) => {
            let _ = e.print();
            return std::process::ExitCode::from(crate::process::EXIT_USAGE);
        }
    };
    let data_dir = crate::paths::data_dir(args.data_dir.clone()).ok();
    crate::process::logging::init_desktop(data_dir.as_deref(), "info");
    let result = run_window(LaunchOptions {
        data_dir: args.data_dir,
        credentials_dir: args.credentials_dir,
        sandbox: args.sandbox,
        route: args.route,
        from_tray: args.tray,
        ..LaunchOptions::default()
    });
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            crate::process::print_error(&e, false);
            std::process::ExitCode::from(crate::process::EXIT_FAILURE)
        }
    }
}
