//! The desktop app as two processes, for real (tray over D-Bus, processes from /proc): the tray
//! process (`psa-bridge --hidden`) maps no WebKit library; its menu shows the last and next sync;
//! a run the tray starts streams its progress to a window (subscribed over the local socket as
//! the window process subscribes); the window's *Sync now* runs in the tray process; *Open PSA
//! Bridge* starts the window process (which maps WebKit); a second launch focuses it instead of
//! starting another; `--close-window` ends it; after a failed run the window opens at that run,
//! once; *Quit* ends both.

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{channel, Receiver};
use std::time::{Duration, Instant};

use psa_bridge::desktop::link::{self, Event, Request};
use psa_bridge::events::AppEvent;
use psa_bridge::sandbox::{self, SandboxOptions};
use psa_bridge_e2e::memory::{alive, children, cmdline, mapped_libraries};
use psa_bridge_e2e::tray_bus::{click, click_quit, find_menu, wait_until};
use psa_bridge_e2e::{app_binary, app_lock, cli, require_desktop_session, sandbox_cli};

struct App(Child);
impl Drop for App {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

fn runs(dir: &Path) -> Vec<serde_json::Value> {
    let out = cli(dir, &["runs", "--json"], None);
    serde_json::from_slice::<serde_json::Value>(&out.stdout)
        .ok()
        .and_then(|v| v.as_array().cloned())
        .unwrap_or_default()
}

/// The window processes the tray process started.
fn windows(tray: u32) -> Vec<u32> {
    children(tray)
        .into_iter()
        .filter(|p| {
            cmdline(*p)
                .first()
                .is_some_and(|a| a.ends_with("psa-bridge-window"))
        })
        .collect()
}

/// Waits for a `run_finished` event; returns the kinds seen before it.
fn until_run_finished(rx: &Receiver<Event>) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(60);
    let mut kinds = Vec::new();
    while Instant::now() < deadline {
        if let Ok(Event::App { payload }) = rx.recv_timeout(Duration::from_millis(500)) {
            // The kind as the UI reads it (the link carries the UI's JSON).
            let json = serde_json::to_value(&payload).expect("an event serialises");
            let kind = json["kind"].as_str().unwrap_or_default().to_string();
            if kind == "run_finished" {
                return kinds;
            }
            kinds.push(kind);
        }
    }
    panic!("no run_finished event in 60 s (saw {kinds:?})");
}

