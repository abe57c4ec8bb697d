//! The usage answer in each shape the simulated Coro can serve (issue 13, item 5): the page, a
//! bare array and a bare record read the same counts; a malformed answer fails that workspace
//! alone, at once, with the operator's message, and no count is taken from a fallback total.

use std::collections::HashMap;

use psa_bridge::coro::client::CoroError;
use psa_bridge::coro::shape::UNEXPECTED_USAGE_SHAPE;
use psa_bridge::coro::wire;
use psa_bridge::sandbox::coro::UsageShape;
use psa_bridge::sandbox::{self, SandboxOptions};

fn set_shape(sb: &sandbox::Sandbox, ws: Option<&str>, shape: UsageShape) {
    let mut st = sb.coro.state.lock().expect("state");
    st.usage_shapes.insert(ws.map(str::to_string), shape);
}

#[tokio::test]
async fn every_accepted_shape_reads_the_same_counts_and_a_malformed_one_fails_alone() {
    let sb = sandbox::start(SandboxOptions::default()).await.unwrap();
    let c = crate::sandbox_client(&sb);
    let ids: Vec<String> = sb.world.customers[..3]
        .iter()
        .map(|c| c.workspace_id.clone())
        .collect();
    let page = c.usage(&ids, &HashMap::new()).await;
    for shape in [UsageShape::Array, UsageShape::Object] {
        set_shape(&sb, None, shape);
        let other = c.usage(&ids, &HashMap::new()).await;
        assert_eq!(other.workspaces, page.workspaces, "{shape:?}");
    }
    set_shape(&sb, None, UsageShape::Page);
    set_shape(&sb, Some(&ids[1]), UsageShape::Malformed);
    sb.coro.gate.clear_requests();
    let report = c.usage(&ids, &HashMap::new()).await;
    assert_eq!(report.workspaces[0], page.workspaces[0]);
    assert_eq!(report.workspaces[2], page.workspaces[2]);
    match &report.workspaces[1].counts {
        Err(e @ CoroError::UsageShape { workspace, .. }) => {
            assert_eq!(workspace, &ids[1]);
            let text = e.to_string();
            assert!(text.starts_with(UNEXPECTED_USAGE_SHAPE), "{text}");
            assert!(text.contains("no `moduleStatistics`"), "{text}");
        }
        other => panic!("malformed usage read as {other:?}"),
    }
    // Read once (no retries), and neither list was counted as a fallback.
    let reqs = sb.coro.gate.requests();
    let of = |path: &str| {
        reqs.iter()
            .filter(|r| r.path == path && r.headers.values().any(|v| v == ids[1].as_str()))
            .count()
    };
    assert_eq!(of(wire::USAGE_PATH), 1, "{reqs:?}");
    assert_eq!(of(wire::USERS_PATH) + of(wire::DEVICES_PATH), 0);
}
