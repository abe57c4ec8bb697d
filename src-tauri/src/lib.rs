//! PSA Bridge keeps the billed quantities in a PSA (ConnectWise Manage or Autotask) equal to real
//! Coro usage. The core (store, secrets, API clients, sync) has no Tauri dependency; the desktop
//! shell lives behind the `desktop` feature.

pub mod coro;
pub mod error;
pub mod model;
pub mod sandbox;
