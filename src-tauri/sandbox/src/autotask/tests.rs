use std::collections::HashSet;
use std::time::Duration;

use chrono::NaiveDate;
use serde_json::{json, Value};

use super::meta::{Entity, CONTRACT_BLOCK_HOURS, CONTRACT_RECURRING, STATUS_INACTIVE};
use super::query::{compile, Cursor};
use super::time::{parse_utc, TenantTimeZone};
use super::*;
use crate::seed::{Quirk, World};

pub(super) struct Srv {
    pub(super) base: String,
    zone: String,
    handle: Handle,
    http: reqwest::Client,
    task: tokio::task::JoinHandle<()>,
}

impl Drop for Srv {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn start_with(world: &World, behaviour: Behaviour) -> Srv {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let (router, handle) = router(world, &behaviour, &base, TenantTimeZone::new_york());
    let task = tokio::spawn(async move {
        axum::serve(listener, router).await.unwrap();
    });
    Srv {
        base,
        zone: handle.demo.zone_url.clone(),
        handle,
        http: reqwest::Client::new(),
        task,
    }
}

pub(super) async fn start() -> Srv {
    start_with(&World::new(42, 14, 320), Behaviour::default()).await
}

fn auth(rb: reqwest::RequestBuilder) -> reqwest::RequestBuilder {
    rb.header("UserName", DEMO_USERNAME)
        .header("Secret", DEMO_SECRET)
        .header("ApiIntegrationCode", DEMO_INTEGRATION_CODE)
}

impl Srv {
    fn url(&self, rel: &str) -> String {
        format!("{}V1.0/{rel}", self.zone)
    }
    pub(super) async fn post(&self, rel: &str, body: Value) -> (u16, Value) {
        let r = auth(self.http.post(self.url(rel)))
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }
    pub(super) async fn get(&self, rel: &str) -> (u16, Value) {
        let r = auth(self.http.get(self.url(rel))).send().await.unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }
    fn today(&self) -> NaiveDate {
        self.handle.state.lock().unwrap().time_zone.today()
    }
    /// The live Recurring Service contract of customer 0 and its first line.
    fn first_line(&self, world: &World) -> (i64, i64) {
        let s = self.handle.state.lock().unwrap();
        let company = s.company_id(&world.customers[0].name).unwrap();
        let contract = s.contracts_of(company)[0]["id"].as_i64().unwrap();
        let line = s.lines_of(contract)[0]["id"].as_i64().unwrap();
        (contract, line)
    }
}

fn noon(d: NaiveDate) -> String {
    format!("{d}T12:00:00Z")
}

#[tokio::test]
async fn zone_discovery_and_version() {
    let srv = start().await;
    let zone_url = format!(
        "{}/atservicesrest/V1.0/zoneInformation?user={}",
        srv.base, DEMO_USERNAME
    );
    let r = srv.http.get(&zone_url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let z: Value = r.json().await.unwrap();
    assert_eq!(z["url"], json!(srv.handle.demo.zone_url));
    assert!(z["url"].as_str().unwrap().ends_with("/ATServicesRest/"));
    assert!(z["ci"].as_i64().is_some() && z["zoneName"].is_string() && z["webUrl"].is_string());

    // Any casing works, as on the real API.
    let r = srv
        .http
        .get(format!(
            "{}/ATServicesRest/v1.0/ZONEINFORMATION?user=PSABRIDGE@brightpath.example",
            srv.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    for user in ["nobody@example.com", ""] {
        let r = srv
            .http
            .get(format!(
                "{}/atservicesrest/v1.0/zoneInformation?user={user}",
                srv.base
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 500);
        let body: Value = r.json().await.unwrap();
        assert!(body["errors"][0].is_string());
    }

    let v: Value = srv
        .http
        .get(format!("{}/atservicesrest/versioninformation", srv.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["apiVersions"], json!(["1.0"]));
    let (status, version) = srv.get("Version").await;
    assert_eq!(status, 200);
    assert!(version["majorVersion"].is_number());

    // Discovery is logged relative to /ATServicesRest, without credentials.
    let log = srv.handle.gate.requests();
    assert_eq!(log[0].path, "/V1.0/zoneInformation");
    assert!(log[0].headers.is_empty());
}

#[tokio::test]
async fn move_zone_old_zone_answers_401_and_discovery_returns_new_url() {
    let srv = start().await;
    let filter = json!({"filter": [{"op": "eq", "field": "id", "value": 0}], "MaxRecords": 1});
    let (status, _) = srv.post("Companies/query", filter.clone()).await;
    assert_eq!(status, 200);

    let moved: Value = srv
        .http
        .post(format!("{}/_sandbox/move-zone", srv.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let new_zone = moved["url"].as_str().unwrap().to_string();
    assert_ne!(new_zone, srv.zone);

    let (status, body) = srv.post("Companies/query", filter.clone()).await;
    assert_eq!(status, 401);
    assert!(body["errors"][0].is_string());

    let z: Value = srv
        .http
        .get(format!(
            "{}/atservicesrest/v1.0/zoneInformation?user={DEMO_USERNAME}",
            srv.base
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(z["url"], json!(new_zone));
    let r = auth(srv.http.post(format!("{new_zone}V1.0/Companies/query")))
        .json(&filter)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page: Value = r.json().await.unwrap();
    assert_eq!(page["items"][0]["id"], json!(0));
    // Logged paths stay relative to /ATServicesRest in the new zone too.
    assert_eq!(
        srv.handle.gate.requests().last().unwrap().path,
        "/V1.0/Companies/query"
    );
}

#[tokio::test]
async fn paging_follows_next_page_url_over_2500_companies() {
    let world = World::new(1, 14, 2500);
    let srv = start_with(&world, Behaviour::default()).await;
    let body = json!({"filter": [{"op": "exist", "field": "id"}], "MaxRecords": 500});
    let (status, count) = srv.post("Companies/query/count", body.clone()).await;
    assert_eq!(status, 200);
    let total = count["queryCount"].as_u64().unwrap() as usize;
    assert_eq!(
        total, 2501,
        "2,500 world companies plus the MSP's own company 0"
    );

    let mut ids = Vec::new();
    let mut url = srv.url("Companies/query");
    let mut pages = 0;
    loop {
        let r = auth(srv.http.post(&url)).json(&body).send().await.unwrap();
        assert_eq!(r.status(), 200, "{url}");
        let page: Value = r.json().await.unwrap();
        let items = page["items"].as_array().unwrap();
        assert_eq!(page["pageDetails"]["count"], json!(items.len()));
        assert_eq!(page["pageDetails"]["requestCount"], json!(500));
        assert!(items.len() <= 500);
        ids.extend(items.iter().map(|i| i["id"].as_i64().unwrap()));
        pages += 1;
        match page["pageDetails"]["nextPageUrl"].as_str() {
            Some(next) if !next.is_empty() => {
                assert!(next.starts_with(&srv.zone), "absolute, same zone: {next}");
                assert!(next.contains("/query/next?paging="));
                url = next.to_string();
            }
            _ => break,
        }
    }
    assert_eq!(pages, 6);
    assert_eq!(ids.len(), total);
    assert_eq!(
        ids.iter().collect::<HashSet<_>>().len(),
        total,
        "no page twice"
    );
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ordered by id");

    // GET on a POST-originated cursor is 405.
    let (_, first) = srv.post("Companies/query", body.clone()).await;
    let next = first["pageDetails"]["nextPageUrl"].as_str().unwrap();
    let r = auth(srv.http.get(next)).send().await.unwrap();
    assert_eq!(r.status(), 405);

    // The GET form carries the search in its cursor and is followed with GET.
    let search =
        json!({"filter": [{"op": "eq", "field": "isActive", "value": true}], "maxRecords": 400});
    let active = srv
        .handle
        .state
        .lock()
        .unwrap()
        .companies
        .values()
        .filter(|c| c["isActive"] == json!(true))
        .count();
    let mut url = reqwest::Url::parse(&srv.url("Companies/query")).unwrap();
    url.query_pairs_mut()
        .append_pair("search", &search.to_string());
    let mut url = url.to_string();
    let mut seen = 0;
    let mut prev_seen = false;
    loop {
        let page: Value = auth(srv.http.get(&url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        seen += page["items"].as_array().unwrap().len();
        prev_seen |= page["pageDetails"]["prevPageUrl"].is_string();
        match page["pageDetails"]["nextPageUrl"].as_str() {
            Some(n) => url = n.to_string(),
            None => break,
        }
    }
    assert_eq!(seen, active);
    assert!(active < total && prev_seen);
}

#[tokio::test]
async fn include_fields_and_get_by_id() {
    let srv = start().await;
    let (status, page) = srv
        .post(
            "contracts/query",
            json!({"Filter": [{"op": "eq", "field": "contracttype", "value": "7"}], "IncludeFields": ["id", "CompanyID"]}),
        )
        .await;
    assert_eq!(status, 200);
    let first = &page["items"][0];
    assert_eq!(first.as_object().unwrap().len(), 2);
    assert!(
        first["companyID"].is_number(),
        "canonical casing in responses"
    );

    let id = first["id"].as_i64().unwrap();
    let (status, item) = srv.get(&format!("Contracts/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(item["item"]["contractType"], json!(7));
    let (status, missing) = srv.get("Contracts/1").await;
    assert_eq!((status, missing), (200, json!({"item": null})));

    let (status, bad) = srv
        .post(
            "Companies/query",
            json!({"filter": [{"op": "eq", "field": "nope", "value": 1}]}),
        )
        .await;
    assert_eq!(status, 500);
    assert!(bad["errors"][0].as_str().unwrap().contains("nope"));
    let (status, _) = srv
        .post("Companies/query", json!({"filter": [], "MaxRecords": 501}))
        .await;
    assert_eq!(status, 500);

    let (status, fields) = srv.get("Contracts/entityInformation/fields").await;
    assert_eq!(status, 200);
    let ct = fields["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "contractType")
        .unwrap();
    assert!(ct["picklistValues"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["value"] == "7" && p["label"] == "Recurring Service"));
    let (_, info) = srv
        .get("ContractServiceAdjustments/entityInformation")
        .await;
    assert_eq!(info["info"]["canCreate"], json!(true));
    assert_eq!(info["info"]["canQuery"], json!(false));
}

#[test]
fn filter_evaluator_table() {
    let entity = json!({
        "id": 29684183, "companyID": 0, "contractName": "Contoso – Managed Security",
        "contractType": 7, "status": 1, "startDate": "2024-01-01T00:00:00Z",
        "endDate": "2026-12-31T00:00:00Z", "isDefaultContract": false, "description": null,
        "setupFee": 12.5, "userDefinedFields": [{"name": "Region", "value": "East"}]
    });
    let cases: &[(Value, bool)] = &[
        (
            json!({"op": "eq", "field": "contractType", "value": 7}),
            true,
        ),
        (
            json!({"op": "eq", "field": "contracttype", "value": "7"}),
            true,
        ),
        (
            json!({"op": "noteq", "field": "contractType", "value": 7}),
            false,
        ),
        (json!({"op": "eq", "field": "companyID", "value": 0}), true),
        (json!({"op": "gt", "field": "setupFee", "value": 12}), true),
        (json!({"op": "gte", "field": "status", "value": 1}), true),
        (json!({"op": "lt", "field": "status", "value": 1}), false),
        (
            json!({"op": "lte", "field": "setupFee", "value": 12.5}),
            true,
        ),
        (
            json!({"op": "gt", "field": "endDate", "value": "2025-01-01T00:00:00Z"}),
            true,
        ),
        (
            json!({"op": "lt", "field": "startDate", "value": "2024-01-01"}),
            false,
        ),
        (
            json!({"op": "lte", "field": "startDate", "value": "2024-01-01T00:00:00"}),
            true,
        ),
        (
            json!({"op": "beginsWith", "field": "contractName", "value": "contoso"}),
            true,
        ),
        (
            json!({"op": "endsWith", "field": "contractName", "value": "SECURITY"}),
            true,
        ),
        (
            json!({"op": "contains", "field": "contractName", "value": "managed"}),
            true,
        ),
        (
            json!({"op": "contains", "field": "contractName", "value": "backup"}),
            false,
        ),
        (json!({"op": "exist", "field": "description"}), false),
        (json!({"op": "notExist", "field": "description"}), true),
        (json!({"op": "exist", "field": "id"}), true),
        (
            json!({"op": "in", "field": "id", "value": [1, 29684183]}),
            true,
        ),
        (json!({"op": "notIn", "field": "id", "value": [1, 2]}), true),
        (
            json!({"op": "in", "field": "contractType", "value": ["1", "3"]}),
            false,
        ),
        (
            json!({"op": "eq", "field": "isDefaultContract", "value": false}),
            true,
        ),
        (
            json!({"op": "noteq", "field": "description", "value": "x"}),
            true,
        ),
        (
            json!({"op": "eq", "field": "description", "value": "x"}),
            false,
        ),
        (
            json!({"op": "eq", "field": "region", "udf": true, "value": "east"}),
            true,
        ),
        (
            json!({"op": "eq", "field": "missing", "udf": true, "value": "x"}),
            false,
        ),
        (
            json!({"op": "or", "items": [{"op": "eq", "field": "status", "value": 0},
                                          {"op": "gt", "field": "endDate", "value": "2025-01-01"}]}),
            true,
        ),
        (
            json!({"op": "and", "items": [{"op": "eq", "field": "status", "value": 1},
                                           {"op": "eq", "field": "contractType", "value": 3}]}),
            false,
        ),
        (
            json!({"op": "or", "items": [{"op": "and", "items": [{"op": "eq", "field": "id", "value": 1}]},
                                          {"op": "contains", "field": "contractName", "value": "contoso"}]}),
            true,
        ),
    ];
    for (filter, want) in cases {
        let cond = compile(Entity::Contracts, std::slice::from_ref(filter))
            .unwrap_or_else(|e| panic!("{filter}: {e}"));
        assert_eq!(cond.eval(&entity), *want, "{filter}");
    }
    // Top-level items are ANDed; an empty filter matches everything.
    let both = [cases[0].0.clone(), cases[2].0.clone()];
    assert!(!compile(Entity::Contracts, &both).unwrap().eval(&entity));
    assert!(compile(Entity::Contracts, &[]).unwrap().eval(&entity));

    let rejected = [
        json!({"op": "eq", "field": "nope", "value": 1}),
        json!({"op": "eq", "field": "isDefaultContract", "value": "false"}),
        json!({"op": "eq", "field": "isDefaultContract", "value": null}),
        json!({"op": "like", "field": "id", "value": 1}),
        json!({"op": "beginsWith", "field": "id", "value": "1"}),
        json!({"op": "eq", "field": "id"}),
        json!({"op": "in", "field": "id", "value": 1}),
        json!({"op": "gt", "field": "startDate", "value": "yesterday"}),
        json!({"op": "or"}),
        json!("id eq 1"),
    ];
    for filter in rejected {
        assert!(
            compile(Entity::Contracts, std::slice::from_ref(&filter)).is_err(),
            "{filter}"
        );
    }
}

#[test]
fn cursor_windows() {
    let ids = [0, 5, 9, 12, 20];
    assert_eq!(Cursor::default().window(&ids, 2), (0, 2));
    let next = Cursor::parse(&Cursor::next(2, 5)).unwrap();
    assert_eq!(next.window(&ids, 2), (2, 4));
    let prev = Cursor::parse(&Cursor::prev(2, 12)).unwrap();
    assert_eq!(prev.window(&ids, 2), (1, 3));
    assert!(Cursor::parse("{}").is_err() && Cursor::parse("x").is_err());
}

#[test]
fn time_zone_conversion() {
    let ny = TenantTimeZone::new_york();
    let d = |s: &str| ny.local_date(parse_utc(s).unwrap());
    let day = |y, m, d| NaiveDate::from_ymd_opt(y, m, d).unwrap();
    // The docs' example: 02:00 UTC on 9 October is 8 October in a US database.
    assert_eq!(d("2023-10-09T02:00:00"), day(2023, 10, 8));
    assert_eq!(d("2023-10-09T12:00:00Z"), day(2023, 10, 9));
    assert_eq!(d("2024-01-10T04:59:59Z"), day(2024, 1, 9));
    assert_eq!(d("2024-01-10T05:00:00.000Z"), day(2024, 1, 10));
    assert_eq!(
        d("2024-01-10"),
        day(2024, 1, 9),
        "a date-only value is midnight UTC"
    );
    assert_eq!(d("2024-01-10T12:00:00+02:00"), day(2024, 1, 10));
    let off = |s: &str| ny.offset_minutes_at(parse_utc(s).unwrap());
    assert_eq!(off("2024-03-10T06:59:00Z"), -300);
    assert_eq!(off("2024-03-10T07:00:00Z"), -240);
    assert_eq!(off("2024-11-03T05:59:00Z"), -240);
    assert_eq!(off("2024-11-03T06:00:00Z"), -300);
    let auckland = TenantTimeZone::fixed(780);
    assert_eq!(
        auckland.local_date(parse_utc("2024-01-10T12:00:00Z").unwrap()),
        day(2024, 1, 11)
    );
}

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

#[tokio::test]
async fn adjustment_applies_a_delta_to_the_period_covering_the_date() {
    let world = World::new(42, 14, 320);
    let srv = start_with(&world, Behaviour::default()).await;
    let (contract, line) = srv.first_line(&world);
    let today = srv.today();
    let next_month = time::add_months(today, 1);
    let (before, before_next, rows_before) = {
        let s = srv.handle.state.lock().unwrap();
        (
            s.units_on(line, today).unwrap(),
            s.units_on(line, next_month).unwrap(),
            s.units.len(),
        )
    };
    let (status, created) = srv
        .post(
            &format!("Contracts/{contract}/ServiceAdjustments"),
            json!({"contractID": contract, "contractServiceID": line, "unitChange": 3,
                   "effectiveDate": noon(today), "adjustedUnitPrice": 6.5, "allowRepeatService": false}),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    assert!(created["itemId"].as_i64().is_some());

    // Read back through the API like a client: the row covering today now holds +3.
    let (_, page) = srv
        .post(
            "ContractServiceUnits/query",
            json!({"filter": [{"op": "eq", "field": "contractServiceID", "value": line}]}),
        )
        .await;
    let covering: Vec<&Value> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| {
            let s = time::stored_date(&u["startDate"]).unwrap();
            let e = time::stored_date(&u["endDate"]).unwrap();
            s <= today && today <= e
        })
        .collect();
    let current = covering
        .iter()
        .max_by_key(|u| {
            (
                u["startDate"].as_str().unwrap().to_string(),
                u["id"].as_i64(),
            )
        })
        .unwrap();
    assert_eq!(current["units"].as_i64().unwrap(), before + 3);
    assert_eq!(current["startDate"], json!(time::fmt_date(today)));
    {
        let s = srv.handle.state.lock().unwrap();
        assert_eq!(
            s.units_on(line, next_month),
            Some(before_next + 3),
            "later periods move too"
        );
        assert!(s.units.len() <= rows_before + 1);
        assert_eq!(s.adjustments.len(), 1);
        assert_eq!(s.adjustments[0].effective_local_date, today);
        assert!(s.adjustments[0].via_parent_url);
    }

    // The root URL works as well; same-day adjustments merge into the same row.
    let (status, _) = srv
        .post(
            "ContractServiceAdjustments",
            json!({"contractID": contract, "contractServiceID": line, "unitChange": -1, "effectiveDate": noon(today)}),
        )
        .await;
    assert_eq!(status, 200);
    let s = srv.handle.state.lock().unwrap();
    assert_eq!(s.units_on(line, today), Some(before + 2));
    assert_eq!(s.adjustments.len(), 2);
}

#[tokio::test]
async fn adjustment_validation_errors_are_500_with_errors() {
    let world = World::new(42, 14, 320);
    let srv = start_with(&world, Behaviour::default()).await;
    let (contract, line) = srv.first_line(&world);
    let today = srv.today();
    let units = srv
        .handle
        .state
        .lock()
        .unwrap()
        .units_on(line, today)
        .unwrap();
    let posted = time::add_months(today, -3) + chrono::Duration::days(3);
    let cases = [
        json!({"contractID": contract, "contractServiceID": line, "unitChange": 1,
               "effectiveDate": noon(today + chrono::Duration::days(900))}),
        json!({"contractID": contract, "contractServiceID": line, "unitChange": -(units + 1),
               "effectiveDate": noon(today)}),
        json!({"contractID": contract, "contractServiceID": line, "unitChange": 1, "effectiveDate": noon(posted)}),
        json!({"contractID": contract, "contractServiceID": line, "unitChange": 1}),
        json!({"contractID": contract, "contractServiceID": line, "unitChange": "3", "effectiveDate": noon(today)}),
        json!({"contractID": contract + 1, "contractServiceID": line, "unitChange": 1, "effectiveDate": noon(today)}),
        json!({"contractID": contract, "unitChange": 1, "effectiveDate": noon(today)}),
    ];
    for body in cases {
        let (status, e) = srv
            .post(
                &format!("Contracts/{contract}/ServiceAdjustments"),
                body.clone(),
            )
            .await;
        assert_eq!(status, 500, "{body}");
        assert!(e["errors"][0].is_string(), "{body}: {e}");
    }
    let s = srv.handle.state.lock().unwrap();
    assert!(s.adjustments.is_empty());
    assert_eq!(s.units_on(line, today), Some(units));
}

#[tokio::test]
async fn adjustment_by_service_id_creates_a_missing_line() {
    let world = World::new(42, 14, 320);
    let srv = start_with(&world, Behaviour::default()).await;
    let (contract, _) = srv.first_line(&world);
    let today = srv.today();
    let backup = {
        let s = srv.handle.state.lock().unwrap();
        s.services
            .values()
            .find(|v| v["name"].as_str().unwrap().starts_with("Managed Backup"))
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let (status, _) = srv
        .post(
            &format!("Contracts/{contract}/ServiceAdjustments"),
            json!({"contractID": contract, "serviceID": backup, "unitChange": 4, "effectiveDate": noon(today)}),
        )
        .await;
    assert_eq!(status, 200);
    let s = srv.handle.state.lock().unwrap();
    let a = &s.adjustments[0];
    assert!(a.created_line);
    assert_eq!(s.units_on(a.contract_service_id, today), Some(4));
}

#[tokio::test]
async fn dropped_adjustment_response_is_applied_but_the_client_sees_a_failure() {
    let world = World::new(42, 14, 320);
    let srv = start_with(&world, Behaviour::default()).await;
    let (contract, line) = srv.first_line(&world);
    let today = srv.today();
    let before = srv
        .handle
        .state
        .lock()
        .unwrap()
        .units_on(line, today)
        .unwrap();
    let body = json!({"contractID": contract, "contractServiceID": line, "unitChange": 2, "effectiveDate": noon(today)});

    let r = srv
        .http
        .post(format!(
            "{}/_sandbox/drop-next-adjustment-response",
            srv.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = auth(
        srv.http
            .post(srv.url(&format!("Contracts/{contract}/ServiceAdjustments"))),
    )
    .json(&body)
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), 504);
    assert!(r.json::<Value>().await.is_err(), "no usable body");
    {
        let s = srv.handle.state.lock().unwrap();
        assert_eq!(
            s.units_on(line, today),
            Some(before + 2),
            "the write happened"
        );
        assert_eq!(s.adjustments.len(), 1);
        assert!(s.adjustments[0].response_dropped);
    }

    srv.http
        .post(format!(
            "{}/_sandbox/drop-next-adjustment-response",
            srv.base
        ))
        .json(&json!({"mode": "truncated"}))
        .send()
        .await
        .unwrap();
    let r = auth(srv.http.post(srv.url("ContractServiceAdjustments")))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.json::<Value>().await.is_err());
    let state: Value = srv
        .http
        .get(format!("{}/_sandbox/state", srv.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(state["adjustments"].as_array().unwrap().len(), 2);
    let line_state = state["contractServices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == json!(line))
        .unwrap();
    assert_eq!(line_state["currentUnits"], json!(before + 4));

    // The next adjustment answers normally again.
    let (status, ok) = srv.post("ContractServiceAdjustments", body).await;
    assert_eq!(status, 200);
    assert!(ok["itemId"].is_number());
}

#[tokio::test]
async fn midnight_utc_effective_date_lands_on_the_previous_local_day() {
    let world = World::new(42, 14, 320);
    let srv = start_with(&world, Behaviour::default()).await;
    let (contract, line) = srv.first_line(&world);
    let today = srv.today();
    let tomorrow = today + chrono::Duration::days(1);
    let (status, _) = srv
        .post(
            "ContractServiceAdjustments",
            json!({"contractID": contract, "contractServiceID": line, "unitChange": 1,
                   "effectiveDate": format!("{tomorrow}T00:00:00Z")}),
        )
        .await;
    assert_eq!(status, 200);
    let s = srv.handle.state.lock().unwrap();
    assert_eq!(s.adjustments[0].effective_local_date, today);
}

#[tokio::test]
async fn seeded_data_has_every_awkward_case() {
    let world = World::new(42, 14, 320);
    let srv = start_with(&world, Behaviour::default()).await;
    let s = srv.handle.state.lock().unwrap();
    let today = s.time_zone.today();
    let recurring = |company: i64| -> Vec<&Value> {
        s.contracts_of(company)
            .into_iter()
            .filter(|c| c["contractType"] == json!(CONTRACT_RECURRING))
            .collect()
    };
    assert!(s.companies.contains_key(&0));
    assert!(s.companies.values().any(|c| c["isActive"] == json!(false)));
    assert!(s.services.values().any(|v| v["isActive"] == json!(false)));
    let mut equal = 0;
    let mut different = 0;
    for (i, cust) in world.customers.iter().enumerate() {
        let company = s.company_id(&cust.name).unwrap();
        let contracts = recurring(company);
        match cust.quirk {
            Quirk::NoAgreement => assert!(s.contracts_of(company).is_empty()),
            Quirk::TwoAgreements => {
                let active: Vec<_> = contracts
                    .iter()
                    .filter(|c| c["status"] == json!(1))
                    .collect();
                assert_eq!(active.len(), 2);
                let services = |c: &Value| -> HashSet<i64> {
                    s.lines_of(c["id"].as_i64().unwrap())
                        .iter()
                        .map(|l| l["serviceID"].as_i64().unwrap())
                        .collect()
                };
                assert!(!services(active[0]).is_disjoint(&services(active[1])));
            }
            Quirk::DuplicatedLine => {
                let lines = s.lines_of(contracts[0]["id"].as_i64().unwrap());
                let ids: Vec<_> = lines
                    .iter()
                    .map(|l| l["serviceID"].as_i64().unwrap())
                    .collect();
                assert!(ids.len() > ids.iter().collect::<HashSet<_>>().len());
            }
            Quirk::CancelledLine => {
                assert!(contracts
                    .iter()
                    .any(|c| c["status"] == json!(STATUS_INACTIVE)
                        && time::stored_date(&c["endDate"]).unwrap() < today));
            }
            _ => {}
        }
        if i == 1 {
            assert!(s
                .contracts_of(company)
                .iter()
                .any(|c| c["contractType"] == json!(CONTRACT_BLOCK_HOURS)));
        }
        if cust.quirk == Quirk::None {
            let live = contracts[0]["id"].as_i64().unwrap();
            for l in s.lines_of(live) {
                let sid = l["serviceID"].as_i64().unwrap();
                let Some(k) = crate::seed::SERVICES
                    .iter()
                    .position(|x| s.services[&sid]["name"] == json!(format!("Coro {}", x.name)))
                else {
                    continue;
                };
                let units = s.units_on(l["id"].as_i64().unwrap(), today).unwrap();
                if units == i64::from(world.usage(i, k)) {
                    equal += 1;
                } else {
                    different += 1;
                }
            }
        }
    }
    assert!(
        equal > 0 && different > 0,
        "{equal} equal, {different} different"
    );
    // Past periods are approved & posted; the current one is not.
    assert!(s.units.values().any(|u| !u["approveAndPostDate"].is_null()));
    let (_, line) = {
        let company = s.company_id(&world.customers[0].name).unwrap();
        let c = s.contracts_of(company)[0]["id"].as_i64().unwrap();
        (c, s.lines_of(c)[0]["id"].as_i64().unwrap())
    };
    assert!(s.current_row(line, today).unwrap()["approveAndPostDate"].is_null());
}

#[tokio::test]
async fn sandbox_controls_are_not_logged() {
    let srv = start().await;
    srv.get("Companies/0").await;
    let log: Vec<Value> = srv
        .http
        .get(format!("{}/_sandbox/requests", srv.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["path"], json!("/V1.0/Companies/0"));
    assert_eq!(log[0]["headers"]["UserName"], json!(DEMO_USERNAME));
    let r = srv
        .http
        .delete(format!("{}/_sandbox/requests", srv.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert!(srv.handle.gate.requests().is_empty());
    srv.http
        .post(format!("{}/_sandbox/faults", srv.base))
        .json(&json!({"next": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(srv.get("Companies/0").await.0, 503);
    assert_eq!(srv.get("Companies/0").await.0, 200);
}

/// Unit queries naming lines are answered from the per-line index: the same rows, in the same
/// order, as filtering every row — also after adjustments have split periods into new rows.
#[tokio::test]
async fn unit_queries_by_line_match_a_full_scan() {
    let world = World::new(42, 14, 320);
    let srv = start_with(&world, Behaviour::default()).await;
    let (contract, line) = srv.first_line(&world);
    let today = srv.today();
    let (status, _) = srv
        .post(
            &format!("Contracts/{contract}/ServiceAdjustments"),
            json!({"contractID": contract, "contractServiceID": line, "unitChange": 2,
                   "effectiveDate": noon(today)}),
        )
        .await;
    assert_eq!(status, 200);
    let lines: Vec<i64> = {
        let s = srv.handle.state.lock().unwrap();
        let mut ids: Vec<i64> = s.contract_services.keys().copied().take(40).collect();
        ids.push(line);
        ids
    };
    let window = json!([
        {"op": "gte", "field": "endDate", "value": time::fmt_date(today - chrono::Duration::days(2))},
        {"op": "lte", "field": "startDate", "value": time::fmt_date(today + chrono::Duration::days(2))},
    ]);
    let mut filter = vec![json!({"op": "in", "field": "ContractServiceID", "value": lines})];
    filter.extend(window.as_array().unwrap().iter().cloned());
    let (status, page) = srv
        .post("ContractServiceUnits/query", json!({"filter": filter}))
        .await;
    assert_eq!(status, 200, "{page}");
    let got: Vec<i64> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_i64().unwrap())
        .collect();
    let want: Vec<i64> = {
        let s = srv.handle.state.lock().unwrap();
        let (lo, hi) = (
            today - chrono::Duration::days(2),
            today + chrono::Duration::days(2),
        );
        s.units
            .values()
            .filter(|u| lines.contains(&u["contractServiceID"].as_i64().unwrap()))
            .filter(|u| {
                time::stored_date(&u["endDate"]).unwrap() >= lo
                    && time::stored_date(&u["startDate"]).unwrap() <= hi
            })
            .map(|u| u["id"].as_i64().unwrap())
            .collect()
    };
    assert!(
        want.len() > 40,
        "the query covers many rows: {}",
        want.len()
    );
    assert_eq!(got, want);
    // The adjusted line's split rows are among them, and today's units moved by 2.
    let s = srv.handle.state.lock().unwrap();
    assert!(s.unit_rows_of(line).count() >= 2);
}
