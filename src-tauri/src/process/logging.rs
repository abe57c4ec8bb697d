//! Where log lines go. Headless commands log to stderr. The desktop app also writes a daily
//! rotating file in `<data dir>/logs/` (the last 7 days are kept), because a GUI launch has no
//! terminal: `psa-bridge.YYYY-MM-DD.log`. Nothing secret is ever logged (secrets are
//! `Sensitive` values that print as `***`), so the files are safe to attach to a support ticket.

use std::path::{Path, PathBuf};

use tracing_appender::rolling::{InitError, RollingFileAppender, Rotation};
use tracing_subscriber::layer::SubscriberExt;
use tracing_subscriber::util::SubscriberInitExt;
use tracing_subscriber::{fmt, EnvFilter, Layer};

/// Log files kept (one per day).
pub const KEEP_FILES: usize = 7;

/// The log folder inside a data folder.
pub fn log_dir(data_dir: &Path) -> PathBuf {
    data_dir.join("logs")
}

/// A daily-rotating file appender in `<data dir>/logs/`.
pub fn file_appender(data_dir: &Path) -> Result<RollingFileAppender, InitError> {
    RollingFileAppender::builder()
        .rotation(Rotation::DAILY)
        .filename_prefix("psa-bridge")
        .filename_suffix("log")
        .max_log_files(KEEP_FILES)
        .build(log_dir(data_dir))
}

fn filter(default_level: &str) -> EnvFilter {
    EnvFilter::try_from_env("PSA_BRIDGE_LOG").unwrap_or_else(|_| EnvFilter::new(default_level))
}

/// Logs to stderr only (headless commands).
pub fn init_stderr(default_level: &str) {
    let _ = fmt()
        .with_env_filter(filter(default_level))
        .with_writer(std::io::stderr)
        .try_init();
}

/// Logs to stderr and, when the log folder can be made, to the rotating file (the desktop app).
pub fn init_desktop(data_dir: Option<&Path>, default_level: &str) {
    let file = data_dir.and_then(|dir| match file_appender(dir) {
        Ok(appender) => Some(appender),
        Err(e) => {
            eprintln!("psa-bridge: no log file in {}: {e}", log_dir(dir).display());
            None
        }
    });
    let stderr = fmt::layer()
        .with_writer(std::io::stderr)
        .with_filter(filter(default_level));
    let file = file.map(|appender| {
        fmt::layer()
            .with_ansi(false)
            .with_writer(appender)
            .with_filter(filter(default_level))
    });
    let _ = tracing_subscriber::registry()
        .with(stderr)
        .with(file)
        .try_init();
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_land_in_a_dated_file_in_the_logs_folder() {
        let data = tempfile::tempdir().unwrap();
        let layer = fmt::layer()
            .with_ansi(false)
            .with_writer(file_appender(data.path()).unwrap());
        let subscriber = tracing_subscriber::registry().with(layer);
        tracing::subscriber::with_default(subscriber, || {
            tracing::info!(connector = 3, "sync finished");
        });
        let files: Vec<_> = std::fs::read_dir(log_dir(data.path()))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files.len(), 1, "{files:?}");
        let name = files[0].file_name().unwrap().to_string_lossy().into_owned();
        let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
        assert_eq!(name, format!("psa-bridge.{today}.log"));
        let text = std::fs::read_to_string(&files[0]).unwrap();
        assert!(
            text.contains("sync finished") && text.contains("connector=3"),
            "{text}"
        );
    }
}
