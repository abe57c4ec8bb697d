//! What the tray process does before its event loop runs, apart from GTK itself: keeping GTK's
//! OpenGL out of the tray, and opening the data folder and the launch-at-login entry (on a thread
//! of their own, while GTK starts).

use std::path::PathBuf;
use std::sync::Arc;

use crate::context::AppContext;
use crate::desktop::autostart;
use crate::error::ApiError;

/// Whether this process turned GTK's OpenGL off itself (so the window process it starts does not
/// inherit that).
static GL_OFF_HERE: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);

/// The tray process draws an icon and a menu, nothing with OpenGL, yet GTK initialises GL when
/// its first window is realised, which maps the GL driver (on a machine without a GPU: Mesa's
/// llvmpipe, libLLVM alone ~26 MiB of PSS). `GDK_GL=disable` keeps it out: measured, the tray
/// process's PSS goes from 59.5 to 26.7 MiB (release, Xvfb). Left alone when the user set
/// `GDK_GL`. Called first thing, before any thread exists (it changes the environment).
pub fn tray_without_gl() {
    #[cfg(target_os = "linux")]
    if std::env::var_os("GDK_GL").is_none() {
        std::env::set_var("GDK_GL", "disable");
        GL_OFF_HERE.store(true, std::sync::atomic::Ordering::SeqCst);
    }
}

/// True when [`tray_without_gl`] set `GDK_GL` (the window process must not inherit it: WebKit
/// renders with GL).
pub fn gl_off_here() -> bool {
    GL_OFF_HERE.load(std::sync::atomic::Ordering::SeqCst)
}

/// What the tray process opens besides GTK: the data folder and the launch-at-login entry
/// (refreshed to name this executable).
pub(super) fn open_state(
    data_dir: PathBuf,
    credentials_dir: Option<PathBuf>,
) -> Result<(Arc<AppContext>, Option<auto_launch::AutoLaunch>), ApiError> {
    let ctx = Arc::new(AppContext::open_with(Some(data_dir), credentials_dir)?);
    let autostart = match autostart::current() {
        Ok(entry) => {
            autostart::refresh(&entry);
            Some(entry)
        }
        Err(e) => {
            tracing::warn!(error = %e, "launch at login is unavailable");
            None
        }
    };
    Ok((ctx, autostart))
}

/// Demo mode (`--sandbox`): the window process on its own with the demo data (it starts the
/// sandbox itself); waits for it and passes its exit on.
pub fn run_demo(opts: &crate::desktop::LaunchOptions) -> Result<(), ApiError> {
    let exe = super::window_proc::window_exe(&std::env::current_exe().map_err(super::internal)?);
    let mut cmd = std::process::Command::new(&exe);
    cmd.arg("--sandbox");
    if let Some(d) = &opts.data_dir {
        cmd.arg("--data-dir").arg(d);
    }
    let status = cmd.status().map_err(|e| {
        super::internal(format!(
            "could not start the window ({}): {e}",
            exe.display()
        ))
    })?;
    if status.success() {
        Ok(())
    } else {
        Err(super::internal(format!("the window ended with {status}")))
    }
}
