//! Coro bundles as billable sources (coro.md §2.3, §3): a bundle is mapped like a service, under
//! the key `bundle:<name>` (name in [`wire::normalize_key`] form), and billed in its own unit
//! (default from [`KNOWN_BUNDLES`], overridable per mapping). Which modules and add-ons a bundle
//! includes comes from `POST /v1/subscriptions/bundleInfo` ([`CoroClient::bundle_contents`]), so
//! a company billed for a bundle *and* for a module it includes can be held as likely double
//! billing.
//!
//! The bundle enum has 12 documented values in two spellings (UPPER_SNAKE in bundleInfo,
//! camelCase in `PUT /subscriptions`); newer bundles ("Coro AI Endpoint", …) are outside it, so
//! any other name is kept as a new, unmapped bundle, never dropped.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use serde_json::json;

use super::client::{CoroClient, CoroError};
use super::wire::{self, ModuleState};
use crate::model::Unit;

/// The prefix of a bundle's service key.
pub const BUNDLE_PREFIX: &str = "bundle:";

/// `POST /v1/subscriptions/bundleInfo` (CONFIRMED: docs `getSubscriptionUpdateDto`).
pub const BUNDLE_INFO_PATH: &str = "/v1/subscriptions/bundleInfo";

/// One documented bundle: normalised name, display name, default unit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownBundle {
    pub name: &'static str,
    pub display: &'static str,
    pub default_unit: Unit,
}

const fn b(name: &'static str, display: &'static str, default_unit: Unit) -> KnownBundle {
    KnownBundle {
        name,
        display,
        default_unit,
    }
}

/// The 12 documented bundle values (coro.md §2.3). Units are inference (UNCONFIRMED): the
/// distributor export in coro.md §3 bills Coro Essentials on the larger of users and devices
/// and Coro Complete on users; endpoint bundles follow Endpoint Security (device), email and
/// SASE bundles follow their modules (user); Classic sits between Essentials and Complete and is
/// billed like Complete. `managed*` variants follow their base bundle.
pub const KNOWN_BUNDLES: &[KnownBundle] = &[
    b("endpointProtection", "Endpoint Protection", Unit::Device),
    b(
        "managedEndpointProtection",
        "Managed Endpoint Protection",
        Unit::Device,
    ),
    b("emailProtection", "Email Protection", Unit::User),
    b(
        "managedEmailProtection",
        "Managed Email Protection",
        Unit::User,
    ),
    b("sase", "SASE", Unit::User),
    b("managedSase", "Managed SASE", Unit::User),
    b("coroEssentials", "Coro Essentials", Unit::Max),
    b(
        "managedCoroEssentials",
        "Managed Coro Essentials",
        Unit::Max,
    ),
    b("coroClassic", "Coro Classic", Unit::User),
    b("managedCoroClassic", "Managed Coro Classic", Unit::User),
    b("coroComplete", "Coro Complete", Unit::User),
    b("managedCoroComplete", "Managed Coro Complete", Unit::User),
];

/// The service key of a bundle name in any spelling (`CORO_COMPLETE` → `bundle:coroComplete`).
pub fn bundle_key(name: &str) -> String {
    format!("{BUNDLE_PREFIX}{}", wire::normalize_key(name))
}

/// The normalised bundle name of a bundle key; `None` for a module or add-on key.
pub fn bundle_name(key: &str) -> Option<String> {
    let rest = key.trim().strip_prefix(BUNDLE_PREFIX)?;
    let name = wire::normalize_key(rest);
    (!name.is_empty()).then_some(name)
}

/// A key as mappings store it: a bundle key in canonical form, any other key trimmed.
pub fn canonical_key(key: &str) -> String {
    bundle_name(key).map_or_else(|| key.trim().to_string(), |n| bundle_key(&n))
}

pub fn is_bundle(key: &str) -> bool {
    bundle_name(key).is_some()
}

/// The table entry of a bundle key.
pub fn lookup(key: &str) -> Option<&'static KnownBundle> {
    let name = bundle_name(key)?;
    KNOWN_BUNDLES.iter().find(|b| b.name == name)
}

/// The UPPER_SNAKE spelling bundleInfo uses (`coroComplete` → `CORO_COMPLETE`).
pub fn wire_name(name: &str) -> String {
    let mut out = String::new();
    for (i, c) in wire::normalize_key(name).chars().enumerate() {
        if c.is_uppercase() && i > 0 {
            out.push('_');
        }
        out.push(c.to_ascii_uppercase());
    }
    out
}

