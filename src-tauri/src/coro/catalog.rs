//! The Coro service catalogue: the local table of known services (modules and add-ons) with a
//! display name and a default billing unit, merged with whatever keys Coro actually reports.
//!
//! coro.md §3 advises against a hard-coded catalogue: Coro names "21 services" but the public
//! material lists fewer, and new modules arrive with platform releases. So the table only
//! supplies names and default units; any key seen in a subscription or usage record that the
//! table does not know becomes a new, unmapped service ([`ServiceInfo::known`] = false) and is
//! never dropped. Keys are in [`wire::normalize_key`] form everywhere.

use std::collections::BTreeSet;

use serde::Serialize;

use super::{bundles, wire};
use crate::model::Unit;

/// One entry of the local table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KnownService {
    pub key: &'static str,
    pub name: &'static str,
    pub default_unit: Unit,
}

const fn svc(key: &'static str, name: &'static str, default_unit: Unit) -> KnownService {
    KnownService {
        key,
        name,
        default_unit,
    }
}

/// Known services in display order: modules, then add-ons (coro.md §3).
///
/// Units are coro.md's "likely unit" column, which is inference (UNCONFIRMED); the mapping can
/// override them per connector. Where coro.md says "user or device" we chose **user**: Network,
/// ZTNA and Secure Web Gateway are licensed per person in Coro's pricing pages and a person has
/// several devices, so per-user is the smaller, less surprising default. "Follows base module"
/// (Managed Service) is **device**: the managed SOC offering rides on Endpoint Security.
pub const KNOWN: &[KnownService] = &[
    svc("endpointSecurity", "Endpoint Security", Unit::Device),
    svc("edr", "EDR", Unit::Device),
    svc(
        "endpointDataGovernance",
        "Endpoint Data Governance",
        Unit::Device,
    ),
    svc("emailSecurity", "Email Security", Unit::User),
    svc("cloudSecurity", "Cloud Security", Unit::User),
    svc("userDataGovernance", "User Data Governance", Unit::User),
    svc("network", "Network", Unit::User),
    svc("mdm", "Mobile Device Management", Unit::Device),
    svc(
        "securityAwarenessTraining",
        "Security Awareness Training",
        Unit::User,
    ),
    svc("secureWebGateway", "Secure Web Gateway", Unit::User),
    svc("managedService", "Managed Service (SOC)", Unit::Device),
    svc("inboundGateway", "Inbound Gateway", Unit::User),
    svc("secureMessages", "Secure Messages", Unit::User),
    svc("wifiPhishing", "WiFi Phishing", Unit::Device),
    svc("ztna", "ZTNA", Unit::User),
];

/// Unit of a service the table does not know. Users, because the only counts Coro is known to
/// report are protected users and devices, and most add-ons Coro has shipped recently (AI
/// assistant, training, messaging) are per person.
pub const UNKNOWN_DEFAULT_UNIT: Unit = Unit::User;

/// A service as the mapping screen and the sync see it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceInfo {
    pub key: String,
    pub name: String,
    pub default_unit: Unit,
    /// False for a key Coro reported that the table does not know (a new Coro service).
    pub known: bool,
}

/// The table entry for a key (any spelling; compared after [`wire::normalize_key`]).
pub fn lookup(key: &str) -> Option<&'static KnownService> {
    let key = wire::normalize_key(key);
    KNOWN.iter().find(|s| s.key == key)
}

/// The default unit of any key, known or not (bundles: [`bundles::KNOWN_BUNDLES`]).
pub fn default_unit(key: &str) -> Unit {
    if bundles::is_bundle(key) {
        return bundles::lookup(key).map_or(UNKNOWN_DEFAULT_UNIT, |b| b.default_unit);
    }
    lookup(key).map_or(UNKNOWN_DEFAULT_UNIT, |s| s.default_unit)
}

/// A bundle key's entry: "Coro Complete (bundle)", or a name derived from an unknown bundle's.
fn bundle_info(key: &str) -> Option<ServiceInfo> {
    let name = bundles::bundle_name(key)?;
    let known = bundles::lookup(key);
    Some(ServiceInfo {
        key: bundles::bundle_key(&name),
        name: format!(
            "{} (bundle)",
            known.map_or_else(|| name_from_key(&name), |b| b.display.to_string())
        ),
        default_unit: known.map_or(UNKNOWN_DEFAULT_UNIT, |b| b.default_unit),
        known: known.is_some(),
    })
}

/// Name, unit and known flag of any key; unknown keys get a name derived from the key.
pub fn service_info(key: &str) -> ServiceInfo {
    if let Some(info) = bundle_info(key) {
        return info;
    }
    match lookup(key) {
        Some(s) => ServiceInfo {
            key: s.key.to_string(),
            name: s.name.to_string(),
            default_unit: s.default_unit,
            known: true,
        },
        None => {
            let key = wire::normalize_key(key);
            ServiceInfo {
                name: name_from_key(&key),
                key,
                default_unit: UNKNOWN_DEFAULT_UNIT,
                known: false,
            }
        }
    }
}

