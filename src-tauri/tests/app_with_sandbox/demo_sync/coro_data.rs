//! Coro data conditions over loopback: a count Coro gives no per-service figure for (issue 9,
//! item 5: marked as a fallback) and a workspace archived, deactivated or removed between runs
//! (the sandbox control the churn rules are tested with).

use serde_json::{json, Value};

use super::{connected, syncable, Connected};
use psa_bridge::app::coro::CoroSource;
use psa_bridge::model::WorkspaceId;
use psa_bridge::sync::gather::{ServiceQuery, UsageSource};

async fn post(w: &Connected, control: &str, body: Value) {
    let resp = reqwest::Client::new()
        .post(format!("{}/_sandbox/{control}", w.sb.info.coro.url))
        .json(&body)
        .send()
        .await
        .expect("control");
    assert!(
        resp.status().is_success(),
        "{control} {body}: {}",
        resp.status()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_count_without_its_own_figure_is_marked_as_a_fallback() {
    let w = connected().await;
    let pairs = w.pairs();
    let target = syncable(&pairs)
        .find(|p| p.coro > 0)
        .cloned()
        .expect("a counted pair");
    let other = syncable(&pairs)
        .find(|p| p.workspace == target.workspace && p.service != target.service && p.coro > 0)
        .cloned()
        .expect("a second counted service in the workspace");
    let body =
        json!({"workspaceId": target.workspace, "service": target.service, "reported": false});
    post(&w, "module-statistics", body).await;
    let (devices, users) = {
        let st = w.sb.coro.state.lock().expect("coro state");
        let ws = st.workspace(&target.workspace).expect("workspace");
        (i64::from(ws.devices), i64::from(ws.users))
    };
    let source = CoroSource {
        ctx: &w.ctx,
        client: psa_bridge::app::coro::client(&w.ctx).expect("coro client"),
    };
    let ws = WorkspaceId(target.workspace.clone());
    let services: Vec<ServiceQuery> = [&target.service, &other.service]
        .iter()
        .map(|k| ServiceQuery {
            service_key: (*k).clone(),
            unit: None,
        })
        .collect();
    let report = source
        .usage(std::slice::from_ref(&ws), &services)
        .await
        .expect("usage");
    let why = report
        .fallback
        .get(&(ws.clone(), target.service.clone()))
        .unwrap_or_else(|| panic!("not marked: {:?}", report.fallback));
    let total = if why.contains("protected devices") {
        devices
    } else {
        users
    };
    assert!(why.contains("Coro gave no per-service count"), "{why}");
    assert!(why.contains(&format!("{total} protected")), "{why}");
    assert_eq!(
        report.counts[&(ws.clone(), target.service.clone())],
        Ok(total)
    );
    assert!(
        !report.fallback.contains_key(&(ws, other.service.clone())),
        "a service's own figure is no fallback"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn workspaces_can_be_archived_deactivated_or_removed_between_runs() {
    let w = connected().await;
    let pairs = w.pairs();
    let target = syncable(&pairs).next().cloned().expect("a pair");
    let client = psa_bridge::app::coro::client(&w.ctx).expect("coro client");
    let find = |list: Vec<psa_bridge::coro::workspaces::CoroWorkspace>| {
        list.into_iter().find(|x| x.id == target.workspace)
    };
    let before = find(client.workspaces().await.expect("list")).expect("listed");
    assert!(!before.archived && before.billable, "{before:?}");
    for status in ["ARCHIVED", "INACTIVE"] {
        let body = json!({"workspaceId": target.workspace, "status": status});
        post(&w, "workspace-status", body).await;
        let now = find(client.workspaces().await.expect("list")).expect("still listed");
        assert!(!now.billable, "{status}: {now:?}");
        assert_eq!(now.status, status.to_ascii_lowercase(), "{now:?}");
    }
    let body = json!({"workspaceId": target.workspace, "status": "gone"});
    post(&w, "workspace-status", body).await;
    assert!(find(client.workspaces().await.expect("list")).is_none());
}
