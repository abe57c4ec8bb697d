//! Building blocks for the UI end-to-end tests (`tests/tests/ui_*.rs`): launch the real app with
//! a temp data folder and HOME against an in-test sandbox, drive the common screens (Settings,
//! the add-connector dialogs), set preconditions quickly through the CLI, and watch the session
//! bus for notifications.

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context, Result};
use serde_json::{json, Value};

use crate::webdriver::{Driver, Session};
use crate::{cli, results_dir, window_binary};

/// How long a screen, a live credential check or a backend answer may take.
pub const WAIT: Duration = Duration::from_secs(45);
/// For quick UI reactions (a menu opening, a field appearing).
pub const SHORT: Duration = Duration::from_secs(15);

/// The real app, launched through tauri-driver with its own data folder and HOME.
pub struct RunningApp {
    pub app: Session,
    cleanup: Cleanup,
    pub data: tempfile::TempDir,
    _home: tempfile::TempDir,
    // Declared last: dropped after the session is gone.
    _driver: Driver,
}

/// When a test fails before [`RunningApp::close`], ends the processes it started (tauri-driver's
/// WebKitWebDriver and the app), found by the unique data folder in their environment, so the
/// next test's app is not taken for a second instance of this one.
struct Cleanup {
    data_dir: std::path::PathBuf,
    armed: bool,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        if !self.armed {
            return;
        }
        let marker = format!("PSA_BRIDGE_DATA_DIR={}", self.data_dir.display());
        let me = std::process::id();
        let Ok(entries) = std::fs::read_dir("/proc") else {
            return;
        };
        for entry in entries.flatten() {
            let Some(pid) = entry
                .file_name()
                .to_str()
                .and_then(|s| s.parse::<u32>().ok())
            else {
                continue;
            };
            if pid == me {
                continue;
            }
            let Ok(env) = std::fs::read(entry.path().join("environ")) else {
                continue;
            };
            if env.split(|b| *b == 0).any(|kv| kv == marker.as_bytes()) {
                let _ = Command::new("kill").arg("-9").arg(pid.to_string()).status();
            }
        }
    }
}

impl RunningApp {
    /// Launches the app (no `--sandbox`: it talks to whatever the test set up) on `data`.
    pub async fn launch_with(data: tempfile::TempDir) -> Result<RunningApp> {
        Self::launch_on_page(data, "Connectors").await
    }

    /// Launches the app on `data` and waits for the first page to be `title` (the window opens on
    /// the page it showed last).
    pub async fn launch_on_page(data: tempfile::TempDir, title: &str) -> Result<RunningApp> {
        let home = tempfile::tempdir()?;
        // *Open folder* runs this instead of the file manager (a `bench-hooks` build): it notes
        // the folder it was given in `$HOME/opened` (see [`RunningApp::opened`]).
        let open_with = home.path().join("open-with.sh");
        std::fs::write(
            &open_with,
            "#!/bin/sh\nprintf '%s' \"$1\" > \"$(dirname \"$0\")/opened\"\n",
        )?;
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&open_with, std::fs::Permissions::from_mode(0o755))?;
        }
        let driver = Driver::start(&[
            ("PSA_BRIDGE_DATA_DIR", data.path()),
            ("HOME", home.path()),
            ("PSA_BRIDGE_OPEN_WITH", &open_with),
        ])?;
        let cleanup = Cleanup {
            data_dir: data.path().to_path_buf(),
            armed: true,
        };
        let app = Session::start(&driver, &window_binary(), &[]).await?;
        app.wait_for_text("[data-testid=page-title]", title, Duration::from_secs(60))
            .await
            .context("the app's first screen")?;
        Ok(RunningApp {
            app,
            cleanup,
            data,
            _home: home,
            _driver: driver,
        })
    }

    /// Launches the app on a fresh, empty data folder.
    pub async fn launch() -> Result<RunningApp> {
        Self::launch_with(tempfile::tempdir()?).await
    }

    pub fn dir(&self) -> &Path {
        self.data.path()
    }

    /// The folder *Open folder* last asked the file manager to open, if any.
    pub fn opened(&self) -> Option<String> {
        std::fs::read_to_string(self._home.path().join("opened")).ok()
    }

    /// The app's private HOME (where a Linux login entry is written).
    pub fn home(&self) -> &Path {
        self._home.path()
    }

    /// Saves a screenshot under tests/results/ (a failure to save is reported, not fatal).
    pub async fn shot(&self, name: &str) {
        // Let the last change paint before the capture.
        tokio::time::sleep(Duration::from_millis(300)).await;
        if let Err(e) = self.app.screenshot(&results_dir(), name).await {
            eprintln!("screenshot {name}: {e:#}");
        }
    }

    /// Ends the session and hands back the data folder, for a second launch on it.
    pub async fn close_keeping_data(self) -> Result<tempfile::TempDir> {
        let RunningApp {
            app,
            mut cleanup,
            data,
            ..
        } = self;
        app.quit().await?;
        tokio::time::sleep(Duration::from_millis(500)).await;
        cleanup.armed = false;
        Ok(data)
    }

    /// Ends the session (the driver closes the app).
    pub async fn close(self) -> Result<()> {
        let RunningApp {
            app, mut cleanup, ..
        } = self;
        let quit = app.quit().await;
        // Give the driver a moment to close the app before the data folder goes away.
        tokio::time::sleep(Duration::from_millis(500)).await;
        cleanup.armed = quit.is_err();
        quit
    }
}

