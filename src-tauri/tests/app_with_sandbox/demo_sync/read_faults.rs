//! Transient read faults never end a run (issue 9, item 1), end to end: the sandbox answers a
//! chosen read with a `200` cut in half, once or every time.

use std::collections::HashMap;

use serde_json::json;

use super::{arm, connected, needs_change, syncable, Connected, Pair};
use psa_bridge::app::coro::CoroSource;
use psa_bridge::model::WorkspaceId;
use psa_bridge::sync::gather::{ServiceQuery, UsageSource};
use psa_bridge::sync::Action;

/// Every syncable pair outside `except` holds Coro's count; returns how many were checked.
fn converged(after: &[Pair], except: impl Fn(&Pair) -> bool) -> usize {
    let mut checked = 0;
    for p in syncable(after).filter(|p| !except(p)) {
        let (_, addition, q) = p.line.unwrap_or_default();
        assert_eq!(
            q, p.coro,
            "addition {addition} of {}/{}",
            p.workspace, p.service
        );
        checked += 1;
    }
    assert!(checked >= 10, "only {checked} pairs checked");
    checked
}

fn gets_of(w: &Connected, path: &str) -> usize {
    w.sb.connectwise
        .gate
        .requests()
        .iter()
        .filter(|r| r.method == "GET" && r.path == path)
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_truncated_additions_page_still_yields_a_correct_first_run() {
    let w = connected().await;
    let target = needs_change(&w.pairs());
    let (agreement, _, _) = target.line.unwrap_or_default();
    let path = format!("/finance/agreements/{agreement}/additions");
    let url = &w.sb.info.connectwise.url;
    arm(
        url,
        json!({"path": path, "kind": "truncate", "next": 1, "method": "GET"}),
    )
    .await;
    w.sync().await;
    assert!(gets_of(&w, &path) >= 2, "the cut-off page was read again");
    converged(&w.pairs(), |_| false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_additions_read_that_keeps_failing_skips_only_that_customer() {
    let w = connected().await;
    let before = w.pairs();
    let target = needs_change(&before);
    let (agreement, _, _) = target.line.unwrap_or_default();
    let path = format!("/finance/agreements/{agreement}/additions");
    let url = &w.sb.info.connectwise.url;
    arm(
        url,
        json!({"path": path, "kind": "truncate", "method": "GET"}),
    )
    .await;
    let result = w.sync().await;
    let after = w.pairs();
    // The customer whose read failed: nothing written, every item says why.
    let untouched: HashMap<_, _> = before
        .iter()
        .filter(|p| p.company == target.company)
        .map(|p| ((&p.workspace, &p.service), p.line))
        .collect();
    for p in after.iter().filter(|p| p.company == target.company) {
        assert_eq!(
            untouched.get(&(&p.workspace, &p.service)),
            Some(&p.line),
            "{p:?}"
        );
    }
    for item in result
        .plan
        .items
        .iter()
        .filter(|i| i.workspace_id.0 == target.workspace && i.product_id.is_some())
    {
        let reason = item.reason.clone().unwrap_or_default();
        assert_eq!(item.action, Action::Skip, "{reason}");
        assert!(reason.contains("could not be read"), "{reason}");
    }
    // Every other customer is synced in the same run.
    converged(&after, |p| p.company == target.company);
}

/// `POST /_sandbox/route-faults` on Coro: usage reads of `workspace` come back cut off.
async fn cut_usage(w: &Connected, workspace: &str, next: Option<u32>) {
    let body =
        json!({"path": "/v1/usage", "workspaceId": workspace, "kind": "truncate", "next": next});
    arm(&w.sb.info.coro.url, body).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_truncated_usage_answer_still_yields_a_correct_first_run() {
    let w = connected().await;
    let target = needs_change(&w.pairs());
    cut_usage(&w, &target.workspace, Some(1)).await;
    w.sync().await;
    let reads =
        w.sb.coro
            .gate
            .requests()
            .iter()
            .filter(|r| {
                r.path == "/v1/usage"
                    && r.headers
                        .get("Workspace")
                        .is_some_and(|v| v == &target.workspace)
            })
            .count();
    assert!(reads >= 2, "the cut-off usage was read again ({reads})");
    converged(&w.pairs(), |_| false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_usage_read_that_keeps_failing_skips_only_that_workspace() {
    let w = connected().await;
    let before = w.pairs();
    let target = needs_change(&before);
    cut_usage(&w, &target.workspace, None).await;
    // The usage source names the workspace whose read failed, and only it.
    let source = CoroSource {
        ctx: &w.ctx,
        client: psa_bridge::app::coro::client(&w.ctx).expect("coro client"),
    };
    let other = before
        .iter()
        .find(|p| p.workspace != target.workspace && p.billed)
        .expect("another workspace");
    let asked = [
        WorkspaceId(target.workspace.clone()),
        WorkspaceId(other.workspace.clone()),
    ];
    let services = [ServiceQuery {
        service_key: target.service.clone(),
        unit: None,
    }];
    let report = source.usage(&asked, &services).await.expect("usage");
    assert_eq!(
        report.failed.keys().collect::<Vec<_>>(),
        vec![&asked[0]],
        "{:?}",
        report.failed
    );
    assert!(report.failed[&asked[0]].contains("the same after 4 tries"));
    assert!(report.counts[&(asked[1].clone(), target.service.clone())].is_ok());
    // And the run syncs everyone else, leaving that workspace's lines as they were.
    w.sync().await;
    let after = w.pairs();
    for (b, a) in before.iter().zip(&after) {
        if a.workspace == target.workspace {
            assert_eq!(a.line, b.line, "{a:?}");
        }
    }
    converged(&after, |p| p.workspace == target.workspace);
}