fn labels() -> Vec<String> {
    find_menu()
        .map(|(_, items)| items.into_iter().map(|(_, l)| l).collect())
        .unwrap_or_default()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a desktop session: scripts/test.sh"]
async fn the_tray_process_carries_no_webview_and_starts_the_window_on_demand() -> anyhow::Result<()>
{
    require_desktop_session("the_tray_process_carries_no_webview_and_starts_the_window_on_demand");
    let _lock = app_lock();
    let sb = sandbox::start(SandboxOptions::default()).await?;
    let data = tempfile::tempdir()?;
    let home = tempfile::tempdir()?;
    sandbox_cli::add_connectwise(data.path(), &sb);
    sandbox_cli::connect_coro(data.path(), &sb);
    let launch = |args: &[&str]| {
        let mut c = Command::new(app_binary());
        c.args(args)
            .env("PSA_BRIDGE_DATA_DIR", data.path())
            .env("HOME", home.path())
            .env("XDG_CONFIG_HOME", home.path().join(".config"))
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        c
    };
    let app = App(launch(&["--hidden"]).spawn()?);
    let tray = app.0.id();
    let mut menu = None;
    wait_until("the tray menu on D-Bus", Duration::from_secs(30), || {
        menu = find_menu();
        menu.is_some()
    });
    let (bus, items) = menu.unwrap_or_default();

    // No WebKit in the tray process: not loaded, not even mapped.
    for lib in ["webkit", "javascriptcore"] {
        let mapped = mapped_libraries(tray, lib);
        assert!(mapped.is_empty(), "the tray process maps {mapped:?}");
    }
    assert!(
        !mapped_libraries(tray, "libgtk-3").is_empty(),
        "sanity: /proc/PID/maps is read"
    );
    // Nor an OpenGL driver (GTK would map one for its first window: llvmpipe is ~26 MiB).
    for lib in ["libglx_mesa", "_dri.so", "libllvm"] {
        let mapped = mapped_libraries(tray, lib);
        assert!(mapped.is_empty(), "the tray process maps {mapped:?}");
    }
    // The title and the last and next sync.
    let l = labels();
    assert!(l.iter().any(|l| l == "PSA Bridge"), "{l:?}");
    assert!(l.iter().any(|l| l == "Last sync: none yet"), "{l:?}");
    assert!(l.iter().any(|l| l.starts_with("Next sync: ")), "{l:?}");

    // A window sees the progress of a run the tray starts.
    let events = link::Client::connect(&link::endpoint(data.path()))?.subscribe()?;
    let (tx, rx) = channel();
    // Listens for the two runs below, then hangs up (as a closing window does), so that the
    // tray process does not take it for an open window.
    let listener = std::thread::spawn(move || {
        let mut finished = 0;
        for e in events {
            if matches!(
                &e,
                Event::App {
                    payload: AppEvent::RunFinished { .. }
                }
            ) {
                finished += 1;
            }
            if tx.send(e).is_err() || finished == 2 {
                break;
            }
        }
    });
    click(&bus, &items, "Sync now");
    let before = until_run_finished(&rx);
    assert!(before.iter().any(|k| k == "sync_progress"), "{before:?}");
    assert!(runs(data.path()).iter().any(|r| r["trigger"] == "tray"));
    // The menu's last sync follows.
    wait_until("the last sync line", Duration::from_secs(10), || {
        labels()
            .iter()
            .any(|l| l.starts_with("Last sync: ") && l != "Last sync: none yet")
    });

    // The window's Sync now runs in the tray process (and the window hears it finish).
    link::request(data.path(), &Request::SyncNow)?;
    until_run_finished(&rx);
    assert!(runs(data.path()).iter().any(|r| r["trigger"] == "ui"));

    listener.join().expect("listener");
    std::thread::sleep(Duration::from_millis(500));

    // Open PSA Bridge starts the window process, which is where WebKit lives.
    click(&bus, &items, "Open PSA Bridge");
    let mut window = 0;
    wait_until(
        "the window process with WebKit",
        Duration::from_secs(30),
        || {
            window = windows(tray).first().copied().unwrap_or(0);
            window != 0 && !mapped_libraries(window, "webkit2gtk").is_empty()
        },
    );
    // The window renders with GL as usual: it does not inherit the tray's GDK_GL=disable.
    let environ = std::fs::read(format!("/proc/{window}/environ")).unwrap_or_default();
    assert!(
        !environ
            .split(|b| *b == 0)
            .any(|kv| kv.starts_with(b"GDK_GL=")),
        "the window process inherited GDK_GL"
    );
    // A second launch brings that window forward rather than starting another.
    assert!(launch(&[]).status()?.success());
    std::thread::sleep(Duration::from_secs(2));
    assert_eq!(windows(tray), vec![window], "one window process");
    // Closing the window ends its process; the tray stays.
    assert!(launch(&["--close-window"]).status()?.success());
    wait_until("the window process to end", Duration::from_secs(15), || {
        !alive(window)
    });
    assert!(alive(tray));

    // After a failed run (the services are gone), opening the app opens that run, once.
    drop(sb);
    click(&bus, &items, "Sync now");
    until_run_finished_or_failure(data.path());
    let failed = runs(data.path())
        .iter()
        .find(|r| r["status"] == "failed")
        .and_then(|r| r["run_id"].as_i64())
        .expect("a failed run");
    click(&bus, &items, "Open PSA Bridge");
    wait_until(
        "the window at the failed run",
        Duration::from_secs(30),
        || {
            windows(tray).first().is_some_and(|w| {
                cmdline(*w)
                    .windows(2)
                    .any(|a| a[0] == "--route" && a[1] == format!("history/{failed}"))
            })
        },
    );
    let window = windows(tray)[0];
    wait_until(
        "that window to load WebKit",
        Duration::from_secs(30),
        || !mapped_libraries(window, "webkit2gtk").is_empty(),
    );

    // Quit ends both processes (the tray may be gone before the click's reply: see click_quit).
    click_quit(&bus, &items);
    let deadline = Instant::now() + Duration::from_secs(15);
    while alive(tray) || alive(window) {
        if Instant::now() > deadline {
            panic!(
                "after Quit: tray alive {}, window alive {}; log:\n{}",
                alive(tray),
                alive(window),
                log_text(data.path())
            );
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    drop(app);
    Ok(())
}

/// Waits until the newest run is no longer running.
fn until_run_finished_or_failure(dir: &Path) {
    wait_until("the failed run", Duration::from_secs(60), || {
        runs(dir).iter().any(|r| r["status"] == "failed")
    });
}

/// The app's log files (for a failure message).
fn log_text(dir: &Path) -> String {
    std::fs::read_dir(dir.join("logs"))
        .map(|rd| {
            rd.filter_map(|e| std::fs::read_to_string(e.ok()?.path()).ok())
                .collect::<Vec<_>>()
                .join("\n")
        })
        .unwrap_or_default()
}
