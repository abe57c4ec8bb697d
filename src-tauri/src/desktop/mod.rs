//! The desktop shell (feature `desktop`): one window, a tray icon, single instance, autostart,
//! notifications. Everything here is thin: commands parse, call the core, map the error.

pub mod autostart;
pub mod command_list;
pub mod commands;
pub mod notify;
pub mod syncing;
pub mod tray;
pub mod undo_commands;
pub mod window;

use std::path::PathBuf;
use std::sync::Arc;

use tauri::{AppHandle, Manager, RunEvent, Runtime};

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
}

/// Argument the autostart entry passes so a login launch starts in the tray.
pub const HIDDEN_ARG: &str = "--hidden";
/// Argument a second launch passes to close the running instance's window.
pub const CLOSE_WINDOW_ARG: &str = "--close-window";

/// Shared state behind every command.
pub struct DesktopState {
    pub ctx: Arc<AppContext>,
    /// Kept alive for the app's lifetime in `--sandbox` mode.
    pub sandbox: Option<crate::context::Demo>,
    pub tray_menu: std::sync::Mutex<Option<tray::TrayMenu<tauri::Wry>>>,
    pub sync: syncing::SyncState,
    pub previews: crate::app::sync::Previews,
    /// The launch-at-login entry for this executable (None if the OS offers none).
    pub autostart: Option<auto_launch::AutoLaunch>,
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(ErrorCode::Internal, e.to_string())
}

/// Runs the desktop app until Quit.
pub fn run(opts: LaunchOptions) -> Result<(), ApiError> {
    let (ctx, sandbox) = if opts.sandbox {
        let (ctx, sb) = crate::context::open_demo(opts.data_dir.clone())?;
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
        "PSA Bridge started"
    );
    let ctx = Arc::new(ctx);
    // `--close-window` with no running instance has nothing to close.
    let hidden = opts.hidden || opts.close_window;
    let app = tauri::Builder::default()
        .plugin(tauri_plugin_single_instance::init(|app, argv, _cwd| {
            // A second launch (e.g. clicking the app icon again) opens the existing window.
            let result = if argv.iter().any(|a| a == CLOSE_WINDOW_ARG) {
                window::close(app)
            } else if argv.iter().any(|a| a == HIDDEN_ARG) {
                Ok(())
            } else {
                window::show(app, None)
            };
            if let Err(e) = result {
                tracing::warn!(error = %e, "could not act on a second launch");
            }
        }))
        .plugin(tauri_plugin_notification::init())
        .manage(DesktopState {
            ctx: ctx.clone(),
            sandbox,
            tray_menu: std::sync::Mutex::new(None),
            sync: syncing::SyncState::default(),
            previews: crate::app::sync::Previews::default(),
            autostart: match autostart::current() {
                Ok(entry) => {
                    // Not from the sandbox demo: it would point a real install's entry at
                    // the demo build.
                    if !opts.sandbox {
                        autostart::refresh(&entry);
                    }
                    Some(entry)
                }
                Err(e) => {
                    tracing::warn!(error = %e, "launch at login is unavailable");
                    None
                }
            },
        })
        .on_window_event(|window, event| {
            if let tauri::WindowEvent::Destroyed = event {
                if window.label() == window::MAIN {
                    window::release_freed_memory();
                }
            }
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
            undo_commands::undo_run,
        ])
        .setup(move |app| {
            // macOS: a menu-bar app, no Dock icon or app switcher entry while it sits in the tray.
            #[cfg(target_os = "macos")]
            app.set_activation_policy(tauri::ActivationPolicy::Accessory);
            let handle = app.handle().clone();
            setup_tray(&handle)?;
            syncing::spawn_scheduler(&handle);
            if !hidden {
                window::show(&handle, None)?;
            }
            // Lets the start-up benchmark measure time to tray without scraping logs; only in
            // builds made for benchmarks and tests (feature `bench-hooks`).
            #[cfg(feature = "bench-hooks")]
            if let Ok(path) = std::env::var("PSA_BRIDGE_READY_FILE") {
                let _ = std::fs::write(path, format!("{}", std::process::id()));
            }
            Ok(())
        })
        .build(tauri::generate_context!())
        .map_err(internal)?;
    app.run(|_app, event| match event {
        // Closing the last window keeps the app in the tray; only Quit (code set) exits.
        RunEvent::ExitRequested { api, code, .. } if code.is_none() => api.prevent_exit(),
        // macOS: opening the app again from Finder, Launchpad or Spotlight while it runs in the
        // menu bar (or clicking a Dock icon) shows the window.
        #[cfg(target_os = "macos")]
        RunEvent::Reopen { .. } => {
            if let Err(e) = window::show(_app, None) {
                tracing::warn!(error = %e, "could not reopen the window");
            }
        }
        _ => {}
    });
    Ok(())
}

fn setup_tray(app: &AppHandle) -> tauri::Result<()> {
    let state = app.state::<DesktopState>();
    let paused = state.ctx.daily_sync_paused().unwrap_or(false);
    let autostart = state
        .autostart
        .as_ref()
        .is_some_and(|a| a.is_enabled().unwrap_or(false));
    let menu = tray::build_menu(app, paused, autostart)?;
    tray::build(app, &menu, "PSA Bridge", perform)?;
    if let Ok(mut slot) = state.tray_menu.lock() {
        *slot = Some(menu);
    }
    Ok(())
}

/// Brings the tray's toggles in line with the stored settings (after a Settings save).
pub fn refresh_tray<R: Runtime>(app: &AppHandle<R>) {
    let Some(state) = app.try_state::<DesktopState>() else {
        return;
    };
    let paused = state.ctx.daily_sync_paused().unwrap_or(false);
    if let Ok(slot) = state.tray_menu.lock() {
        if let Some(menu) = slot.as_ref() {
            let _ = menu.pause.set_checked(paused);
        }
    };
}

fn set_autostart(entry: &auto_launch::AutoLaunch, on: bool) -> Result<(), String> {
    let result = if on { entry.enable() } else { entry.disable() };
    match result {
        // Disabling an entry that is not there is done already.
        Err(auto_launch::Error::Io(e)) if !on && e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        other => other.map_err(|e| e.to_string()),
    }
}

/// Carries out a tray action.
pub fn perform<R: Runtime>(app: &AppHandle<R>, action: tray::TrayAction) {
    use tray::TrayAction::*;
    let result: Result<(), String> = match action {
        OpenWindow => {
            // After a failed or held run, opening the app shows that run.
            let route = syncing::take_unseen_problem(app).map(|id| format!("history/{id}"));
            window::show(app, route.as_deref()).map_err(|e| e.to_string())
        }
        SyncNow => syncing::start_all(app, crate::sync::Trigger::Tray).map_err(|e| e.message),
        SetPaused(p) => app
            .try_state::<DesktopState>()
            .ok_or_else(|| "app state missing".to_string())
            .and_then(|s| s.ctx.set_daily_sync_paused(p).map_err(|e| e.message))
            .map(|()| syncing::refresh_tray_state(app)),
        SetAutostart(on) => app
            .try_state::<DesktopState>()
            .and_then(|s| s.autostart.as_ref().map(|a| set_autostart(a, on)))
            .unwrap_or_else(|| Err("launch at login is not available here".to_string())),
        Quit => {
            app.exit(0);
            Ok(())
        }
    };
    if let Err(message) = result {
        tracing::error!(?action, %message, "tray action failed");
        notify::show(
            app,
            &notify::Notice {
                run_id: None,
                title: "PSA Bridge".into(),
                body: message,
            },
        );
    }
}
