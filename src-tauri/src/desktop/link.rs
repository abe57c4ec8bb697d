//! The channel between the tray process and the window process (and a second launch): a local
//! socket owned by the tray process — a Unix socket in the data folder on Linux and macOS, a
//! named pipe named after the data folder on Windows — carrying one JSON object per line. The
//! database stays the record of everything (runs, settings, connectors); the socket only carries
//! what must arrive now: "open the window", "sync now", progress events, "close". Holding the
//! socket is also what makes the tray process single-instance per data folder.
//!
//! No Tauri here (the tray process must not link the webview).

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::error::{ApiError, ErrorCode};
use crate::events::AppEvent;

/// What a client asks the tray process.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Request {
    /// Show the window (start it, or focus the open one), optionally at a route.
    Open { route: Option<String> },
    /// Close the window (the tray stays).
    CloseWindow,
    /// A second `--hidden` launch: nothing to do.
    Hidden,
    /// Sync every connector now (the window's *Sync now*).
    SyncNow,
    /// The settings changed in the window: refresh the tray (pause toggle, next sync).
    SettingsChanged,
    /// A window: keep this connection open and send it [`Event`]s.
    Subscribe,
    /// End the tray process and its window.
    Quit,
}

/// The answer to a [`Request`] (one line), except for [`Request::Subscribe`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reply {
    /// None when done; the error's code name and message otherwise.
    pub error: Option<(String, String)>,
}

/// What the tray process sends a subscribed window.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
pub enum Event {
    /// An `app-event` for the UI (sync progress, run finished, connectors changed).
    App { payload: AppEvent },
    /// Come to the front, at `route` if given.
    Show { route: Option<String> },
    /// Close the window (and end the window process).
    Close,
}

#[derive(Debug, thiserror::Error)]
pub enum LinkError {
    #[error("the PSA Bridge tray process is not running")]
    NotRunning,
    #[error("talking to the PSA Bridge tray process failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("the PSA Bridge tray process sent something unreadable: {0}")]
    Protocol(#[from] serde_json::Error),
    #[error("{1}")]
    Refused(String, String),
}

impl From<LinkError> for ApiError {
    fn from(e: LinkError) -> Self {
        let code = match &e {
            LinkError::Refused(code, _) if code == "busy" => ErrorCode::Busy,
            _ => ErrorCode::Internal,
        };
        ApiError::new(code, e.to_string())
    }
}

/// Where the tray process of the data folder `data_dir` listens.
#[cfg(unix)]
pub fn endpoint(data_dir: &Path) -> PathBuf {
    data_dir.join("psa-bridge.sock")
}

/// Where the tray process of the data folder `data_dir` listens.
#[cfg(windows)]
pub fn endpoint(data_dir: &Path) -> PathBuf {
    use std::hash::{Hash, Hasher};
    let mut h = std::collections::hash_map::DefaultHasher::new();
    data_dir.hash(&mut h);
    PathBuf::from(format!(r"\\.\pipe\psa-bridge-{:016x}", h.finish()))
}

/// A blocking connection to the tray process.
pub struct Client {
    reader: BufReader<Stream>,
}

#[cfg(unix)]
type Stream = std::os::unix::net::UnixStream;
#[cfg(windows)]
type Stream = std::fs::File;

fn connect(endpoint: &Path) -> Result<Stream, LinkError> {
    #[cfg(unix)]
    let stream = std::os::unix::net::UnixStream::connect(endpoint);
    #[cfg(windows)]
    let stream = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(endpoint);
    stream.map_err(|e| {
        tracing::debug!(error = %e, endpoint = %endpoint.display(), "no connection to the tray process");
        e
    })
    .map_err(|e| match e.kind() {
        std::io::ErrorKind::NotFound | std::io::ErrorKind::ConnectionRefused => {
            LinkError::NotRunning
        }
        _ => LinkError::Io(e),
    })
}

impl Client {
    pub fn connect(endpoint: &Path) -> Result<Self, LinkError> {
        Ok(Self {
            reader: BufReader::new(connect(endpoint)?),
        })
    }

    fn send(&mut self, req: &Request) -> Result<(), LinkError> {
        let mut line = serde_json::to_vec(req)?;
        line.push(b'\n');
        self.reader.get_mut().write_all(&line)?;
        self.reader.get_mut().flush()?;
        Ok(())
    }

    fn read_line(&mut self) -> Result<Option<String>, LinkError> {
        let mut line = String::new();
        if self.reader.read_line(&mut line)? == 0 {
            return Ok(None);
        }
        Ok(Some(line))
    }

    /// Sends `req` and waits for its reply.
    pub fn request(mut self, req: &Request) -> Result<(), LinkError> {
        self.send(req)?;
        let line = self.read_line()?.ok_or_else(|| {
            LinkError::Io(std::io::Error::new(
                std::io::ErrorKind::UnexpectedEof,
                "no reply",
            ))
        })?;
        let reply: Reply = serde_json::from_str(&line)?;
        match reply.error {
            None => Ok(()),
            Some((code, message)) => Err(LinkError::Refused(code, message)),
        }
    }

    /// Subscribes; the returned iterator yields events until the tray process goes away.
    pub fn subscribe(mut self) -> Result<impl Iterator<Item = Event>, LinkError> {
        self.send(&Request::Subscribe)?;
        Ok(std::iter::from_fn(move || loop {
            match self.read_line() {
                Ok(Some(line)) => match serde_json::from_str(&line) {
                    Ok(event) => return Some(event),
                    Err(e) => tracing::warn!(error = %e, "unreadable event from the tray"),
                },
                Ok(None) => return None,
                Err(e) => {
                    tracing::debug!(error = %e, "the tray connection ended");
                    return None;
                }
            }
        }))
    }
}

/// Sends one request to the tray process of `data_dir`.
pub fn request(data_dir: &Path, req: &Request) -> Result<(), LinkError> {
    Client::connect(&endpoint(data_dir))?.request(req)
}

/// The error code's wire name (as the UI sees it).
pub fn code_name(code: ErrorCode) -> String {
    serde_json::to_value(code)
        .ok()
        .and_then(|v| v.as_str().map(str::to_string))
        .unwrap_or_else(|| "internal".to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn requests_and_events_are_one_json_line_each() {
        let r = serde_json::to_string(&Request::Open {
            route: Some("history/4".into()),
        })
        .unwrap();
        assert_eq!(r, r#"{"op":"open","route":"history/4"}"#);
        assert_eq!(
            serde_json::from_str::<Request>(r#"{"op":"sync_now"}"#).unwrap(),
            Request::SyncNow
        );
        let e = serde_json::to_string(&Event::Show { route: None }).unwrap();
        assert!(!e.contains('\n'));
        assert_eq!(
            serde_json::from_str::<Event>(&e).unwrap(),
            Event::Show { route: None }
        );
        assert_eq!(code_name(ErrorCode::Busy), "busy");
    }

    #[test]
    fn no_tray_process_is_reported_as_not_running() {
        let dir = tempfile::tempdir().unwrap();
        let err = request(dir.path(), &Request::Hidden).unwrap_err();
        assert!(matches!(err, LinkError::NotRunning), "{err:?}");
    }
}
