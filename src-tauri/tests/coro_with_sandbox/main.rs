//! The Coro client against the in-process simulated Coro (`psa-bridge-sandbox`, the `demo`
//! feature) over loopback: workspaces, usage in every answer shape, bundles, and the catalogue
//! agreeing with the sandbox's services. The client's parsing and fault handling on their own
//! are unit tests against mockito in `src/coro/`.

mod bundles;
mod catalog;
mod usage;
mod usage_shapes;

use psa_bridge::coro::client::CoroClient;
use psa_bridge::sandbox::Sandbox;
use psa_bridge::secrets::Sensitive;

/// A client for the simulated Coro the tests start (its region, API client and channel).
pub fn sandbox_client(sb: &Sandbox) -> CoroClient {
    let demo = &sb.info.coro;
    CoroClient::new(
        &demo.region,
        demo.client_id.clone(),
        Sensitive::new(demo.client_secret.clone()),
        demo.channel.clone(),
    )
    .expect("a client for the sandbox's Coro")
}
