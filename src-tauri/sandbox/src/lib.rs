//! The sandbox: simulated Coro, ConnectWise Manage and Autotask APIs on 127.0.0.1, built from one
//! deterministic demo MSP ([`seed::World`]). Used by demo mode (`psa-bridge --sandbox`), by
//! `psa-bridge sandbox`, by the end-to-end tests and by the benchmarks.
//!
//! Each API lives in its own module and exposes `router(world, behaviour, base_url)` returning the
//! axum router and a handle (request log, state for assertions, demo credentials).

pub mod autotask;
pub mod common;
pub mod connectwise;
#[cfg(test)]
mod contract;
pub mod coro;
pub mod faults;
pub mod seed;

use std::net::{Ipv4Addr, SocketAddr};

use serde::Serialize;
use tokio::net::TcpListener;
use tokio::task::JoinHandle;

pub use common::{Behaviour, Gate, LoggedRequest};
pub use seed::World;

#[derive(Debug, thiserror::Error)]
pub enum SandboxError {
    #[error("could not listen on 127.0.0.1:{port}: {source} (choose another --port-base)")]
    Bind { port: u16, source: std::io::Error },
}

/// What `psa-bridge sandbox` is asked for.
#[derive(Debug, Clone)]
pub struct SandboxOptions {
    /// Coro listens on `port_base`, ConnectWise on `+1`, Autotask on `+2`; 0 picks free ports.
    pub port_base: u16,
    pub behaviour: Behaviour,
    /// Coro child workspaces (≥ 14 gives every awkward case one customer).
    pub workspaces: usize,
    /// Companies in each PSA tenant.
    pub companies: usize,
    /// The simulated Autotask database's time zone (default America/New_York).
    pub autotask_time_zone: autotask::TenantTimeZone,
}

impl Default for SandboxOptions {
    fn default() -> Self {
        SandboxOptions {
            port_base: 0,
            behaviour: Behaviour::default(),
            workspaces: 14,
            companies: 320,
            autotask_time_zone: autotask::TenantTimeZone::new_york(),
        }
    }
}

/// URLs and demo credentials of a running sandbox: the fields `connect` / `connector add` take.
/// These are demo values only, so serializing them is fine.
#[derive(Debug, Clone, Serialize)]
pub struct SandboxInfo {
    pub coro: coro::Demo,
    pub connectwise: connectwise::Demo,
    pub autotask: autotask::Demo,
}

/// A running sandbox; the servers stop when it is dropped.
pub struct Sandbox {
    pub info: SandboxInfo,
    pub world: World,
    pub coro: coro::Handle,
    pub connectwise: connectwise::Handle,
    pub autotask: autotask::Handle,
    tasks: Vec<JoinHandle<()>>,
}

impl Drop for Sandbox {
    fn drop(&mut self) {
        for t in &self.tasks {
            t.abort();
        }
    }
}

async fn bind(port_base: u16, offset: u16) -> Result<(TcpListener, String), SandboxError> {
    let port = if port_base == 0 {
        0
    } else {
        port_base.saturating_add(offset)
    };
    let listener = TcpListener::bind(SocketAddr::from((Ipv4Addr::LOCALHOST, port)))
        .await
        .map_err(|source| SandboxError::Bind { port, source })?;
    let addr = listener
        .local_addr()
        .map_err(|source| SandboxError::Bind { port, source })?;
    Ok((listener, format!("http://{addr}")))
}

fn serve(listener: TcpListener, router: axum::Router) -> JoinHandle<()> {
    tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, router).await {
            tracing::error!(error = %e, "sandbox server stopped");
        }
    })
}

/// Starts the three servers on the current tokio runtime.
pub async fn start(opts: SandboxOptions) -> Result<Sandbox, SandboxError> {
    let world = World::new(opts.behaviour.seed, opts.workspaces, opts.companies);
    let (coro_l, coro_url) = bind(opts.port_base, 0).await?;
    let (cw_l, cw_url) = bind(opts.port_base, 1).await?;
    let (at_l, at_url) = bind(opts.port_base, 2).await?;
    let (coro_router, coro) = coro::router(&world, &opts.behaviour, &coro_url);
    let (cw_router, connectwise) = connectwise::router(&world, &opts.behaviour, &cw_url);
    let (at_router, autotask) =
        autotask::router(&world, &opts.behaviour, &at_url, opts.autotask_time_zone);
    let tasks = vec![
        serve(coro_l, coro_router),
        serve(cw_l, cw_router),
        serve(at_l, at_router),
    ];
    Ok(Sandbox {
        info: SandboxInfo {
            coro: coro.demo.clone(),
            connectwise: connectwise.demo.clone(),
            autotask: autotask.demo.clone(),
        },
        world,
        coro,
        connectwise,
        autotask,
        tasks,
    })
}
