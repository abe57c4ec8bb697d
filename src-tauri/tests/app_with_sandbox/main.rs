//! The application services (`psa_bridge::app`) against the in-process sandbox
//! (`psa-bridge-sandbox`, the `demo` feature): real HTTP over loopback, a real SQLite file, an
//! in-memory keychain (the OS keychain where a test says so, inside a desktop session).

mod connector_edit;
mod demo_sync;
mod hardening;
mod time_zone;
