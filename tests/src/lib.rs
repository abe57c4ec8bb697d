//! Shared harness for the end-to-end tests in `tests/tests/`: where the app binary is, a results
//! folder for screenshots, running the CLI, and a minimal WebDriver client that drives the real
//! webview through tauri-driver + WebKitWebDriver.
//!
//! The tests that need a display, a session bus and a keychain are `#[ignore]`d with the reason
//! "needs a desktop session: scripts/test.sh", so a plain `cargo test` lists them as ignored
//! rather than passing them; `scripts/test.sh` runs them inside `scripts/desktop-session.sh` with
//! `--include-ignored`, and outside a session they fail ([`require_desktop_session`]).

pub mod flows;
pub mod memory;
pub mod sandbox_cli;
pub mod sync_setup;
pub mod tray_bus;
pub mod webdriver;

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// The workspace root (parent of this crate).
pub fn workspace_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(".."))
}

/// The app binary under test: `PSA_BRIDGE_BIN`, else `target/debug/psa-bridge`.
pub fn app_binary() -> PathBuf {
    if let Ok(p) = std::env::var("PSA_BRIDGE_BIN") {
        return PathBuf::from(p);
    }
    let target = std::env::var("CARGO_TARGET_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| workspace_root().join("target"));
    target
        .join("debug")
        .join(format!("psa-bridge{}", std::env::consts::EXE_SUFFIX))
}

/// The desktop app's window process (`psa-bridge-window`), next to [`app_binary`]: what the
/// WebDriver tests start (a window on its own runs its syncs itself).
pub fn window_binary() -> PathBuf {
    app_binary().with_file_name(format!("psa-bridge-window{}", std::env::consts::EXE_SUFFIX))
}

/// True inside `scripts/desktop-session.sh` (which sets `PSA_BRIDGE_E2E=1`).
pub fn desktop_session(test: &str) -> bool {
    if std::env::var("PSA_BRIDGE_E2E").as_deref() == Ok("1") {
        return true;
    }
    eprintln!("{test}: needs a desktop session — run it through scripts/desktop-session.sh (scripts/test.sh does)");
    false
}

/// Fails the test unless it runs inside `scripts/desktop-session.sh`: an ignored test run on
/// purpose (`--include-ignored`) must not pass without doing its work.
pub fn require_desktop_session(test: &str) {
    assert!(
        desktop_session(test),
        "{test} needs a desktop session (display, session bus, unlocked keychain): run it \
         through scripts/test.sh"
    );
}

/// Where screenshots and request logs go: `tests/results/`.
pub fn results_dir() -> PathBuf {
    let dir = workspace_root().join("tests").join("results");
    let _ = std::fs::create_dir_all(&dir);
    dir
}

/// Held while a test runs the app: the app is single-instance per session bus, so tests that
/// launch it take this lock (a file lock, so it also holds across test binaries and can be held
/// across `.await`).
pub struct AppLock {
    _file: std::fs::File,
}

/// Waits for the app lock.
pub fn app_lock() -> AppLock {
    let path = std::env::temp_dir().join("psa-bridge-e2e-app.lock");
    let file = match std::fs::OpenOptions::new()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
    {
        Ok(f) => f,
        Err(e) => panic!("could not open {}: {e}", path.display()),
    };
    if let Err(e) = file.lock() {
        panic!("could not lock {}: {e}", path.display());
    }
    AppLock { _file: file }
}

/// Runs the CLI with `args` against `data_dir`, feeding `stdin`.
pub fn cli(data_dir: &Path, args: &[&str], stdin: Option<&str>) -> Output {
    use std::io::Write;
    let mut cmd = Command::new(app_binary());
    cmd.args(args)
        .env("PSA_BRIDGE_DATA_DIR", data_dir)
        .stdin(std::process::Stdio::piped())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped());
    let mut child = match cmd.spawn() {
        Ok(c) => c,
        Err(e) => panic!(
            "could not run {}: {e} (build it with cargo build -p psa-bridge)",
            app_binary().display()
        ),
    };
    if let Some(mut si) = child.stdin.take() {
        if let Some(text) = stdin {
            let _ = si.write_all(text.as_bytes());
        }
    }
    match child.wait_with_output() {
        Ok(o) => o,
        Err(e) => panic!("could not wait for the CLI: {e}"),
    }
}
