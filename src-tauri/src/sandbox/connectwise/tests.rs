//! End-to-end tests of the simulated ConnectWise API over a real loopback listener.

use std::collections::HashSet;
use std::time::Duration;

use reqwest::{Client, RequestBuilder, StatusCode};
use serde_json::{json, Value};
use tokio::net::TcpListener;

use super::*;
use crate::sandbox::seed::{Quirk, SERVICES};

fn b64(input: &[u8]) -> String {
    const A: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    let mut out = String::new();
    for chunk in input.chunks(3) {
        let n = chunk
            .iter()
            .enumerate()
            .fold(0u32, |acc, (i, &b)| acc | (b as u32) << (16 - 8 * i));
        for i in 0..4 {
            if i <= chunk.len() {
                out.push(A[(n >> (18 - 6 * i) & 63) as usize] as char);
            } else {
                out.push('=');
            }
        }
    }
    out
}

struct Api {
    http: Client,
    root: String,
    api: String,
    auth: String,
    handle: Handle,
}

impl Api {
    fn with_keys(&self, public: &str, private: &str) -> String {
        format!(
            "Basic {}",
            b64(format!("{COMPANY_ID}+{public}:{private}").as_bytes())
        )
    }
    /// A request with the given Authorization value and the demo clientId (no Accept version:
    /// newest models).
    fn req_as(&self, method: reqwest::Method, path: &str, auth: &str) -> RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.api))
            .header("Authorization", auth)
            .header("clientId", CLIENT_ID)
    }
    fn req(&self, method: reqwest::Method, path: &str) -> RequestBuilder {
        self.req_as(method, path, &self.auth)
    }
    fn get(&self, path: &str) -> RequestBuilder {
        self.req(reqwest::Method::GET, path)
    }
    async fn json(&self, path: &str) -> Value {
        let r = self.get(path).send().await.expect("send");
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        r.json().await.expect("json")
    }
}

async fn start(world: &World, behaviour: Behaviour) -> Api {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let root = format!("http://{}", listener.local_addr().expect("addr"));
    let (router, handle) = router(world, &behaviour, &root);
    tokio::spawn(async move {
        let _ = axum::serve(listener, router).await;
    });
    let auth = format!(
        "Basic {}",
        b64(format!("{COMPANY_ID}+{DEMO_PUBLIC_KEY}:{DEMO_PRIVATE_KEY}").as_bytes())
    );
    Api {
        http: Client::new(),
        api: format!("{root}/{CODEBASE}apis/3.0"),
        root,
        auth,
        handle,
    }
}

async fn small() -> Api {
    start(&World::new(42, 14, 120), Behaviour::default()).await
}

fn next_link(resp: &reqwest::Response) -> Option<String> {
    let link = resp.headers().get("link")?.to_str().ok()?;
    link.split(", ")
        .find(|p| p.ends_with("rel=\"next\""))
        .and_then(|p| p.split(['<', '>']).nth(1))
        .map(str::to_string)
}

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
async fn patch_updates_quantity_and_refuses_plain_objects() {
    let api = small().await;
    let adds = api
        .json("/finance/agreements/2001/additions?conditions=cancelledDate%3Dnull")
        .await;
    let first = &adds[0];
    let id = first["id"].as_i64().expect("id");
    let path = format!("/finance/agreements/2001/additions/{id}");
    let r = api
        .req(reqwest::Method::PATCH, &path)
        .json(&json!([{"op": "replace", "path": "quantity", "value": 4242}]))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["quantity"], 4242);
    assert_eq!(body["_info"]["updatedBy"], "ApiMember1");
    assert_eq!(
        api.json(&path).await["quantity"],
        4242,
        "a second read shows the change"
    );
    let r = api
        .req(reqwest::Method::PATCH, &path)
        .json(&json!({"quantity": 5}))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    for (op, want) in [
        (
            json!([{"op": "replace", "path": "Quantity", "value": 5}]),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!([{"op": "replace", "path": "quantity", "value": "5"}]),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!([{"op": "replace", "path": "extPrice", "value": 5}]),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!([{"op": "replace", "path": "product/id", "value": 801}]),
            StatusCode::OK,
        ),
        (
            json!([{"op": "replace", "path": "/quantity", "value": 7}]),
            StatusCode::OK,
        ),
    ] {
        let r = api
            .req(reqwest::Method::PATCH, &path)
            .json(&op)
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), want, "{op}");
    }
    let after = api.json(&path).await;
    assert_eq!(after["quantity"], 7);
    assert_eq!(
        after["product"]["id"], first["product"]["id"],
        "sub-path PATCH is a false 200"
    );
    let views = api.handle.state.lock().expect("lock").snapshot(None);
    let v = views
        .iter()
        .flat_map(|a| &a.additions)
        .find(|x| x.id == id)
        .expect("view");
    assert_eq!(v.quantity, 7.0);
    let logged = api.handle.gate.requests();
    assert!(logged
        .iter()
        .any(|r| r.method == "PATCH" && r.path == path && r.body.is_array()));
}

