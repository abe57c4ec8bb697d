//! Tokens, the Workspace header's scope, paging, the nested tree, usage and subscriptions.

use super::*;

#[tokio::test]
async fn token_flow_and_errors() {
    let world = World::new(42, 14, 40);
    let s = start(&world, Behaviour::default()).await;
    let res = s.token_response(DEMO_CLIENT_ID, DEMO_CLIENT_SECRET).await;
    assert_eq!(res.status(), 200);
    let body: TokenResponse = res.json().await.unwrap();
    assert_eq!(body.token_type.as_deref(), Some("Bearer"));
    assert_eq!(body.expires_in, Some(86_400));

    let wrong = s.token_response(DEMO_CLIENT_ID, "nope").await;
    assert_eq!(wrong.status(), 401);
    let err: ErrorBody = wrong.json().await.unwrap();
    assert_eq!(err.error.as_deref(), Some("access_denied"));
    assert_eq!(
        s.token_response("stranger", DEMO_CLIENT_SECRET)
            .await
            .status(),
        401
    );

    let url = format!("{}{}", s.url, wire::TOKEN_PATH);
    let bad = s
        .http
        .post(&url)
        .header("Content-Type", "application/json")
        .body("{")
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let grant = s
        .http
        .post(&url)
        .json(&json!({"client_id": DEMO_CLIENT_ID, "client_secret": DEMO_CLIENT_SECRET, "grant_type": "password"}))
        .send()
        .await
        .unwrap();
    assert_eq!(grant.status(), 400);
    let form = s
        .http
        .post(&url)
        .header("Content-Type", "application/x-www-form-urlencoded")
        .body("grant_type=client_credentials")
        .send()
        .await
        .unwrap();
    assert_eq!(form.status(), 400);
    let audience = s
        .http
        .post(&url)
        .json(&json!({"client_id": DEMO_CLIENT_ID, "client_secret": DEMO_CLIENT_SECRET,
                      "grant_type": "client_credentials", "audience": "https://secure.coro.net/api"}))
        .send()
        .await
        .unwrap();
    assert_eq!(audience.status(), 403);

    // The gate logs bodies verbatim (so the demo secret is in the log) and paths relative to
    // the base.
    let log = s.handle.gate.requests();
    assert_eq!(log[0].path, "/oauth/token");
    assert_eq!(
        log[0].body["client_secret"], "***",
        "the request log never holds a secret"
    );
    assert_eq!(s.handle.demo.region, s.url);
    assert_eq!(s.handle.demo.channel, world.channel_id);
}

#[tokio::test]
async fn workspace_header_and_scope() {
    let world = World::new(42, 14, 40);
    let s = start(&world, Behaviour::default()).await;
    let t = s.token().await;
    assert_eq!(
        s.get(wire::WORKSPACES_PATH, &t, None, &[]).await.status(),
        400
    );
    assert_eq!(
        s.get(wire::WORKSPACES_PATH, "bogus", Some(&world.channel_id), &[])
            .await
            .status(),
        401
    );
    assert_eq!(
        s.get(wire::WORKSPACES_PATH, &t, Some(FOREIGN_CHILD_ID), &[])
            .await
            .status(),
        403
    );
    assert_eq!(
        s.get(wire::WORKSPACES_PATH, &t, Some(FOREIGN_CHANNEL_ID), &[])
            .await
            .status(),
        403
    );
    let missing = s
        .get(wire::WORKSPACES_PATH, &t, Some("nobody_0000_x"), &[])
        .await;
    assert_eq!(missing.status(), 404);
    assert!(missing.headers().contains_key(wire::TRACE_ID_HEADER));
    let err: ErrorBody = missing.json().await.unwrap();
    assert_eq!(err.code.as_deref(), Some(error_code::NOT_FOUND));

    let root: Workspace = serde_json::from_value(
        s.get_json(wire::WORKSPACES_PATH, &t, &world.channel_id, &[])
            .await,
    )
    .unwrap();
    assert_eq!(root.kind(), Some(WorkspaceType::Channel));
    assert!(root.child_ids().contains(&SUB_CHANNEL_ID));
    assert!(!wire::read::is_billable(&root, true));
    // A grandchild is reachable with the root channel's credential.
    let grandchild = &world.customers[3];
    let body = s
        .get_json(wire::WORKSPACES_PATH, &t, &grandchild.workspace_id, &[])
        .await;
    let (items, _) = wire::read::parse_list::<Workspace>(body).unwrap();
    assert_eq!(items[0].name(), Some(grandchild.name.as_str()));
    assert_eq!(
        items[0].parent_workspace_id.as_deref(),
        Some(SUB_CHANNEL_ID)
    );
    // Query parameters outside the wire contract are refused.
    let res = s
        .get(
            wire::DEVICES_PATH,
            &t,
            Some(&grandchild.workspace_id),
            &[("pageSize", "5".into())],
        )
        .await;
    assert_eq!(res.status(), 400);
}

