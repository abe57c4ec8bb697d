//! Application services shared by the CLI and the desktop commands: each function takes the
//! [`AppContext`](crate::context::AppContext), does one operator-level job (add a connector,
//! connect Coro, map a workspace…) and returns view types. Tauri commands and CLI commands are
//! thin wrappers around these.

pub mod browse;
pub mod connectors;
pub mod coro;
pub mod demo;
pub mod mappings;
pub mod psa_client;
pub mod settings;
pub mod sync;
#[cfg(test)]
mod time_zone_tests;

pub use psa_client::PsaClient;

#[cfg(test)]
mod tests;
