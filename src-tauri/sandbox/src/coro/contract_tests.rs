//! The simulated Coro answers in the shape of the contract fixtures (`src-tauri/contract/coro`),
//! which the product's client tests parse: the two sides agree through these files, not through
//! shared types.

use serde_json::Value;

use super::tests::{start, Running};
use super::*;
use crate::contract::{conforms, fixture};

/// The first customer with devices, users and at least one enabled service.
fn busy_customer(world: &World) -> String {
    world
        .customers
        .iter()
        .find(|c| c.devices > 0 && c.users > 0)
        .map(|c| c.workspace_id.clone())
        .expect("the demo world has a customer with devices and users")
}

async fn get(s: &Running, token: &str, path: &str, ws: &str, query: &[(&str, String)]) -> Value {
    s.get_json(path, token, ws, query).await
}

#[tokio::test]
async fn every_answer_has_the_fixtures_shape() {
    let world = World::new(7, 14, 40);
    let s = start(&world, Behaviour::default()).await;
    let token = s.token().await;
    let ws = busy_customer(&world);
    let page = wire::page_query(0, wire::MAX_PAGE_SIZE);

    let token_body: Value = s
        .token_response(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET)
        .await
        .json()
        .await
        .unwrap();
    let bad_token: Value = s
        .token_response(DEMO_CLIENT_ID, "not-the-secret")
        .await
        .json()
        .await
        .unwrap();
    let forbidden: Value = s
        .get(wire::WORKSPACES_PATH, &token, Some(FOREIGN_CHILD_ID), &[])
        .await
        .json()
        .await
        .unwrap();
    let cases = [
        ("coro/token.json", token_body),
        ("coro/token_error.json", bad_token),
        ("coro/error.json", forbidden),
        (
            "coro/workspace_channel.json",
            get(&s, &token, wire::WORKSPACES_PATH, &world.channel_id, &[]).await,
        ),
        (
            "coro/workspaces_search.json",
            get(
                &s,
                &token,
                wire::WORKSPACES_SEARCH_PATH,
                &world.channel_id,
                &page,
            )
            .await,
        ),
        (
            "coro/subscriptions.json",
            get(&s, &token, wire::SUBSCRIPTIONS_PATH, &ws, &[]).await,
        ),
        (
            "coro/usage.json",
            get(&s, &token, wire::USAGE_PATH, &ws, &page).await,
        ),
        (
            "coro/devices.json",
            get(&s, &token, wire::DEVICES_PATH, &ws, &page).await,
        ),
        (
            "coro/users.json",
            get(&s, &token, wire::USERS_PATH, &ws, &page).await,
        ),
    ];
    let mut problems = Vec::new();
    for (name, got) in &cases {
        for p in conforms(&fixture(name), got, &["modules", "moduleStatistics"]) {
            problems.push(format!("{name}: {p}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The check itself fails on a missing key, a wrong type and an empty list.
#[test]
fn the_shape_check_can_fail() {
    let want = serde_json::json!({"items": [{"id": "a", "n": 1}], "total": 1});
    assert!(conforms(
        &want,
        &serde_json::json!({"items": [{"id": "b", "n": 2}], "total": 3}),
        &[]
    )
    .is_empty());
    assert_eq!(
        conforms(
            &want,
            &serde_json::json!({"items": [{"id": "b"}], "total": 1}),
            &[]
        )
        .len(),
        1
    );
    assert_eq!(
        conforms(
            &want,
            &serde_json::json!({"items": [{"id": 1, "n": 2}], "total": 1}),
            &[]
        )
        .len(),
        1
    );
    assert_eq!(
        conforms(&want, &serde_json::json!({"items": [], "total": 0}), &[]).len(),
        1
    );
}
