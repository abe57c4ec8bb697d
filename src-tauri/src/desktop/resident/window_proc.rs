//! The window process, as the tray process sees it: started on demand (`psa-bridge-window`, next
//! to this executable), at most one at a time, and reaped when it exits. The window process ends
//! itself when its window closes or when the tray process goes away (its connection ends), so the
//! tray never has to kill it.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};

/// Tells the window process that a tray process started it: without that tray process (it
/// quit while the window was starting) the window does not open on its own.
pub const TRAY_ARG: &str = "--tray";

/// The window executable's file name.
pub const WINDOW_EXE: &str = "psa-bridge-window";

/// The window executable next to `exe` (this program); for the Windows console copy in the
/// install folder's `bin\`, the one in the install folder.
pub fn window_exe(exe: &Path) -> PathBuf {
    let name = format!("{WINDOW_EXE}{}", std::env::consts::EXE_SUFFIX);
    let beside = exe.with_file_name(&name);
    if !beside.exists() {
        if let Some(up) = exe.parent().and_then(Path::parent).map(|d| d.join(&name)) {
            if up.exists() {
                return up;
            }
        }
    }
    beside
}

/// How to start the window: the same data and credentials folders as the tray.
#[derive(Debug, Clone)]
pub struct WindowLaunch {
    pub exe: PathBuf,
    pub data_dir: PathBuf,
    pub credentials_dir: Option<PathBuf>,
}

impl WindowLaunch {
    /// The window's arguments (never a secret: folders and a route only).
    pub fn args(&self, route: Option<&str>) -> Vec<std::ffi::OsString> {
        let mut args: Vec<std::ffi::OsString> = vec![
            TRAY_ARG.into(),
            "--data-dir".into(),
            self.data_dir.clone().into(),
        ];
        if let Some(c) = &self.credentials_dir {
            args.push("--credentials-dir".into());
            args.push(c.clone().into());
        }
        if let Some(r) = route {
            args.push("--route".into());
            args.push(r.into());
        }
        args
    }
}

/// The running window process, if any.
#[derive(Default)]
pub struct WindowProc {
    alive: Arc<AtomicBool>,
    pid: Arc<AtomicU32>,
    /// Serialises starts, so two quick "open"s start one window.
    starting: Mutex<()>,
}

impl WindowProc {
    pub fn is_alive(&self) -> bool {
        self.alive.load(Ordering::SeqCst)
    }

    /// The window process's id while it runs (tests and benchmarks find it this way too).
    pub fn pid(&self) -> Option<u32> {
        self.is_alive().then(|| self.pid.load(Ordering::SeqCst))
    }

    /// Starts the window process unless one is running. `on_exit` runs when it ends.
    pub fn start<F>(
        &self,
        launch: &WindowLaunch,
        route: Option<&str>,
        on_exit: F,
    ) -> std::io::Result<bool>
    where
        F: FnOnce() + Send + 'static,
    {
        let _one = self.starting.lock().unwrap_or_else(|p| p.into_inner());
        if self.is_alive() {
            return Ok(false);
        }
        let mut cmd = Command::new(&launch.exe);
        cmd.args(launch.args(route)).stdin(Stdio::null());
        if super::gl_off_here() {
            // GL was turned off for the tray process only.
            cmd.env_remove("GDK_GL");
        }
        let mut child = cmd.spawn()?;
        self.pid.store(child.id(), Ordering::SeqCst);
        self.alive.store(true, Ordering::SeqCst);
        let alive = self.alive.clone();
        std::thread::Builder::new()
            .name("window-process".into())
            .spawn(move || {
                let status = child.wait();
                alive.store(false, Ordering::SeqCst);
                tracing::info!(?status, "the window process ended");
                on_exit();
            })?;
        Ok(true)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_window_is_started_next_to_this_program_with_the_same_folders() {
        let exe = Path::new("/opt/psa/psa-bridge");
        let w = window_exe(exe);
        assert_eq!(w.parent(), exe.parent());
        assert!(w
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with(WINDOW_EXE)));
        let launch = WindowLaunch {
            exe: w,
            data_dir: "/data".into(),
            credentials_dir: Some("/creds".into()),
        };
        let args: Vec<String> = launch
            .args(Some("history/3"))
            .into_iter()
            .map(|a| a.to_string_lossy().into_owned())
            .collect();
        assert_eq!(
            args,
            [
                "--tray",
                "--data-dir",
                "/data",
                "--credentials-dir",
                "/creds",
                "--route",
                "history/3"
            ]
        );
    }

    #[cfg(unix)]
    #[test]
    fn the_window_process_is_reaped_when_it_ends() {
        let proc = WindowProc::default();
        // `/bin/sh --data-dir …` exits at once (an unknown option): started, then seen ending.
        let launch = WindowLaunch {
            exe: "/bin/sh".into(),
            data_dir: "-c".into(),
            credentials_dir: None,
        };
        let (tx, rx) = std::sync::mpsc::channel();
        let started = proc
            .start(&launch, None, move || {
                let _ = tx.send(());
            })
            .expect("spawn");
        assert!(started);
        rx.recv_timeout(std::time::Duration::from_secs(10))
            .expect("the exit was seen");
        assert!(!proc.is_alive() && proc.pid().is_none());
    }
}
