//! The service catalogue agrees with the services the sandbox bills (moved from
//! `src/coro/catalog.rs`): a cross-crate agreement test, so it lives beside the sandbox tests.

use psa_bridge::coro::catalog::{lookup, KNOWN};
use psa_bridge::coro::wire;
use psa_bridge::model::Unit;
use psa_bridge::sandbox::seed::SERVICES;

/// The sandbox bills each service in the unit the catalogue defaults to, so demo usage and
/// default mappings agree.
#[test]
fn table_matches_sandbox_services() {
    assert_eq!(KNOWN.len(), SERVICES.len());
    for s in SERVICES {
        let known = lookup(s.key).map(|k| (k.key, k.name, k.default_unit));
        let unit = if s.per_device {
            Unit::Device
        } else {
            Unit::User
        };
        assert_eq!(known, Some((s.key, s.name, unit)), "{}", s.key);
        assert_eq!(wire::normalize_key(s.key), s.key);
    }
}
