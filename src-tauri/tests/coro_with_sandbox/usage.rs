//! Workspaces and usage read from the simulated Coro equal the demo world's (moved from
//! `src/coro/usage.rs`).

use std::collections::HashMap;

use psa_bridge::coro::catalog;
use psa_bridge::coro::client::CoroError;
use psa_bridge::coro::usage::CountSource;
use psa_bridge::sandbox::seed::{Quirk, SERVICES};
use psa_bridge::sandbox::{self, SandboxOptions};

/// Against the in-process simulated Coro: every customer (nested included, archived
/// flagged) and usage equal to the demo world's for every subscribed service.
#[tokio::test]
async fn sandbox_workspaces_and_usage_match_the_world() {
    let sb = sandbox::start(SandboxOptions {
        ..Default::default()
    })
    .await
    .unwrap();
    let c = crate::sandbox_client(&sb);
    assert_eq!(c.check().await.unwrap(), sb.world.channel_name);
    let found = c.workspaces().await.unwrap();
    assert_eq!(found.len(), sb.world.customers.len());
    for (i, cust) in sb.world.customers.iter().enumerate() {
        let w = found.iter().find(|w| w.id == cust.workspace_id).unwrap();
        assert_eq!(w.name, cust.name);
        assert_eq!(w.archived, cust.quirk == Quirk::Archived, "{}", w.id);
        assert_eq!(w.billable, cust.quirk != Quirk::Archived, "{}", w.id);
        if i % 4 == 3 {
            assert_eq!(w.parent_id, sandbox::coro::SUB_CHANNEL_ID);
        }
    }
    let ids: Vec<String> = sb
        .world
        .customers
        .iter()
        .map(|c| c.workspace_id.clone())
        .collect();
    let before = c.request_count();
    let report = c.usage(&ids, &HashMap::new()).await;
    assert_eq!(
        report.requests,
        2 * ids.len() as u64,
        "token cached: two requests per workspace"
    );
    assert_eq!(c.request_count() - before, report.requests);
    for (ci, read) in report.workspaces.iter().enumerate() {
        assert_eq!(read.workspace_id, ids[ci]);
        let counts = read.counts.as_ref().unwrap();
        for (si, svc) in SERVICES.iter().enumerate() {
            let got = counts.services.iter().find(|s| s.key == svc.key);
            if sb.world.subscribes(ci, si) {
                let got = got.unwrap();
                assert_eq!(
                    got.quantity,
                    Some(u64::from(sb.world.usage(ci, si))),
                    "{} {}",
                    ids[ci],
                    svc.key
                );
                assert_eq!(got.source, Some(CountSource::Module));
            } else {
                assert!(got.is_none(), "{} {} not subscribed", ids[ci], svc.key);
            }
        }
        let unknown = counts
            .services
            .iter()
            .find(|s| s.key == sandbox::coro::UNKNOWN_SERVICE_KEY);
        assert_eq!(unknown.is_some(), ci % 3 == 0);
        if let Some(u) = unknown {
            assert!(!catalog::service_info(&u.key).known);
        }
    }
    // A workspace outside the credential's tree fails alone.
    let report = c
        .usage(
            &[ids[0].clone(), sandbox::coro::FOREIGN_CHILD_ID.to_string()],
            &HashMap::new(),
        )
        .await;
    assert!(report.workspaces[0].counts.is_ok());
    assert!(matches!(
        report.workspaces[1].counts,
        Err(CoroError::Forbidden { .. })
    ));
}
