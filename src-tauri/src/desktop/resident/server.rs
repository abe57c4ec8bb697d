//! The tray process's end of [`crate::desktop::link`]: accepts connections on the local socket,
//! answers each request line, and streams events to a subscribed window.

use std::path::Path;
use std::sync::Arc;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc::UnboundedReceiver;

use crate::desktop::link::{code_name, Event, Reply, Request};
use crate::error::ApiError;

/// What the tray process does with a request.
pub trait Handler: Send + Sync + 'static {
    fn handle(&self, req: Request) -> Result<(), ApiError>;
    /// A new window connection: the events to send it.
    fn subscribe(&self) -> UnboundedReceiver<Event>;
}

/// The bound socket.
#[cfg(unix)]
pub struct Listener(tokio::net::UnixListener);
#[cfg(windows)]
pub struct Listener(
    tokio::net::windows::named_pipe::NamedPipeServer,
    std::ffi::OsString,
);

/// Binds the endpoint. Call only after a connection attempt failed (no tray process): a socket
/// file left by a tray process that crashed is replaced. The socket is the owner's only.
#[cfg(unix)]
pub fn bind(endpoint: &Path) -> std::io::Result<Listener> {
    use std::os::unix::fs::PermissionsExt;
    let _ = std::fs::remove_file(endpoint);
    let listener = tokio::net::UnixListener::bind(endpoint)?;
    std::fs::set_permissions(endpoint, std::fs::Permissions::from_mode(0o600))?;
    Ok(Listener(listener))
}

#[cfg(windows)]
pub fn bind(endpoint: &Path) -> std::io::Result<Listener> {
    let name = endpoint.as_os_str().to_os_string();
    let server = tokio::net::windows::named_pipe::ServerOptions::new()
        .first_pipe_instance(true)
        .reject_remote_clients(true)
        .create(&name)?;
    Ok(Listener(server, name))
}

/// Removes the socket file (Unix) when the tray process ends.
pub fn unbind(endpoint: &Path) {
    #[cfg(unix)]
    let _ = std::fs::remove_file(endpoint);
    #[cfg(windows)]
    let _ = endpoint;
}

/// Serves connections until the process ends.
pub async fn serve<H: Handler>(listener: Listener, handler: Arc<H>) {
    #[cfg(unix)]
    loop {
        match listener.0.accept().await {
            Ok((stream, _)) => {
                tokio::spawn(connection(stream, handler.clone()));
            }
            Err(e) => {
                tracing::warn!(error = %e, "the tray socket failed to accept");
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
            }
        }
    }
    #[cfg(windows)]
    {
        let Listener(mut server, name) = listener;
        loop {
            if let Err(e) = server.connect().await {
                tracing::warn!(error = %e, "the tray pipe failed to accept");
                tokio::time::sleep(std::time::Duration::from_millis(200)).await;
                continue;
            }
            let next = match tokio::net::windows::named_pipe::ServerOptions::new()
                .reject_remote_clients(true)
                .create(&name)
            {
                Ok(next) => next,
                Err(e) => {
                    tracing::error!(error = %e, "the tray pipe could not be recreated");
                    return;
                }
            };
            let connected = std::mem::replace(&mut server, next);
            tokio::spawn(connection(connected, handler.clone()));
        }
    }
}

async fn write_line<W: AsyncWrite + Unpin, T: serde::Serialize>(
    w: &mut W,
    value: &T,
) -> std::io::Result<()> {
    let mut line = serde_json::to_vec(value).map_err(std::io::Error::other)?;
    line.push(b'\n');
    w.write_all(&line).await?;
    w.flush().await
}

async fn connection<S, H>(stream: S, handler: Arc<H>)
where
    S: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    H: Handler,
{
    let (read, mut write) = tokio::io::split(stream);
    let mut lines = BufReader::new(read).lines();
    while let Ok(Some(line)) = lines.next_line().await {
        let req: Request = match serde_json::from_str(&line) {
            Ok(r) => r,
            Err(e) => {
                tracing::warn!(error = %e, "unreadable request on the tray socket");
                return;
            }
        };
        if req == Request::Subscribe {
            let mut events = handler.subscribe();
            // Events until either end goes away; the window reads nothing else on this line.
            loop {
                tokio::select! {
                    event = events.recv() => match event {
                        Some(event) => {
                            if write_line(&mut write, &event).await.is_err() {
                                return;
                            }
                        }
                        None => return,
                    },
                    more = lines.next_line() => {
                        if !matches!(more, Ok(Some(_))) {
                            return;
                        }
                    }
                }
            }
        }
        let h = handler.clone();
        let result = tokio::task::spawn_blocking(move || h.handle(req))
            .await
            .unwrap_or_else(|e| {
                Err(ApiError::new(
                    crate::error::ErrorCode::Internal,
                    format!("the request failed: {e}"),
                ))
            });
        let reply = Reply {
            error: result.err().map(|e| (code_name(e.code), e.message)),
        };
        if write_line(&mut write, &reply).await.is_err() {
            return;
        }
    }
}