/// `[data-testid=ID]`.
pub fn tid(id: &str) -> String {
    format!("[data-testid=\"{id}\"]")
}

/// Clicks the side navigation entry `name` and waits for its page title.
pub async fn go(app: &Session, nav: &str, title: &str) -> Result<()> {
    app.click_css(&tid(&format!("nav-{nav}"))).await?;
    app.wait_for_text(&tid("page-title"), title, SHORT).await?;
    Ok(())
}

/// Replaces the value of the input at `css` with `text` by typing it. Tries twice: a render
/// that lands between the clear and the typing (the field was just shown, its default still
/// arriving) puts the old value back under the typed text; a field that cannot be set fails.
pub async fn fill(app: &Session, css: &str, text: &str) -> Result<()> {
    let mut value = serde_json::Value::Null;
    for _ in 0..2 {
        let el = app.wait_for(css, SHORT).await?;
        app.clear(&el).await?;
        if !text.is_empty() {
            app.type_text(&el, text).await?;
        }
        value = app
            .execute(
                "return document.querySelector(arguments[0]).value;",
                json!([css]),
            )
            .await?;
        if value.as_str() == Some(text) {
            return Ok(());
        }
    }
    bail!("{css} holds {value} after typing {text:?} (twice)");
}

/// Chooses `value` in the `<select>` at `css` by clicking its option (falling back to setting it
/// and firing `change` if the driver does not select options on click).
pub async fn choose(app: &Session, css: &str, value: &str) -> Result<()> {
    let option = format!("{css} option[value=\"{value}\"]");
    let read = "return document.querySelector(arguments[0]).value;";
    app.click_css(css).await?;
    app.click_css(&option).await?;
    if app.execute(read, json!([css])).await?.as_str() == Some(value) {
        return Ok(());
    }
    app.execute(
        "const s = document.querySelector(arguments[0]); s.value = arguments[1];
         s.dispatchEvent(new Event('input', {bubbles: true}));
         s.dispatchEvent(new Event('change', {bubbles: true}));",
        json!([css, value]),
    )
    .await?;
    let now = app.execute(read, json!([css])).await?;
    if now.as_str() != Some(value) {
        bail!("{css} could not be set to {value:?} (holds {now})");
    }
    Ok(())
}

/// The value of a JS expression evaluated on the element at `css` (`el` in `expr`).
pub async fn eval_on(app: &Session, css: &str, expr: &str) -> Result<Value> {
    app.execute(
        &format!("const el = document.querySelector(arguments[0]); return el ? ({expr}) : null;"),
        json!([css]),
    )
    .await
}

