//! The Coro client reads the contract fixtures (`src-tauri/contract/coro`), the answers the
//! simulated Coro is held to as well: what the client makes of each is pinned here, with the
//! client's own types only.

use serde_json::Value;

use super::wire::{self, ErrorBody, Page, Subscription, TokenResponse, Workspace, WorkspaceUsage};

fn fixture(name: &str) -> Value {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("contract/coro")
        .join(name);
    let text = std::fs::read_to_string(&path).expect("contract fixture");
    serde_json::from_str(&text).expect("contract fixture is JSON")
}

#[test]
fn token_and_errors() {
    let t: TokenResponse = serde_json::from_value(fixture("token.json")).unwrap();
    assert!(t.access_token.is_some());
    assert_eq!(t.token_type.as_deref(), Some("Bearer"));
    assert_eq!(t.lifetime_secs(), 86_400);
    let e: ErrorBody = serde_json::from_value(fixture("token_error.json")).unwrap();
    assert_eq!(e.describe().as_deref(), Some("Unauthorized"));
    let e: ErrorBody = serde_json::from_value(fixture("error.json")).unwrap();
    assert_eq!(
        e.describe().as_deref(),
        Some("The workspace is outside this credential's channel")
    );
}

#[test]
fn workspaces_one_and_a_page() {
    let (one, total) = wire::parse_list::<Workspace>(fixture("workspace_channel.json")).unwrap();
    assert_eq!(total, None);
    assert_eq!(one.len(), 1);
    assert_eq!(one[0].kind(), Some(wire::WorkspaceType::Channel));
    assert_eq!(
        one[0].child_ids(),
        vec!["acmedental_A1B2_d", "brightpathwest_W3ST_c"]
    );
    assert!(!wire::is_billable(&one[0], true));

    let (items, total) = wire::parse_list::<Workspace>(fixture("workspaces_search.json")).unwrap();
    assert_eq!(total, Some(2));
    let child = &items[0];
    assert_eq!(child.name(), Some("Acme Dental Group"));
    assert_eq!(child.kind(), Some(wire::WorkspaceType::Child));
    assert_eq!(child.status(), Some(wire::WorkspaceStatus::Subscription));
    assert!(wire::is_billable(child, false));
    assert_eq!(child.protected_devices, Some(42));
    assert_eq!(items[1].kind(), Some(wire::WorkspaceType::Channel));
    assert_eq!(items[1].child_ids(), vec!["harborlaw_H8L2_d"]);
    assert!(!wire::has_more(items.len(), items.len() as u64, total));
}

#[test]
fn subscriptions_and_usage() {
    let s: Subscription = serde_json::from_value(fixture("subscriptions.json")).unwrap();
    let on: Vec<String> = s.enabled_services().into_iter().collect();
    assert_eq!(on, vec!["edr".to_string(), "endpointSecurity".to_string()]);

    let (records, total) = wire::parse_list::<WorkspaceUsage>(fixture("usage.json")).unwrap();
    assert_eq!(total, Some(1));
    let u = &records[0];
    assert_eq!(u.workspace_id.as_deref(), Some("acmedental_A1B2_d"));
    let counts = u.module_counts();
    let es = &counts["endpointSecurity"];
    assert_eq!(es.quantity(true), Some(42));
    assert_eq!(es.quantity(false), Some(37));
    assert_eq!(counts["edr"].quantity(true), Some(40));
}

#[test]
fn devices_and_users() {
    let d: Page<wire::Device> = serde_json::from_value(fixture("devices.json")).unwrap();
    assert_eq!(d.total_elements, Some(42));
    assert!(d.items[0].is_licensed());
    assert_eq!(d.items[0].enrollment_code.as_deref(), Some("ENR-0001"));
    let u: Page<wire::ProtectedUser> = serde_json::from_value(fixture("users.json")).unwrap();
    assert_eq!(u.total_elements, Some(37));
    assert_eq!(u.items.len(), 1);
}