#[tokio::test]
async fn search_paging_reads_every_workspace_once() {
    let world = World::new(9, 500, 600);
    let s = start(&world, Behaviour::default()).await;
    let t = s.token().await;
    let found = s.walk(&t, &world.channel_id).await;
    let ids: Vec<String> = found.iter().map(|w| w.id.clone().unwrap()).collect();
    let unique: HashSet<&String> = ids.iter().collect();
    assert_eq!(ids.len(), 500);
    assert_eq!(unique.len(), 500);
    let expected: HashSet<&String> = world.customers.iter().map(|c| &c.workspace_id).collect();
    assert_eq!(unique, expected);
    // Default page size applies without `size`; oversized pages are capped.
    let body = s
        .get_json(wire::WORKSPACES_SEARCH_PATH, &t, &world.channel_id, &[])
        .await;
    assert_eq!(
        body["items"].as_array().unwrap().len(),
        wire::DEFAULT_PAGE_SIZE as usize
    );
    let body = s
        .get_json(
            wire::WORKSPACES_SEARCH_PATH,
            &t,
            &world.channel_id,
            &wire::page_query(0, 5000),
        )
        .await;
    assert_eq!(
        body["items"].as_array().unwrap().len(),
        wire::MAX_PAGE_SIZE as usize
    );
    let page_requests = s
        .handle
        .gate
        .requests()
        .iter()
        .filter(|r| r.path == wire::WORKSPACES_SEARCH_PATH)
        .count();
    // 376 entries under the root (4 pages) and 125 in the sub-channel (2 pages), plus 2 above.
    assert_eq!(page_requests, 4 + 2 + 2);
}

#[tokio::test]
async fn nested_channel_and_archived_customer() {
    let world = World::new(42, 14, 40);
    let s = start(&world, Behaviour::default()).await;
    let t = s.token().await;
    let top: Vec<Workspace> = s
        .all_pages(wire::WORKSPACES_SEARCH_PATH, &t, &world.channel_id)
        .await;
    let sub = top
        .iter()
        .find(|w| w.id.as_deref() == Some(SUB_CHANNEL_ID))
        .unwrap();
    assert_eq!(sub.kind(), Some(WorkspaceType::Channel));
    let nested: Vec<Workspace> = s
        .all_pages(wire::WORKSPACES_SEARCH_PATH, &t, SUB_CHANNEL_ID)
        .await;
    let nested_ids: Vec<&str> = nested.iter().filter_map(|w| w.id.as_deref()).collect();
    let expected: Vec<&str> = [3, 7, 11]
        .iter()
        .map(|&i| world.customers[i].workspace_id.as_str())
        .collect();
    assert_eq!(nested_ids, expected);
    assert_eq!(sub.child_ids(), expected);
    assert!(nested
        .iter()
        .all(|w| w.parent_workspace_id.as_deref() == Some(SUB_CHANNEL_ID)));

    let all = s.walk(&t, &world.channel_id).await;
    let archived: Vec<&Workspace> = all.iter().filter(|w| wire::read::is_archived(w)).collect();
    assert_eq!(archived.len(), 1);
    let quirky = world
        .customers
        .iter()
        .find(|c| c.quirk == Quirk::Archived)
        .unwrap();
    assert_eq!(
        archived[0].id.as_deref(),
        Some(quirky.workspace_id.as_str())
    );
    assert_eq!(
        all.iter()
            .filter(|w| wire::read::is_billable(w, false))
            .count(),
        13
    );
    // companyName carries the full name; displayName is cut to the console's 30 characters.
    for w in &all {
        let c = world
            .customers
            .iter()
            .find(|c| Some(c.workspace_id.as_str()) == w.id.as_deref())
            .unwrap();
        assert_eq!(w.name(), Some(c.name.as_str()));
        let short: String = c.name.chars().take(30).collect();
        assert_eq!(w.display_name.as_deref(), Some(short.as_str()));
    }
}