/// Waits until `expr` (evaluated on the element at `css`, as `el`) gives the string `want`.
pub async fn wait_eval(
    app: &Session,
    css: &str,
    expr: &str,
    want: &str,
    timeout: Duration,
) -> Result<()> {
    let deadline = Instant::now() + timeout;
    loop {
        let got = eval_on(app, css, expr).await.unwrap_or(Value::Null);
        if got.as_str() == Some(want) {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("{css}: {expr} is {got}, not {want:?}, after {timeout:?}");
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// Whether the element at `css` is in the viewport and on top at its centre (not covered by a
/// sticky footer, a popover or a dialog).
pub async fn visible(app: &Session, css: &str) -> Result<bool> {
    let v = eval_on(
        app,
        css,
        "(() => { const r = el.getBoundingClientRect();
                  if (r.width === 0 || r.height === 0) return false;
                  const x = r.left + r.width / 2, y = r.top + r.height / 2;
                  if (y < 0 || y > window.innerHeight || x < 0 || x > window.innerWidth) return false;
                  const hit = document.elementFromPoint(x, y);
                  return hit !== null && (hit === el || el.contains(hit)); })()",
    )
    .await?;
    Ok(v.as_bool() == Some(true))
}

/// Waits until `css` is [`visible`] (effects such as scrolling a message into view run after the
/// render that put its text in the DOM); false if it is still hidden after `timeout`.
pub async fn wait_visible(app: &Session, css: &str, timeout: Duration) -> Result<bool> {
    let deadline = Instant::now() + timeout;
    loop {
        if visible(app, css).await? {
            return Ok(true);
        }
        if Instant::now() > deadline {
            return Ok(false);
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// Waits until `css` no longer matches anything.
pub async fn wait_gone(app: &Session, css: &str, timeout: Duration) -> Result<()> {
    let deadline = Instant::now() + timeout;
    loop {
        if app.find_all(css).await?.is_empty() {
            return Ok(());
        }
        if Instant::now() > deadline {
            bail!("{css} still present after {timeout:?}");
        }
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
}

/// Settings › ConnectWise clientId: types it and saves, through the UI.
pub async fn save_client_id(app: &Session, client_id: &str) -> Result<()> {
    go(app, "settings", "Settings").await?;
    fill(app, &tid("settings-client-id"), client_id).await?;
    app.click_css(&tid("settings-save")).await?;
    app.wait_for_text(&tid("settings-saved"), "Saved", WAIT)
        .await?;
    Ok(())
}

/// Settings › Coro connection, through the UI: custom URL (the sandbox), client id, secret,
/// channel, Connect; waits until the status says connected.
pub async fn connect_coro(app: &Session, coro: &psa_bridge::sandbox::coro::Demo) -> Result<()> {
    go(app, "settings", "Settings").await?;
    choose(app, &tid("coro-region"), "custom").await?;
    fill(app, &tid("coro-url"), &coro.region).await?;
    fill(app, &tid("coro-client-id"), &coro.client_id).await?;
    fill(app, &tid("coro-secret"), &coro.client_secret).await?;
    fill(app, &tid("coro-channel"), &coro.channel).await?;
    app.click_css(&tid("coro-connect")).await?;
    app.wait_for("[data-testid=coro-status][data-connected=true]", WAIT)
        .await
        .context("Coro status never showed connected")?;
    Ok(())
}

/// Opens the add-connector menu on the Connectors page and picks `kind`; waits for the dialog.
pub async fn open_add_dialog(app: &Session, kind: &str) -> Result<()> {
    go(app, "connectors", "Connectors").await?;
    app.click_css(&tid("add-connector")).await?;
    app.click_css(&tid(&format!("add-connector-{kind}")))
        .await?;
    app.wait_for(
        &format!("[data-testid=add-connector-dialog][data-kind={kind}]"),
        SHORT,
    )
    .await?;
    Ok(())
}

/// The connectors the CLI lists for `dir` (the app may be running: reads are fine).
pub fn connectors(dir: &Path) -> Result<Vec<Value>> {
    let v = cli_json(dir, &["connector", "list", "--json"], None)?;
    v.as_array()
        .cloned()
        .ok_or_else(|| anyhow!("connector list is not an array: {v}"))
}

/// Runs the CLI with `--json` output expected; fails with its stderr when it fails.
pub fn cli_json(dir: &Path, args: &[&str], stdin: Option<&str>) -> Result<Value> {
    let out = cli(dir, args, stdin);
    let stdout = String::from_utf8_lossy(&out.stdout);
    if !out.status.success() {
        bail!(
            "psa-bridge {} failed ({:?}): {}{}",
            args.join(" "),
            out.status.code(),
            String::from_utf8_lossy(&out.stderr),
            stdout
        );
    }
    serde_json::from_str(&stdout)
        .with_context(|| format!("psa-bridge {}: not JSON: {stdout}", args.join(" ")))
}

/// Connects Coro through the CLI (precondition only).
pub fn cli_connect_coro(dir: &Path, coro: &psa_bridge::sandbox::coro::Demo) -> Result<Value> {
    cli_json(
        dir,
        &[
            "coro",
            "connect",
            "--region",
            &coro.region,
            "--client-id",
            &coro.client_id,
            "--channel",
            &coro.channel,
            "--json",
        ],
        Some(&format!("{}\n", coro.client_secret)),
    )
}

/// Adds the sandbox's ConnectWise connector through the CLI (storing the clientId in Settings
/// too); returns its id.
pub fn cli_add_connectwise(dir: &Path, cw: &psa_bridge::sandbox::connectwise::Demo) -> Result<i64> {
    let v = cli_json(
        dir,
        &[
            "connector",
            "add",
            "connectwise",
            "--company",
            &cw.company,
            "--site",
            &cw.site,
            "--public-key",
            &cw.public_key,
            "--client-id",
            &cw.client_id,
            "--json",
        ],
        Some(&format!("{}\n", cw.private_key)),
    )?;
    v["id"].as_i64().ok_or_else(|| anyhow!("no id in {v}"))
}

/// Whether `text` (e.g. a secret) appears in any of the database files of `dir`.
pub fn database_contains(dir: &Path, text: &str) -> Result<bool> {
    for entry in std::fs::read_dir(dir)? {
        let path = entry?.path();
        let name = path
            .file_name()
            .and_then(|n| n.to_str())
            .unwrap_or_default()
            .to_string();
        if name.contains("sqlite") || name.ends_with(".db") || name.ends_with("-wal") {
            let bytes = std::fs::read(&path)?;
            if bytes.windows(text.len()).any(|w| w == text.as_bytes()) {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

/// `dbus-monitor` on the session bus, watching `Notify` calls to the notification daemon; killed
/// on drop.
pub struct NotificationWatch {
    child: Child,
    out: Arc<Mutex<String>>,
}

impl NotificationWatch {
    /// Starts the monitor and waits until it is listening.
    pub async fn start() -> Result<NotificationWatch> {
        let mut child = Command::new("dbus-monitor")
            .args([
                "--session",
                "interface='org.freedesktop.Notifications',member='Notify'",
            ])
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("could not run dbus-monitor")?;
        let mut stdout = child
            .stdout
            .take()
            .ok_or_else(|| anyhow!("no dbus-monitor stdout"))?;
        let out = Arc::new(Mutex::new(String::new()));
        let sink = out.clone();
        std::thread::spawn(move || {
            let mut buf = [0u8; 4096];
            while let Ok(n) = stdout.read(&mut buf) {
                if n == 0 {
                    break;
                }
                if let Ok(mut s) = sink.lock() {
                    s.push_str(&String::from_utf8_lossy(&buf[..n]));
                }
            }
        });
        let watch = NotificationWatch { child, out };
        // dbus-monitor prints its own NameAcquired/NameLost once it has become a monitor.
        let deadline = Instant::now() + Duration::from_secs(10);
        while !watch.output().contains("NameLost") && Instant::now() < deadline {
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        Ok(watch)
    }

    pub fn output(&self) -> String {
        self.out.lock().map(|s| s.clone()).unwrap_or_default()
    }

    /// The `string "…"` arguments of every Notify call seen so far.
    pub fn notify_strings(&self) -> Vec<String> {
        let text = self.output();
        let mut out = Vec::new();
        let mut in_notify = false;
        for line in text.lines() {
            if line.starts_with("method call") {
                in_notify = line.contains("member=Notify");
            } else if line.starts_with("signal") || line.starts_with("method return") {
                in_notify = false;
            } else if in_notify {
                if let Some(rest) = line.trim().strip_prefix("string \"") {
                    out.push(rest.strip_suffix('"').unwrap_or(rest).to_string());
                }
            }
        }
        out
    }

    /// Waits until a Notify call carries a string for which `pred` holds; returns it.
    pub async fn wait_for(&self, pred: impl Fn(&str) -> bool, timeout: Duration) -> Result<String> {
        let deadline = Instant::now() + timeout;
        loop {
            if let Some(s) = self.notify_strings().into_iter().find(|s| pred(s)) {
                return Ok(s);
            }
            if Instant::now() > deadline {
                bail!(
                    "no matching notification within {timeout:?}; dbus-monitor saw:\n{}",
                    self.output()
                );
            }
            tokio::time::sleep(Duration::from_millis(200)).await;
        }
    }
}

impl Drop for NotificationWatch {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
