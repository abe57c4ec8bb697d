//! Changed usage, rate limits, expired tokens and forced faults.

use super::*;

#[tokio::test]
async fn usage_control_changes_counts() {
    let world = World::new(42, 14, 40);
    let s = start(&world, Behaviour::default()).await;
    let t = s.token().await;
    let ws = world.customers[0].workspace_id.clone();
    let res = s
        .http
        .post(format!("{}/_sandbox/usage", s.url))
        .json(&json!({"workspaceId": ws, "service": "edr", "count": 777}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    s.handle.set_usage(&ws, "emailSecurity", 5).unwrap();
    let res = s
        .http
        .post(format!("{}/_sandbox/usage", s.url))
        .json(&json!({"workspaceId": ws, "service": "ztna", "count": 0, "enabled": false}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 200);
    let (records, _) =
        wire::read::parse_list::<WorkspaceUsage>(s.get_json(wire::USAGE_PATH, &t, &ws, &[]).await)
            .unwrap();
    let counts = records[0].module_counts();
    assert_eq!(counts["edr"].quantity(true), Some(777));
    assert_eq!(counts["emailSecurity"].quantity(false), Some(5));
    assert!(!counts.contains_key("ztna"));
    let bad = s
        .http
        .post(format!("{}/_sandbox/usage", s.url))
        .json(&json!({"workspaceId": world.channel_id, "service": "edr", "count": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);

    // Controls are not logged; API calls are, with the token masked.
    let log: Vec<Value> = s
        .http
        .get(format!("{}/_sandbox/requests", s.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(log.len(), 2);
    assert_eq!(log[1]["path"], wire::USAGE_PATH);
    assert_eq!(log[1]["headers"]["Authorization"], "Bearer ***");
    assert_eq!(log[1]["headers"]["Workspace"], ws.as_str());
    let del = s
        .http
        .delete(format!("{}/_sandbox/requests", s.url))
        .send()
        .await
        .unwrap();
    assert_eq!(del.status(), 204);
    assert!(s.handle.gate.requests().is_empty());
    let state: Value = s
        .http
        .get(format!("{}/_sandbox/state", s.url))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(state["channelId"], world.channel_id.as_str());
    assert_eq!(
        state["workspaces"][1]["services"]["edr"]["protectedDevices"],
        777
    );
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let world = World::new(42, 14, 40);
    let behaviour = Behaviour {
        rate_limit: 3,
        ..Behaviour::default()
    };
    let s = start(&world, behaviour).await;
    let t = s.token().await;
    for _ in 0..3 {
        assert_eq!(
            s.get(wire::WORKSPACES_PATH, &t, Some(&world.channel_id), &[])
                .await
                .status(),
            200
        );
    }
    let res = s
        .get(wire::WORKSPACES_PATH, &t, Some(&world.channel_id), &[])
        .await;
    assert_eq!(res.status(), 429);
    assert!(res.headers().contains_key(wire::TRACE_ID_HEADER));
    let wait = res.headers().get("Retry-After").unwrap().to_str().unwrap();
    // Delta-seconds (what the sandbox sends).
    let wait = Duration::from_secs(wait.parse().unwrap());
    assert!(wait >= Duration::from_secs(1) && wait <= Duration::from_secs(60));
    let err: ErrorBody = res.json().await.unwrap();
    assert_eq!(err.code.as_deref(), Some(error_code::TOO_MANY_REQUESTS));
}

#[tokio::test]
async fn expired_tokens_answer_401_until_renewed() {
    let world = World::new(42, 14, 40);
    let s = start(&world, Behaviour::default()).await;
    let t = s.token().await;
    let ch = world.channel_id.as_str();
    assert_eq!(
        s.get(wire::WORKSPACES_PATH, &t, Some(ch), &[])
            .await
            .status(),
        200
    );
    let res = s
        .http
        .post(format!("{}/_sandbox/expire-tokens", s.url))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(
        s.get(wire::WORKSPACES_PATH, &t, Some(ch), &[])
            .await
            .status(),
        401
    );
    let fresh = s.token().await;
    assert_ne!(fresh, t);
    assert_eq!(
        s.get(wire::WORKSPACES_PATH, &fresh, Some(ch), &[])
            .await
            .status(),
        200
    );

    // A short lifetime makes tokens lapse by themselves.
    let res = s
        .http
        .post(format!("{}/_sandbox/token-lifetime", s.url))
        .json(&json!({"seconds": 0.05}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    let short = s.token().await;
    assert_eq!(
        s.get(wire::WORKSPACES_PATH, &short, Some(ch), &[])
            .await
            .status(),
        200
    );
    tokio::time::sleep(Duration::from_millis(80)).await;
    assert_eq!(
        s.get(wire::WORKSPACES_PATH, &short, Some(ch), &[])
            .await
            .status(),
        401
    );
}

#[tokio::test]
async fn forced_faults_then_recovery() {
    let world = World::new(42, 14, 40);
    let s = start(&world, Behaviour::default()).await;
    let t = s.token().await;
    let ch = world.channel_id.as_str();
    let res = s
        .http
        .post(format!("{}/_sandbox/faults", s.url))
        .json(&json!({"next": 2}))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), 204);
    assert_eq!(
        s.get(wire::WORKSPACES_PATH, &t, Some(ch), &[])
            .await
            .status(),
        503
    );
    assert_eq!(
        s.get(wire::WORKSPACES_PATH, &t, Some(ch), &[])
            .await
            .status(),
        503
    );
    assert_eq!(
        s.get(wire::WORKSPACES_PATH, &t, Some(ch), &[])
            .await
            .status(),
        200
    );
    assert_eq!(s.get("/v1/nothing", &t, Some(ch), &[]).await.status(), 404);
}