#[tokio::test]
async fn usage_and_subscriptions_match_the_world() {
    let world = World::new(42, 14, 40);
    let s = start(&world, Behaviour::default()).await;
    let t = s.token().await;
    for (i, c) in world.customers.iter().enumerate() {
        let ws = c.workspace_id.as_str();
        let sub: Subscription =
            serde_json::from_value(s.get_json(wire::SUBSCRIPTIONS_PATH, &t, ws, &[]).await)
                .unwrap();
        let enabled = sub.enabled_services();
        let (records, total) = wire::read::parse_list::<WorkspaceUsage>(
            s.get_json(wire::USAGE_PATH, &t, ws, &[]).await,
        )
        .unwrap();
        assert_eq!((records.len(), total), (1, Some(1)));
        assert_eq!(records[0].workspace_id.as_deref(), Some(ws));
        assert_eq!(records[0].protected_devices, Some(u64::from(c.devices)));
        let counts = records[0].module_counts();
        for (si, svc) in SERVICES.iter().enumerate() {
            assert_eq!(
                enabled.contains(svc.key),
                world.subscribes(i, si),
                "{ws} {}",
                svc.key
            );
            if world.subscribes(i, si) {
                let q = counts[svc.key].quantity(svc.per_device);
                assert_eq!(q, Some(u64::from(world.usage(i, si))), "{ws} {}", svc.key);
            } else {
                assert!(!counts.contains_key(svc.key));
            }
        }
        assert_eq!(enabled.contains(UNKNOWN_SERVICE_KEY), i % 3 == 0);
        assert_eq!(counts.contains_key(UNKNOWN_SERVICE_KEY), i % 3 == 0);

        let devices: Page<Device> = serde_json::from_value(
            s.get_json(wire::DEVICES_PATH, &t, ws, &wire::page_query(0, 1))
                .await,
        )
        .unwrap();
        assert_eq!(devices.total_elements, Some(u64::from(c.devices)));
        assert!(devices.items[0].is_licensed());
        let users: Page<ProtectedUser> = serde_json::from_value(
            s.get_json(wire::USERS_PATH, &t, ws, &wire::page_query(0, 1))
                .await,
        )
        .unwrap();
        assert_eq!(users.total_elements, Some(u64::from(c.users)));
    }
    // Paging a device list yields every device exactly once.
    let c0 = &world.customers[0];
    let all: Vec<Device> = s.all_pages(wire::DEVICES_PATH, &t, &c0.workspace_id).await;
    let codes: HashSet<String> = all
        .iter()
        .filter_map(|d| d.enrollment_code.clone())
        .collect();
    assert_eq!(codes.len(), c0.devices as usize);
    // Channel-scoped usage lists every descendant child workspace.
    let all_usage: Vec<WorkspaceUsage> = s.all_pages(wire::USAGE_PATH, &t, &world.channel_id).await;
    assert_eq!(all_usage.len(), 14);
}
