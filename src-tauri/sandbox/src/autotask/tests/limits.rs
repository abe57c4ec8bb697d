//! Auth failures, security levels, the thread limit and the hourly budget.

use super::*;

#[tokio::test]
async fn auth_failures_and_restricted_security_levels() {
    let srv = start().await;
    let body = json!({"filter": [{"op": "exist", "field": "id"}]});
    let send = |user: &str, secret: &str, code: Option<&str>| {
        let mut rb = srv
            .http
            .post(srv.url("Contracts/query"))
            .header("UserName", user)
            .header("Secret", secret)
            .json(&body);
        if let Some(code) = code {
            rb = rb.header("ApiIntegrationCode", code);
        }
        rb.send()
    };
    let status = |r: reqwest::Response| r.status().as_u16();
    assert_eq!(
        status(
            send(DEMO_USERNAME, "wrong", Some(DEMO_INTEGRATION_CODE))
                .await
                .unwrap()
        ),
        401
    );
    assert_eq!(
        status(
            send("x@example.com", DEMO_SECRET, Some(DEMO_INTEGRATION_CODE))
                .await
                .unwrap()
        ),
        401
    );
    assert_eq!(
        status(send(DEMO_USERNAME, DEMO_SECRET, None).await.unwrap()),
        401
    );
    assert_eq!(
        status(
            send(DEMO_USERNAME, DEMO_SECRET, Some("UNKNOWN"))
                .await
                .unwrap()
        ),
        401
    );
    assert_eq!(
        status(
            send(DEMO_USERNAME, DEMO_SECRET, Some(VENDOR_INTEGRATION_CODE))
                .await
                .unwrap()
        ),
        200
    );
    let r = srv
        .http
        .post(format!("{}/_sandbox/integration-code", srv.base))
        .json(&json!({"code": VENDOR_INTEGRATION_CODE, "disabled": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = send(DEMO_USERNAME, DEMO_SECRET, Some(VENDOR_INTEGRATION_CODE))
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let e: Value = r.json().await.unwrap();
    assert!(e["errors"][0].as_str().unwrap().contains("disabled"));

    // The restricted user sees companies but no contract rows.
    let page: Value = send(
        RESTRICTED_USERNAME,
        DEMO_SECRET,
        Some(DEMO_INTEGRATION_CODE),
    )
    .await
    .unwrap()
    .json()
    .await
    .unwrap();
    assert_eq!(page["items"], json!([]));
    let r = srv
        .http
        .post(srv.url("Companies/query"))
        .header("UserName", RESTRICTED_USERNAME)
        .header("Secret", DEMO_SECRET)
        .header("ApiIntegrationCode", DEMO_INTEGRATION_CODE)
        .json(&body)
        .send()
        .await
        .unwrap();
    let companies: Value = r.json().await.unwrap();
    assert!(!companies["items"].as_array().unwrap().is_empty());

    for (mode, want) in [("forbidden", 403), ("error", 500), ("full", 200)] {
        srv.http
            .post(format!("{}/_sandbox/access", srv.base))
            .json(&json!({"username": RESTRICTED_USERNAME, "contracts": mode}))
            .send()
            .await
            .unwrap();
        let r = send(
            RESTRICTED_USERNAME,
            DEMO_SECRET,
            Some(DEMO_INTEGRATION_CODE),
        )
        .await
        .unwrap();
        assert_eq!(r.status().as_u16(), want, "{mode}");
    }
    // Secrets never reach the log.
    assert!(srv
        .handle
        .gate
        .requests()
        .iter()
        .all(|r| r.headers.get("Secret") == Some(&json!("***"))));
}

#[tokio::test]
async fn thread_limit_rejects_a_fourth_concurrent_request() {
    let behaviour = Behaviour {
        latency: Duration::from_millis(400),
        ..Behaviour::default()
    };
    let srv = start_with(&World::new(42, 14, 320), behaviour).await;
    let body = json!({"filter": [{"op": "exist", "field": "id"}], "MaxRecords": 10});
    let send = |rel: &'static str, delay: u64| {
        let rb = auth(srv.http.post(srv.url(rel))).json(&body);
        async move {
            tokio::time::sleep(Duration::from_millis(delay)).await;
            let r = rb.send().await.unwrap();
            let status = r.status().as_u16();
            (status, r.text().await.unwrap())
        }
    };
    let (a, b, c, d, other) = tokio::join!(
        send("Companies/query", 0),
        send("Companies/query", 0),
        send("companies/query/count", 0),
        send("Companies/query", 150),
        send("Services/query", 150),
    );
    let companies = [&a, &b, &c, &d];
    assert_eq!(
        companies.iter().filter(|r| r.0 == 200).count(),
        3,
        "{companies:?}"
    );
    assert_eq!(d.0, 429, "the late fourth request is rejected");
    assert!(d
        .1
        .contains("thread threshold of 3 threads has been exceeded"));
    assert_eq!(other.0, 200, "another endpoint has its own bucket");
    assert_eq!(srv.handle.state.lock().unwrap().thread_limit_rejections, 1);
    // Slots are released: a follow-up request passes.
    assert_eq!(send("Companies/query", 0).await.0, 200);
}

#[tokio::test]
async fn threshold_information_and_budget() {
    let behaviour = Behaviour {
        rate_limit: 1000,
        ..Behaviour::default()
    };
    let srv = start_with(&World::new(42, 14, 320), behaviour).await;
    let (status, t) = srv.get("ThresholdInformation").await;
    assert_eq!(status, 200);
    assert_eq!(t["externalRequestThreshold"], json!(1000));
    assert_eq!(t["currentTimeframeRequestCount"], json!(1));
    srv.http
        .post(format!("{}/_sandbox/threshold", srv.base))
        .json(&json!({"count": 1000}))
        .send()
        .await
        .unwrap();
    let (status, e) = srv.get("ThresholdInformation").await;
    assert_eq!(status, 429);
    assert!(e["errors"][0].as_str().unwrap().contains("threshold"));
    // Past 75 % every request is slowed down.
    srv.http
        .post(format!("{}/_sandbox/threshold", srv.base))
        .json(&json!({"count": 800, "threeQuarterDelayMs": 200}))
        .send()
        .await
        .unwrap();
    let t0 = std::time::Instant::now();
    assert_eq!(srv.get("ThresholdInformation").await.0, 200);
    assert!(t0.elapsed() >= Duration::from_millis(200));
}
