//! PSA Bridge keeps the billed quantities in a PSA (ConnectWise Manage or Autotask) equal to real
//! Coro usage. The core (store, secrets, API clients, sync) has no Tauri dependency; the desktop
//! shell lives behind the `desktop` feature.

pub mod app;
pub mod autotask;
pub mod build_info;
pub mod checks;
pub mod cli;
pub mod clock;
pub mod connectwise;
pub mod context;
pub mod coro;
#[cfg(feature = "desktop")]
pub mod desktop;
pub mod error;
pub mod events;
pub mod http;
pub mod mapping;
pub mod model;
pub mod paths;
pub mod process;
pub mod psa;
pub mod report;
/// The simulated vendors (demo mode, tests, benchmarks): a crate of its own, linked with the
/// `demo` feature.
#[cfg(feature = "demo")]
pub use psa_bridge_sandbox as sandbox;
pub mod schedule;
pub mod secrets;
pub mod store;
pub mod sync;
pub mod tickets;
pub mod trends;
pub mod views;

#[cfg(test)]
mod layering_tests;
