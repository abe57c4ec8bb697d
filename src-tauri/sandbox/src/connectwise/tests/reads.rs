//! Reads: paging, queries, auth and permissions, rate limit, discovery, versions, bundles.

use std::collections::HashSet;
use std::time::Duration;

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::*;

#[tokio::test]
async fn paging_over_2500_companies_follows_link_until_done() {
    let api = start(&World::new(7, 14, 2500), Behaviour::default()).await;
    let count = api.json("/company/companies/count").await["count"]
        .as_u64()
        .expect("count");
    assert_eq!(count, 2500 + 4, "world companies + 3 deleted + the vendor");
    let mut url = Some(format!(
        "{}/company/companies?pageSize=1000&page=1",
        api.api
    ));
    let (mut seen, mut pages, mut visited) = (HashSet::new(), 0, HashSet::new());
    while let Some(u) = url {
        assert!(visited.insert(u.clone()), "page fetched twice: {u}");
        let resp = api
            .http
            .get(&u)
            .header("Authorization", &api.auth)
            .header("clientId", CLIENT_ID)
            .send()
            .await
            .expect("send");
        assert_eq!(resp.status(), StatusCode::OK);
        url = next_link(&resp);
        let link = resp.headers()["link"].to_str().expect("link").to_string();
        assert!(
            link.contains("rel=\"first\"") && link.contains("rel=\"last\""),
            "{link}"
        );
        let page: Vec<Value> = resp.json().await.expect("json");
        assert!(page.len() <= 1000);
        for c in &page {
            assert!(
                seen.insert(c["id"].as_i64().expect("id")),
                "duplicate {}",
                c["id"]
            );
        }
        pages += 1;
    }
    assert_eq!(pages, 3);
    assert_eq!(seen.len() as u64, count);
    // Over the hard limit: clamped to 1000.
    let big: Vec<Value> = api
        .json("/company/companies?pageSize=5000")
        .await
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(big.len(), 1000);
    let default: Vec<Value> = api
        .json("/company/companies")
        .await
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(default.len(), 25);
    assert_eq!(
        api.handle.gate.requests()[0].path,
        "/company/companies/count"
    );
}

#[tokio::test]
async fn forward_only_paging_uses_page_id() {
    let api = small().await;
    let mut url = Some(format!("{}/company/companies?pageSize=50", api.api));
    let mut ids = Vec::new();
    while let Some(u) = url {
        let resp = api
            .http
            .get(&u)
            .header("Authorization", &api.auth)
            .header("clientId", CLIENT_ID)
            .header("pagination-type", "forward-only")
            .send()
            .await
            .expect("send");
        assert!(resp.headers().contains_key("link"));
        url = next_link(&resp);
        let page: Vec<Value> = resp.json().await.expect("json");
        ids.extend(page.iter().filter_map(|c| c["id"].as_i64()));
    }
    assert_eq!(ids.len(), 124);
    assert!(ids.windows(2).all(|w| w[0] < w[1]));
}

#[tokio::test]
async fn conditions_orderby_and_fields_over_http() {
    let api = small().await;
    let active = api
        .json("/company/companies/count?conditions=deletedFlag%3Dfalse")
        .await;
    assert_eq!(active["count"], 121);
    let q = "/company/companies?conditions=name%20like%20%22A%25%22%20and%20deletedFlag%3Dfalse&orderBy=name%20desc&fields=id,name,status/name&pageSize=1000";
    let list = api.json(q).await;
    let names: Vec<&str> = list
        .as_array()
        .expect("array")
        .iter()
        .filter_map(|c| c["name"].as_str())
        .collect();
    assert!(!names.is_empty() && names.iter().all(|n| n.starts_with('A')));
    assert!(names
        .windows(2)
        .all(|w| w[0].to_lowercase() >= w[1].to_lowercase()));
    assert_eq!(list[0].as_object().map(|o| o.len()), Some(3), "{}", list[0]);
    assert!(list[0]["status"]["name"].is_string() && list[0]["status"].get("id").is_none());
    let clients = api
        .json("/company/companies/count?childConditions=types/name%3D%22Client%22")
        .await;
    assert!(clients["count"].as_u64().unwrap_or(0) > 50);
    // Bad conditions → 400 with the server's hint; array field in conditions → 400.
    for bad in [
        "deletedFlag%3D1",
        "nosuch%3D1",
        "types/name%3D%22Client%22",
        "name%3DAcme",
    ] {
        let r = api
            .get(&format!("/company/companies?conditions={bad}"))
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), StatusCode::BAD_REQUEST, "{bad}");
        let body: Value = r.json().await.expect("json");
        assert_eq!(body["code"], "InvalidObject");
        assert!(body["message"].is_string());
    }
}