#[tokio::test]
async fn post_put_delete_additions() {
    let api = small().await;
    let r = api.req(reqwest::Method::POST, "/finance/agreements/2001/additions")
        .json(&json!({"product": {"id": 803}, "billCustomer": "Billable", "quantity": 17, "effectiveDate": "2025-06-01T00:00:00Z"}))
        .send().await.expect("send");
    assert_eq!(r.status(), StatusCode::CREATED);
    let created: Value = r.json().await.expect("json");
    assert_eq!(created["quantity"], 17);
    assert_eq!(
        created["unitPrice"], 4.25,
        "price defaults from the catalog"
    );
    let path = format!("/finance/agreements/2001/additions/{}", created["id"]);
    let r = api
        .req(reqwest::Method::POST, "/finance/agreements/2001/additions")
        .json(&json!({"product": {"id": 831}, "billCustomer": "Billable"}))
        .send()
        .await
        .expect("send");
    assert_eq!(
        r.status(),
        StatusCode::BAD_REQUEST,
        "bundles cannot be additions"
    );
    let r = api
        .req(reqwest::Method::POST, "/finance/agreements/2001/additions")
        .json(&json!({"product": {"id": 99999}, "billCustomer": "Billable"}))
        .send()
        .await
        .expect("send");
    let err: Value = r.json().await.expect("json");
    assert_eq!(err["errors"][0]["code"], "NotFound");
    let r = api
        .req(reqwest::Method::PUT, &path)
        .json(&json!({"product": {"id": 803}, "billCustomer": "NoCharge"}))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    let put: Value = r.json().await.expect("json");
    assert!(put["quantity"].is_null(), "PUT resets omitted fields");
    let r = api
        .req(reqwest::Method::DELETE, &path)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        api.get(&path).send().await.expect("send").status(),
        StatusCode::NOT_FOUND
    );
    let r = api.get("/finance/nothing").send().await.expect("send");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        r.json::<Value>().await.expect("json")["message"],
        "The endpoint does not exist."
    );
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
async fn quirk_data_is_there() {
    let world = World::new(42, 14, 120);
    let api = start(&world, Behaviour::default()).await;
    let st = api.handle.state.lock().expect("lock");
    let name = |q: Quirk| {
        world
            .customers
            .iter()
            .find(|c| c.quirk == q)
            .map(|c| c.name.clone())
            .expect("quirk")
    };
    let agreements = |n: &str| st.snapshot(Some(n));
    let two = agreements(&name(Quirk::TwoAgreements));
    assert_eq!(
        two.iter()
            .filter(|a| a.agreement_status == "Active" && a.parent_agreement_id.is_none())
            .count(),
        2
    );
    let dup = st.live_quantities(&name(Quirk::DuplicatedLine));
    assert!(dup.values().any(|q| q.len() == 2));
    assert!(agreements(&name(Quirk::NoAgreement)).is_empty());
    let cancelled = agreements(&name(Quirk::CancelledLine));
    let lines: Vec<_> = cancelled.iter().flat_map(|a| &a.additions).collect();
    assert!(lines
        .iter()
        .any(|x| x.cancelled_date.is_some() && !x.active));
    let cancelled_product = lines
        .iter()
        .find(|x| x.cancelled_date.is_some())
        .map(|x| x.product_identifier.clone());
    assert!(lines
        .iter()
        .any(|x| Some(&x.product_identifier) == cancelled_product.as_ref() && x.active));
    assert!(agreements(&world.customers[1].name)
        .iter()
        .any(|a| a.parent_agreement_id.is_some() && !a.additions.is_empty()));
    assert!(agreements(&world.customers[3].name)
        .iter()
        .flat_map(|a| &a.additions)
        .any(|x| !x.active && x.cancelled_date.is_none()));
    assert!(agreements(&world.customers[4].name)
        .iter()
        .any(|a| a.agreement_status == "Expired"));
    // Quantities: some equal to Coro's usage, some not; one active product per service.
    let (mut equal, mut differ) = (0, 0);
    for (c, customer) in world.customers.iter().enumerate().take(9) {
        let live = st.live_quantities(&customer.name);
        for s in (0..SERVICES.len()).filter(|&s| world.subscribes(c, s)) {
            let q = live
                .get(&product_identifier(s))
                .and_then(|q| q.first())
                .copied()
                .expect("product billed");
            if q == world.usage(c, s) as f64 {
                equal += 1
            } else {
                differ += 1
            }
        }
    }
    assert!(equal > 5 && differ > 5, "equal {equal}, differ {differ}");
    let products: Vec<&Value> = st
        .catalog
        .iter()
        .filter(|p| p["inactiveFlag"] == false && p["productClass"] != "Bundle")
        .collect();
    for s in 0..SERVICES.len() {
        assert_eq!(
            products
                .iter()
                .filter(|p| p["identifier"] == product_identifier(s).as_str())
                .count(),
            1
        );
    }
    assert_eq!(product_identifier(1), "CORO-EDR");
    assert_eq!(
        st.companies
            .iter()
            .filter(|c| c["deletedFlag"] == true)
            .count(),
        3
    );
    assert!(st
        .companies
        .iter()
        .any(|c| c["deletedFlag"] == true && c["name"] == world.customers[1].name.as_str()));
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

#[tokio::test]
async fn controls_do_not_log_and_reset_restores() {
    let api = small().await;
    api.json("/system/info").await;
    let st: Value = api
        .http
        .get(format!("{}/_sandbox/state?company=1010", api.root))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert!(!st["agreements"].as_array().expect("agreements").is_empty());
    let log: Value = api
        .http
        .get(format!("{}/_sandbox/requests", api.root))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(log.as_array().map(Vec::len), Some(1));
    assert_eq!(log[0]["path"], "/system/info");
    assert_eq!(log[0]["headers"]["Authorization"], "Basic ***");
    api.http
        .post(format!("{}/_sandbox/faults", api.root))
        .json(&json!({"next": 1}))
        .send()
        .await
        .expect("send");
    assert_eq!(
        api.get("/system/info").send().await.expect("send").status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    api.req(
        reqwest::Method::DELETE,
        "/finance/agreements/2001/additions/5001",
    )
    .send()
    .await
    .expect("send");
    api.http
        .post(format!("{}/_sandbox/reset", api.root))
        .send()
        .await
        .expect("send");
    assert_eq!(
        api.json("/finance/agreements/2001/additions/5001").await["id"],
        5001
    );
    api.http
        .delete(format!("{}/_sandbox/requests", api.root))
        .send()
        .await
        .expect("send");
    assert!(api.handle.gate.requests().is_empty());
}