/// Every known service in table order, then every unknown key seen in the source (sorted,
/// de-duplicated after normalising; blank keys ignored), then the bundles seen (known and new,
/// sorted by key): bundles are listed only when a workspace has one.
pub fn catalogue(seen_keys: impl IntoIterator<Item = String>) -> Vec<ServiceInfo> {
    let mut out: Vec<ServiceInfo> = KNOWN.iter().map(|s| service_info(s.key)).collect();
    let (bundle_keys, keys): (Vec<String>, Vec<String>) =
        seen_keys.into_iter().partition(|k| bundles::is_bundle(k));
    let unknown: BTreeSet<String> = keys
        .into_iter()
        .map(|k| wire::normalize_key(&k))
        .filter(|k| !k.is_empty() && lookup(k).is_none())
        .collect();
    out.extend(unknown.iter().map(|k| service_info(k)));
    let seen_bundles: BTreeSet<String> = bundle_keys
        .iter()
        .filter_map(|k| bundles::bundle_name(k))
        .map(|n| bundles::bundle_key(&n))
        .collect();
    out.extend(seen_bundles.iter().map(|k| service_info(k)));
    out
}

/// A readable name for a camelCase key: words split at case changes and digits, each
/// capitalised ("aiAssistantPlus" → "Ai Assistant Plus", "module3" → "Module 3").
pub fn name_from_key(key: &str) -> String {
    let key = wire::normalize_key(key);
    let mut words: Vec<String> = Vec::new();
    let mut prev: Option<char> = None;
    for c in key.chars() {
        let boundary = match prev {
            None => true,
            Some(p) => {
                // A digit run starts a word after a lower-case word ("module3") but stays with
                // a capital ("swgV2"); a letter after digits starts a new word.
                (c.is_uppercase() && !p.is_uppercase())
                    || (c.is_ascii_digit() && p.is_lowercase())
                    || (c.is_alphabetic() && p.is_ascii_digit())
            }
        };
        match words.last_mut() {
            Some(word) if !boundary => word.push(c),
            _ => words.push(c.to_string()),
        }
        prev = Some(c);
    }
    words
        .iter()
        .map(|w| {
            let mut chars = w.chars();
            match chars.next() {
                Some(first) => first.to_uppercase().chain(chars).collect(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_from_keys() {
        let cases = [
            ("camel", "aiAssistantPlus", "Ai Assistant Plus"),
            ("upper snake", "AI_ASSISTANT_PLUS", "Ai Assistant Plus"),
            ("single word", "insights", "Insights"),
            ("digits after a capital", "swgV2", "Swg V2"),
            ("letters after digits", "module3beta", "Module 3 Beta"),
            ("trailing digits", "module3", "Module 3"),
            ("acronym run", "ztnaXYZ", "Ztna XYZ"),
            ("empty", "", ""),
        ];
        for (case, key, want) in cases {
            assert_eq!(name_from_key(key), want, "{case}");
        }
    }

    #[test]
    fn lookups() {
        let cases = [
            ("known camel", "edr", Some(("EDR", Unit::Device))),
            (
                "known shouting",
                "EMAIL_SECURITY",
                Some(("Email Security", Unit::User)),
            ),
            (
                "known kebab",
                "wifi-phishing",
                Some(("WiFi Phishing", Unit::Device)),
            ),
            ("unknown", "aiAssistantPlus", None),
        ];
        for (case, key, want) in cases {
            assert_eq!(
                lookup(key).map(|s| (s.name, s.default_unit)),
                want,
                "{case}"
            );
        }
        assert_eq!(default_unit("aiAssistantPlus"), UNKNOWN_DEFAULT_UNIT);
        assert_eq!(default_unit("mdm"), Unit::Device);
    }

    #[test]
    fn catalogue_keeps_every_known_and_adds_unknown_keys() {
        let seen = [
            "edr",
            "aiAssistantPlus",
            "AI_ASSISTANT_PLUS",
            " ",
            "coroInsights",
        ];
        let cat = catalogue(seen.iter().map(|s| s.to_string()));
        assert_eq!(cat.len(), KNOWN.len() + 2);
        assert!(cat[..KNOWN.len()].iter().all(|s| s.known));
        let extra: Vec<(&str, &str, Unit, bool)> = cat[KNOWN.len()..]
            .iter()
            .map(|s| (s.key.as_str(), s.name.as_str(), s.default_unit, s.known))
            .collect();
        assert_eq!(
            extra,
            vec![
                ("aiAssistantPlus", "Ai Assistant Plus", Unit::User, false),
                ("coroInsights", "Coro Insights", Unit::User, false),
            ]
        );
        assert_eq!(catalogue(Vec::new()).len(), KNOWN.len());
    }

    #[test]
    fn seen_bundles_follow_the_services_known_by_name_new_ones_flagged() {
        let seen = [
            "bundle:CORO_AI_ENDPOINT",
            "aiAssistantPlus",
            "bundle:coroComplete",
            "bundle:CORO_COMPLETE",
            "edr",
        ];
        let cat = catalogue(seen.iter().map(|s| s.to_string()));
        let tail: Vec<(&str, &str, Unit, bool)> = cat[KNOWN.len()..]
            .iter()
            .map(|s| (s.key.as_str(), s.name.as_str(), s.default_unit, s.known))
            .collect();
        assert_eq!(
            tail,
            vec![
                ("aiAssistantPlus", "Ai Assistant Plus", Unit::User, false),
                (
                    "bundle:coroAiEndpoint",
                    "Coro Ai Endpoint (bundle)",
                    Unit::User,
                    false
                ),
                (
                    "bundle:coroComplete",
                    "Coro Complete (bundle)",
                    Unit::User,
                    true
                ),
            ]
        );
        assert_eq!(default_unit("bundle:CORO_ESSENTIALS"), Unit::Max);
        assert_eq!(default_unit("bundle:somethingNew"), UNKNOWN_DEFAULT_UNIT);
    }
}
