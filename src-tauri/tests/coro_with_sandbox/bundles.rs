//! Bundles read from the simulated Coro (moved from `src/coro/bundles.rs`).

use std::collections::{BTreeSet, HashMap};

use psa_bridge::coro::bundles::is_bundle;
use psa_bridge::coro::usage::CountSource;
use psa_bridge::model::Unit;
use psa_bridge::sandbox::{self, SandboxOptions};

/// Against the simulated Coro: a workspace's bundles are billable sources counted on the
/// workspace totals, and bundleInfo says what each documented bundle includes (an unknown
/// bundle fails alone).
#[tokio::test]
async fn sandbox_bundles_are_counted_and_described() {
    let sb = sandbox::start(SandboxOptions::default()).await.unwrap();
    let c = crate::sandbox_client(&sb);
    let ids: Vec<String> = sb.world.customers[..4]
        .iter()
        .map(|c| c.workspace_id.clone())
        .collect();
    let report = c.usage(&ids, &HashMap::new()).await;
    let want = [
        Some(("bundle:coroComplete", Unit::User)),
        Some(("bundle:coroEssentials", Unit::Max)),
        Some(("bundle:coroAiEndpoint", Unit::User)),
        None,
    ];
    for (i, read) in report.workspaces.iter().enumerate() {
        let counts = read.counts.as_ref().unwrap();
        let found: Vec<_> = counts
            .services
            .iter()
            .filter(|s| is_bundle(&s.key))
            .collect();
        let cust = &sb.world.customers[i];
        match want[i] {
            Some((key, unit)) => {
                assert_eq!(found.len(), 1, "{found:?}");
                let s = found[0];
                assert_eq!((s.key.as_str(), s.unit), (key, unit));
                let n = match unit {
                    Unit::User => cust.users,
                    Unit::Device => cust.devices,
                    Unit::Max => cust.users.max(cust.devices),
                };
                assert_eq!(s.quantity, Some(u64::from(n)), "{key}");
                assert_eq!(s.source, Some(CountSource::Workspace));
            }
            None => assert!(found.is_empty(), "{found:?}"),
        }
    }

    let before = c.request_count();
    let names: BTreeSet<String> = ["coroComplete", "SASE", "coroAiEndpoint"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    let got = c.bundle_contents(&names).await;
    assert_eq!(
        c.request_count() - before,
        3,
        "one bundleInfo request per bundle"
    );
    let complete = got["coroComplete"].as_ref().unwrap();
    assert!(
        complete.contains("edr") && complete.contains("emailSecurity"),
        "{complete:?}"
    );
    assert!(!complete.contains("managedService"));
    let sase = got["sase"].as_ref().unwrap();
    assert_eq!(sase.len(), 3, "{sase:?}");
    let unknown = got["coroAiEndpoint"].as_ref().unwrap_err().to_string();
    assert!(unknown.contains("CORO_AI_ENDPOINT"), "{unknown}");
}
