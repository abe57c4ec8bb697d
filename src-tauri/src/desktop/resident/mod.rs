//! The tray process: what runs all day (started at login with `--hidden`). It holds the tray icon
//! and menu, the daily schedule and its catch-up, the sync engine, notifications and *Launch at
//! login* — and no webview: it uses `tray-icon` on a `tao` event loop, never Tauri, so WebKit is
//! not even loaded. The window is a separate process (`psa-bridge-window`, [`window_proc`])
//! started on demand and ended when it closes; the two talk over [`crate::desktop::link`] and
//! share the database, the keychain and `sync.lock`.

pub mod menu;
pub mod server;
mod startup;
mod tray;
pub mod window_proc;

pub use startup::{gl_off_here, run_demo, tray_without_gl};

use std::sync::{Arc, Mutex};

use tao::event::{Event, StartCause};
use tao::event_loop::{ControlFlow, EventLoopBuilder, EventLoopProxy};
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver, UnboundedSender};
use tray_icon::menu::MenuEvent;
use tray_icon::{TrayIcon, TrayIconEvent};

use self::menu::{TrayAction, TrayMenu};
use self::window_proc::{WindowLaunch, WindowProc};
use super::link::{self, LinkError, Request};
use super::runner::{self, Notice, SyncHost, SyncState};
use super::LaunchOptions;
use crate::context::AppContext;
use crate::error::{ApiError, ErrorCode};
use crate::events::AppEvent;
use crate::sync::Trigger;

/// What wakes the tray's event loop.
#[derive(Debug)]
pub enum UserEvent {
    Menu(String),
    Tray(TrayIconEvent),
    /// Bring the icon, tooltip and menu lines in line with the state.
    Refresh,
    Quit,
}

/// State shared by the event loop, the socket server and the sync tasks.
pub struct Resident {
    ctx: Arc<AppContext>,
    rt: tokio::runtime::Handle,
    proxy: Mutex<EventLoopProxy<UserEvent>>,
    sync: SyncState,
    window: WindowProc,
    launch: WindowLaunch,
    /// The open window's event streams (one, normally).
    windows: Mutex<Vec<UnboundedSender<link::Event>>>,
    autostart: Option<auto_launch::AutoLaunch>,
}

/// The [`SyncHost`] of the tray process.
#[derive(Clone)]
pub struct Host(pub Arc<Resident>);

impl SyncHost for Host {
    fn ctx(&self) -> Arc<AppContext> {
        self.0.ctx.clone()
    }
    fn sync_state(&self) -> &SyncState {
        &self.0.sync
    }
    fn emit(&self, event: AppEvent) {
        self.0.send_to_windows(link::Event::App { payload: event });
    }
    fn notify(&self, notice: &Notice) {
        let r = self.0.clone();
        super::notify::show(notice, move |run| {
            r.sync.take_problem();
            r.open(Some(format!("history/{run}")));
            r.wake(UserEvent::Refresh);
        });
    }
    fn refresh(&self) {
        self.0.wake(UserEvent::Refresh);
    }
}

impl Resident {
    fn wake(&self, event: UserEvent) {
        if let Ok(p) = self.proxy.lock() {
            let _ = p.send_event(event);
        }
    }

    /// Sends `event` to every open window; how many got it.
    fn send_to_windows(&self, event: link::Event) -> usize {
        let Ok(mut windows) = self.windows.lock() else {
            return 0;
        };
        windows.retain(|w| w.send(event.clone()).is_ok());
        windows.len()
    }

    /// Shows the window: the open one comes forward, else a window process starts.
    pub fn open(&self, route: Option<String>) {
        if self.send_to_windows(link::Event::Show {
            route: route.clone(),
        }) > 0
        {
            return;
        }
        let proxy = self.proxy.lock().ok().map(|p| p.clone());
        let started = self.window.start(&self.launch, route.as_deref(), move || {
            if let Some(p) = proxy {
                let _ = p.send_event(UserEvent::Refresh);
            }
        });
        match started {
            Ok(true) => tracing::info!(pid = ?self.window.pid(), "window process started"),
            Ok(false) => tracing::debug!("the window is starting already"),
            Err(e) => {
                tracing::error!(error = %e, exe = %self.launch.exe.display(), "could not start the window");
                super::notify::show(
                    &Notice {
                        run_id: None,
                        title: "PSA Bridge".into(),
                        body: format!("The window could not be opened: {e}"),
                    },
                    |_| {},
                );
            }
        }
    }
}