#[tokio::test]
async fn auth_failures_and_permissions() {
    let api = small().await;
    let wrong = api.with_keys(DEMO_PUBLIC_KEY, "nope");
    let r = api
        .req_as(reqwest::Method::GET, "/system/info", &wrong)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::UNAUTHORIZED);
    assert_eq!(
        r.json::<Value>().await.expect("json")["code"],
        "Unauthorized"
    );
    let r = api
        .http
        .get(format!("{}/system/info", api.api))
        .header("Authorization", &api.auth)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    assert!(r.text().await.expect("text").contains("clientId"));
    let info = api.json("/system/info").await;
    assert_eq!(info["version"], "v2026.11.118441");
    assert_eq!(info["isCloud"], true);
    let limited = api.with_keys(LIMITED_PUBLIC_KEY, LIMITED_PRIVATE_KEY);
    let r = api
        .req_as(reqwest::Method::GET, "/finance/agreements", &limited)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(
        r.json::<Value>().await.expect("json"),
        json!({"code": "Security", "message": "You do not have security permission to perform this action."})
    );
    let r = api
        .req_as(reqwest::Method::GET, "/company/companies", &limited)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    // Switch the demo member's role to inquire-only on agreements: PATCH is refused.
    let r = api
        .http
        .post(format!("{}/_sandbox/permissions", api.root))
        .json(&json!({"agreementEdit": false}))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    let r = api
        .req(
            reqwest::Method::PATCH,
            "/finance/agreements/2001/additions/5001",
        )
        .json(&json!([{"op": "replace", "path": "quantity", "value": 1}]))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::FORBIDDEN);
    assert_eq!(api.json("/finance/agreements/2001").await["id"], 2001);
}

#[tokio::test]
async fn rate_limit_answers_429_with_retry_after() {
    let behaviour = Behaviour {
        rate_limit: 3,
        rate_window: Duration::from_secs(60),
        ..Behaviour::default()
    };
    let api = start(&World::new(42, 14, 40), behaviour).await;
    for _ in 0..3 {
        assert_eq!(
            api.get("/system/info").send().await.expect("send").status(),
            StatusCode::OK
        );
    }
    let r = api.get("/system/info").send().await.expect("send");
    assert_eq!(r.status(), StatusCode::TOO_MANY_REQUESTS);
    let wait: u64 = r.headers()["retry-after"]
        .to_str()
        .expect("str")
        .parse()
        .expect("secs");
    assert!((1..=60).contains(&wait));
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["error"], "ConnectWiseAPI");
    assert!(body["message"]
        .as_str()
        .unwrap_or_default()
        .contains("Too many requests"));
}

#[tokio::test]
async fn codebase_discovery_and_upgrade() {
    let api = small().await;
    let info: Value = api
        .http
        .get(format!("{}/login/companyinfo/BrightPath", api.root))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(info["Codebase"], CODEBASE);
    assert_eq!(info["CompanyID"], COMPANY_ID);
    assert_eq!(info["IsCloud"], "True");
    let unknown = api
        .http
        .get(format!("{}/login/companyinfo/nobody", api.root))
        .send()
        .await
        .expect("send");
    assert_eq!(unknown.status(), StatusCode::OK);
    assert_eq!(unknown.text().await.expect("text"), "null");
    let legacy = format!("{}/v4_6_release/apis/3.0/system/info", api.root);
    let ok = api
        .http
        .get(&legacy)
        .header("Authorization", &api.auth)
        .header("clientId", CLIENT_ID)
        .send()
        .await
        .expect("send");
    assert_eq!(ok.status(), StatusCode::OK);
    assert_eq!(ok.headers()["api-current-version"], "2026.11");
    let bad = api
        .http
        .get(&legacy)
        .header("Authorization", api.with_keys("x", "y"))
        .header("clientId", CLIENT_ID)
        .send()
        .await
        .expect("send");
    assert_eq!(
        bad.status(),
        StatusCode::NOT_FOUND,
        "bad auth on the legacy codebase looks like a 404"
    );
    api.http
        .post(format!("{}/_sandbox/codebase", api.root))
        .json(&json!({"codebase": "v2027_1/"}))
        .send()
        .await
        .expect("send");
    assert_eq!(
        api.get("/system/info").send().await.expect("send").status(),
        StatusCode::NOT_FOUND
    );
    let info: Value = api
        .http
        .get(format!("{}/login/companyinfo/brightpath", api.root))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(info["Codebase"], "v2027_1/");
    assert_eq!(api.handle.state.lock().expect("lock").discovery_calls, 3);
}

#[tokio::test]
async fn versions_and_bundles() {
    let api = small().await;
    let new = api
        .json("/finance/agreements/2001/additions?pageSize=1")
        .await;
    assert!(new[0].get("additionStatus").is_some());
    let r = api
        .get("/finance/agreements/2001/additions?pageSize=1")
        .header(
            "Accept",
            "application/vnd.connectwise.com+json; version=2025.8",
        )
        .send()
        .await
        .expect("send");
    let old: Value = r.json().await.expect("json");
    assert!(
        old[0].get("additionStatus").is_none(),
        "2025.8 models have no additionStatus"
    );
    let body = json!({"requests": [
        {"sequenceNumber": 1, "resourceType": "agreement", "version": "2025.8",
         "apiRequest": {"filters": {"conditions": "agreementStatus=\"Active\""}, "page": {"page": 1, "pageSize": 5}}},
        {"sequenceNumber": 2, "resourceType": "addition", "version": "2025.8",
         "apiRequest": {"parentId": 2001, "fields": "id,quantity"}},
        {"sequenceNumber": 3, "resourceType": "ticket", "version": "2025.8", "apiRequest": {}},
    ]});
    let r = api
        .req(reqwest::Method::POST, "/system/bundles")
        .json(&body)
        .send()
        .await
        .expect("send");
    let out: Value = r.json().await.expect("json");
    assert_eq!(
        out["results"][0]["entities"].as_array().map(Vec::len),
        Some(5)
    );
    assert!(out["results"][0]["count"].as_u64().unwrap_or(0) > 5);
    assert_eq!(out["results"][1]["success"], true);
    assert!(out["results"][1]["entities"][0].get("product").is_none());
    assert_eq!(out["results"][2]["success"], false);
}
