//! Coro API: the wire contract (UNCONFIRMED assumptions in one place), the client, workspace
//! discovery, usage, and the service catalogue.

pub mod bundles;
pub mod catalog;
pub mod client;
#[cfg(test)]
mod contract_tests;
mod errors;
pub mod shape;
pub mod usage;
pub mod wire;
pub mod workspaces;

/// A client for the simulated Coro the tests start (its region, API client and channel).
#[cfg(all(test, feature = "demo"))]
pub(crate) fn sandbox_client(sb: &crate::sandbox::Sandbox) -> client::CoroClient {
    let demo = &sb.info.coro;
    client::CoroClient::new(
        &demo.region,
        demo.client_id.clone(),
        crate::secrets::Sensitive::new(demo.client_secret.clone()),
        demo.channel.clone(),
    )
    .expect("a client for the sandbox's Coro")
}