impl server::Handler for Resident {
    fn handle(&self, req: Request) -> Result<(), ApiError> {
        match req {
            Request::Open { route } => self.open(route),
            Request::CloseWindow => {
                self.send_to_windows(link::Event::Close);
            }
            Request::Hidden | Request::Subscribe => {}
            Request::SyncNow => {
                let host = Host(self.self_arc()?);
                runner::start_all(&host, &self.rt, Trigger::Ui)?;
            }
            Request::SettingsChanged => self.wake(UserEvent::Refresh),
            Request::Quit => self.wake(UserEvent::Quit),
        }
        Ok(())
    }

    fn subscribe(&self) -> UnboundedReceiver<link::Event> {
        let (tx, rx) = unbounded_channel();
        if let Ok(mut w) = self.windows.lock() {
            w.push(tx);
        }
        rx
    }
}

static RESIDENT: std::sync::OnceLock<Arc<Resident>> = std::sync::OnceLock::new();

impl Resident {
    fn self_arc(&self) -> Result<Arc<Resident>, ApiError> {
        RESIDENT
            .get()
            .cloned()
            .ok_or_else(|| ApiError::new(ErrorCode::Internal, "the tray is not set up"))
    }
}

fn internal(e: impl std::fmt::Display) -> ApiError {
    ApiError::new(ErrorCode::Internal, e.to_string())
}

