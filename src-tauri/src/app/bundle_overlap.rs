//! Which mapped lines of one company likely bill the same thing twice: a mapped Coro bundle the
//! workspace has, and a mapped module or add-on in use there that the bundle includes (Coro's
//! bundleInfo). Read at most once per sync and per bundle, and only for bundles that sit beside
//! a mapped module somewhere. A bundle whose contents cannot be read holds its workspace's
//! mapped modules with it: PSA Bridge does not guess.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use crate::coro::bundles;
use crate::coro::catalog;
use crate::coro::client::CoroClient;
use crate::model::WorkspaceId;

/// Per workspace: the mapped keys in use there (modules, add-ons and `bundle:` keys).
pub type InUse = Vec<(WorkspaceId, BTreeSet<String>)>;

/// Per bundle name: the module and add-on keys it includes, or why that is unknown.
pub type Contents = BTreeMap<String, Result<BTreeSet<String>, String>>;

/// Bundle names worth asking about: mapped, in use, beside a mapped module in use.
pub fn bundles_to_check(in_use: &InUse) -> BTreeSet<String> {
    in_use
        .iter()
        .filter(|(_, keys)| keys.iter().any(|k| !bundles::is_bundle(k)))
        .flat_map(|(_, keys)| keys.iter().filter_map(|k| bundles::bundle_name(k)))
        .collect()
}

/// Pure: the hold reason of every overlapping (workspace, key), e.g. "likely double billing:
/// Coro Complete (bundle) includes EDR". A line overlapping several others gets each reason.
pub fn overlaps(in_use: &InUse, contents: &Contents) -> HashMap<(WorkspaceId, String), String> {
    let mut out: HashMap<(WorkspaceId, String), Vec<String>> = HashMap::new();
    for (ws, keys) in in_use {
        let modules: Vec<&String> = keys.iter().filter(|k| !bundles::is_bundle(k)).collect();
        for bundle in keys.iter().filter(|k| bundles::is_bundle(k)) {
            let Some(name) = bundles::bundle_name(bundle) else {
                continue;
            };
            let b = catalog::service_info(bundle).name;
            let pairs: Vec<(&String, String)> = match contents.get(&name) {
                Some(Ok(inside)) => modules
                    .iter()
                    .filter(|m| inside.contains(m.as_str()))
                    .map(|m| {
                        let name = catalog::service_info(m).name;
                        (*m, format!("likely double billing: {b} includes {name}"))
                    })
                    .collect(),
                Some(Err(why)) => modules
                    .iter()
                    .map(|m| {
                        let name = catalog::service_info(m).name;
                        (
                            *m,
                            format!(
                                "possible double billing: what {b} includes could not be read \
                                 ({why}), so it may include {name}"
                            ),
                        )
                    })
                    .collect(),
                None => Vec::new(),
            };
            for (module, why) in pairs {
                out.entry((ws.clone(), module.clone()))
                    .or_default()
                    .push(why.clone());
                out.entry((ws.clone(), bundle.clone()))
                    .or_default()
                    .push(why);
            }
        }
    }
    out.into_iter()
        .map(|(k, mut v)| {
            v.dedup();
            (k, v.join("; "))
        })
        .collect()
}

/// Reads what the needed bundles include (one bundleInfo request each) and returns the
/// overlaps.
pub async fn check(client: &CoroClient, in_use: &InUse) -> HashMap<(WorkspaceId, String), String> {
    let wanted = bundles_to_check(in_use);
    if wanted.is_empty() {
        return HashMap::new();
    }
    let contents: Contents = client
        .bundle_contents(&wanted)
        .await
        .into_iter()
        .map(|(name, got)| (name, got.map_err(|e| e.to_string())))
        .collect();
    overlaps(in_use, &contents)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ws(id: &str, keys: &[&str]) -> (WorkspaceId, BTreeSet<String>) {
        (
            WorkspaceId(id.into()),
            keys.iter().map(|k| k.to_string()).collect(),
        )
    }

    fn set(keys: &[&str]) -> BTreeSet<String> {
        keys.iter().map(|k| k.to_string()).collect()
    }

    #[test]
    fn a_bundle_and_a_module_it_includes_are_both_held() {
        let in_use = vec![
            ws("both", &["bundle:coroComplete", "edr", "mdm"]),
            ws("bundle_only", &["bundle:coroComplete"]),
            ws("module_only", &["edr"]),
            ws("unreadable", &["bundle:coroAiEndpoint", "emailSecurity"]),
        ];
        assert_eq!(
            bundles_to_check(&in_use),
            set(&["coroAiEndpoint", "coroComplete"])
        );
        let contents: Contents = BTreeMap::from([
            (
                "coroComplete".to_string(),
                Ok(set(&["edr", "emailSecurity"])),
            ),
            (
                "coroAiEndpoint".to_string(),
                Err("400 unknown bundle".into()),
            ),
        ]);
        let got = overlaps(&in_use, &contents);
        let key = |w: &str, k: &str| (WorkspaceId(w.into()), k.to_string());
        let why = "likely double billing: Coro Complete (bundle) includes EDR";
        assert_eq!(got.get(&key("both", "edr")).map(String::as_str), Some(why));
        assert_eq!(
            got.get(&key("both", "bundle:coroComplete"))
                .map(String::as_str),
            Some(why)
        );
        assert!(!got.contains_key(&key("both", "mdm")), "not in the bundle");
        assert!(!got.contains_key(&key("bundle_only", "bundle:coroComplete")));
        assert!(!got.contains_key(&key("module_only", "edr")));
        let unreadable = &got[&key("unreadable", "emailSecurity")];
        assert!(
            unreadable.contains("could not be read (400 unknown bundle)"),
            "{unreadable}"
        );
        assert!(got.contains_key(&key("unreadable", "bundle:coroAiEndpoint")));
        assert_eq!(got.len(), 4);
    }

    #[test]
    fn a_bundle_overlapping_two_modules_names_both() {
        let in_use = vec![ws("a", &["bundle:sase", "network", "ztna"])];
        let contents: Contents =
            BTreeMap::from([("sase".to_string(), Ok(set(&["network", "ztna"])))]);
        let got = overlaps(&in_use, &contents);
        let both = &got[&(WorkspaceId("a".into()), "bundle:sase".to_string())];
        assert!(
            both.contains("includes Network") && both.contains("includes ZTNA"),
            "{both}"
        );
    }
}
