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