/// Starts the tray process, or hands the launch to the one already running for this data folder
/// (a second launch opens or focuses the window, `--close-window` closes it, `--hidden` does
/// nothing). Returns when *Quit* is chosen (in fact the event loop ends the process).
pub fn run(opts: LaunchOptions) -> Result<(), ApiError> {
    let data_dir = crate::paths::data_dir(opts.data_dir.clone())?;
    let endpoint = link::endpoint(&data_dir);
    let second = if opts.close_window {
        Request::CloseWindow
    } else if opts.hidden {
        Request::Hidden
    } else {
        Request::Open { route: None }
    };
    match link::request(&data_dir, &second) {
        Ok(()) => return Ok(()),
        Err(LinkError::NotRunning) => {}
        Err(e) => tracing::warn!(error = %e, "the tray socket is stale; starting afresh"),
    }
    // `--close-window` with no running instance has nothing to close.
    let hidden = opts.hidden || opts.close_window;

    // The data folder (SQLite, migrations, time zones) and the launch-at-login entry open on a
    // thread of their own while GTK starts on this one: GTK's start waits on D-Bus (the session
    // bus, the accessibility bus, the desktop portal), leaving the CPU idle meanwhile.
    let opening = {
        let data_dir = data_dir.clone();
        let credentials_dir = opts.credentials_dir.clone();
        std::thread::Builder::new()
            .name("tray-open".into())
            .spawn(move || startup::open_state(data_dir, credentials_dir))
            .map_err(internal)?
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .thread_name("tray-worker")
        .enable_all()
        .build()
        .map_err(internal)?;
    // Bound early: a second launch from here on finds this instance (it waits in the backlog
    // until the server below serves it).
    let listener = {
        let _enter = runtime.enter();
        server::bind(&endpoint).map_err(|e| {
            ApiError::new(
                ErrorCode::Storage,
                format!("could not listen on {}: {e}", endpoint.display()),
            )
        })?
    };
    let exe = std::env::current_exe().map_err(internal)?;

    #[allow(unused_mut)]
    let mut event_loop = EventLoopBuilder::<UserEvent>::with_user_event().build();
    // macOS: a menu-bar app, no Dock icon or app switcher entry for the tray process.
    #[cfg(target_os = "macos")]
    {
        use tao::platform::macos::{ActivationPolicy, EventLoopExtMacOS};
        event_loop.set_activation_policy(ActivationPolicy::Accessory);
    }
    let (ctx, autostart) = match opening.join() {
        Ok(opened) => opened.inspect_err(|_| server::unbind(&endpoint))?,
        Err(_) => {
            server::unbind(&endpoint);
            return Err(internal("opening the data folder panicked"));
        }
    };
    tracing::info!(
        version = crate::build_info::VERSION,
        commit = crate::build_info::COMMIT,
        data_dir = %ctx.data_dir.display(),
        "PSA Bridge started"
    );
    let proxy = event_loop.create_proxy();
    let resident = Arc::new(Resident {
        ctx: ctx.clone(),
        rt: runtime.handle().clone(),
        proxy: Mutex::new(proxy.clone()),
        sync: SyncState::default(),
        window: WindowProc::default(),
        launch: WindowLaunch {
            exe: window_proc::window_exe(&exe),
            data_dir: data_dir.clone(),
            credentials_dir: opts.credentials_dir.clone(),
        },
        windows: Mutex::new(Vec::new()),
        autostart,
    });
    let _ = RESIDENT.set(resident.clone());
    runtime.spawn(server::serve(listener, resident.clone()));
    runner::spawn_scheduler(&Host(resident.clone()), runtime.handle());

    let menu_proxy = proxy.clone();
    MenuEvent::set_event_handler(Some(move |e: MenuEvent| {
        let _ = menu_proxy.send_event(UserEvent::Menu(e.id.0));
    }));
    let tray_proxy = proxy;
    TrayIconEvent::set_event_handler(Some(move |e| {
        let _ = tray_proxy.send_event(UserEvent::Tray(e));
    }));

    let mut tray: Option<(TrayIcon, TrayMenu)> = None;
    let mut shown_problem = None::<bool>;
    event_loop.run(move |event, _target, control_flow| {
        *control_flow = ControlFlow::Wait;
        match event {
            Event::NewEvents(StartCause::Init) => {
                match tray::build_tray(&resident) {
                    Ok(t) => tray = Some(t),
                    Err(e) => tracing::error!(error = %e, "the tray icon could not be created"),
                }
                if !hidden {
                    resident.open(None);
                }
                // Lets the start-up benchmark measure time to tray without scraping logs; only
                // in builds made for benchmarks and tests (feature `bench-hooks`).
                #[cfg(feature = "bench-hooks")]
                if let Ok(path) = std::env::var("PSA_BRIDGE_READY_FILE") {
                    let _ = std::fs::write(path, format!("{}", std::process::id()));
                }
            }
            Event::UserEvent(UserEvent::Menu(id)) => {
                let checked = tray.as_ref().and_then(|(_, m)| match id.as_str() {
                    menu::MENU_PAUSE => Some(m.pause.is_checked()),
                    menu::MENU_AUTOSTART => Some(m.autostart.is_checked()),
                    _ => None,
                });
                if let Some(action) = menu::action_for(&id, checked) {
                    perform(&resident, action, control_flow);
                }
            }
            Event::UserEvent(UserEvent::Tray(TrayIconEvent::Click {
                button,
                button_state,
                ..
            })) => {
                if let Some(action) =
                    menu::click_action(menu::LEFT_CLICK_OPENS_WINDOW, button, button_state)
                {
                    perform(&resident, action, control_flow);
                }
            }
            Event::UserEvent(UserEvent::Refresh) => {
                if let Some((icon, m)) = tray.as_ref() {
                    tray::refresh_tray(&resident, icon, m, &mut shown_problem);
                }
            }
            Event::UserEvent(UserEvent::Quit) => {
                perform(&resident, TrayAction::Quit, control_flow);
            }
            // macOS: opening the app again from Finder, Launchpad or Spotlight while it runs in
            // the menu bar shows the window.
            #[cfg(target_os = "macos")]
            Event::Reopen { .. } => resident.open(None),
            _ => {}
        }
    })
}

fn set_autostart(entry: &auto_launch::AutoLaunch, on: bool) -> Result<(), String> {
    let result = if on { entry.enable() } else { entry.disable() };
    match result {
        // Disabling an entry that is not there is done already.
        Err(auto_launch::Error::Io(e)) if !on && e.kind() == std::io::ErrorKind::NotFound => Ok(()),
        other => other.map_err(|e| e.to_string()),
    }
}

/// Carries out a tray action (on the event loop's thread).
fn perform(resident: &Arc<Resident>, action: TrayAction, control_flow: &mut ControlFlow) {
    let result: Result<(), String> = match action {
        TrayAction::OpenWindow => {
            // After a failed or held run, opening the app shows that run.
            let route = resident
                .sync
                .take_problem()
                .map(|id| format!("history/{id}"));
            resident.open(route);
            resident.wake(UserEvent::Refresh);
            Ok(())
        }
        TrayAction::SyncNow => {
            runner::start_all(&Host(resident.clone()), &resident.rt, Trigger::Tray)
                .map_err(|e| e.message)
        }
        TrayAction::SetPaused(p) => resident
            .ctx
            .set_daily_sync_paused(p)
            .map_err(|e| e.message)
            .map(|()| {
                resident.wake(UserEvent::Refresh);
                resident.send_to_windows(link::Event::App {
                    payload: AppEvent::SettingsChanged,
                });
            }),
        TrayAction::SetAutostart(on) => resident
            .autostart
            .as_ref()
            .map(|a| set_autostart(a, on))
            .unwrap_or_else(|| Err("launch at login is not available here".to_string())),
        TrayAction::Quit => {
            // The window process ends when it hears this (or when this process's socket closes).
            resident.send_to_windows(link::Event::Close);
            server::unbind(&link::endpoint(&resident.ctx.data_dir));
            *control_flow = ControlFlow::Exit;
            Ok(())
        }
    };
    if let Err(message) = result {
        tracing::error!(?action, %message, "tray action failed");
        super::notify::show(
            &Notice {
                run_id: None,
                title: "PSA Bridge".into(),
                body: message,
            },
            |_| {},
        );
    }
}