/// The bundleInfo reply: `{modules, bundles}` (CONFIRMED shape; the inner module keys are read
/// like `/subscriptions`).
#[derive(Debug, Deserialize)]
struct BundleInfo {
    modules: Option<BTreeMap<String, ModuleState>>,
}

/// Module and add-on keys a bundleInfo reply names as required (enabled).
fn included(reply: serde_json::Value) -> Result<BTreeSet<String>, String> {
    let info: BundleInfo = serde_json::from_value(reply).map_err(|e| e.to_string())?;
    let Some(modules) = info.modules else {
        return Err("the answer has no `modules`".to_string());
    };
    let sub = wire::Subscription {
        modules: Some(modules),
        bundles: None,
    };
    Ok(sub.enabled_services())
}

impl CoroClient {
    /// What each named bundle includes (module and add-on keys), one bundleInfo request per
    /// bundle (the reply merges every asked bundle, so one at a time says which includes what).
    /// Names are normalised; a bundle Coro cannot describe is an `Err` for that bundle only.
    pub async fn bundle_contents(
        &self,
        names: &BTreeSet<String>,
    ) -> BTreeMap<String, Result<BTreeSet<String>, CoroError>> {
        let mut out = BTreeMap::new();
        for name in names {
            let name = wire::normalize_key(name);
            let what = format!("reading what the bundle {name} includes");
            let body = json!({ "bundles": [wire_name(&name)] });
            let got = self
                .post_read(BUNDLE_INFO_PATH, &body, &what, included)
                .await;
            out.insert(name, got);
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_names_and_spellings() {
        let cases = [
            ("upper snake", "CORO_COMPLETE", "bundle:coroComplete"),
            ("camel", "coroComplete", "bundle:coroComplete"),
            ("new bundle", "CORO_AI_ENDPOINT", "bundle:coroAiEndpoint"),
            ("short", "SASE", "bundle:sase"),
        ];
        for (case, name, key) in cases {
            assert_eq!(bundle_key(name), key, "{case}");
            assert_eq!(
                bundle_name(key).as_deref(),
                Some(wire::normalize_key(name).as_str()),
                "{case}"
            );
        }
        assert_eq!(bundle_name("edr"), None);
        assert_eq!(bundle_name("bundle:"), None);
        assert_eq!(
            wire_name("managedCoroEssentials"),
            "MANAGED_CORO_ESSENTIALS"
        );
        assert_eq!(wire_name("sase"), "SASE");
        assert_eq!(wire_name("CORO_COMPLETE"), "CORO_COMPLETE");
    }

    #[test]
    fn the_twelve_documented_bundles_are_known() {
        let documented = [
            "ENDPOINT_PROTECTION",
            "MANAGED_ENDPOINT_PROTECTION",
            "EMAIL_PROTECTION",
            "MANAGED_EMAIL_PROTECTION",
            "SASE",
            "MANAGED_SASE",
            "CORO_ESSENTIALS",
            "MANAGED_CORO_ESSENTIALS",
            "CORO_CLASSIC",
            "MANAGED_CORO_CLASSIC",
            "CORO_COMPLETE",
            "MANAGED_CORO_COMPLETE",
        ];
        for name in documented {
            assert!(lookup(&bundle_key(name)).is_some(), "{name}");
        }
        assert_eq!(KNOWN_BUNDLES.len(), documented.len());
        assert!(lookup("bundle:coroAiEndpoint").is_none());
        assert_eq!(
            lookup("bundle:CORO_ESSENTIALS").map(|b| b.default_unit),
            Some(Unit::Max)
        );
    }

    #[test]
    fn bundle_info_replies() {
        let ok = json!({"modules": {"edr": {"enabled": true}, "EMAIL_SECURITY": true,
                         "mdm": {"enabled": false}}, "bundles": ["CORO_COMPLETE"]});
        let got = included(ok).unwrap();
        assert_eq!(
            got.into_iter().collect::<Vec<_>>(),
            vec!["edr".to_string(), "emailSecurity".to_string()]
        );
        assert!(included(json!({"bundles": []}))
            .unwrap_err()
            .contains("no `modules`"));
        assert!(included(json!([1, 2])).is_err());
    }
}
