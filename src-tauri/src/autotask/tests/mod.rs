//! Mock-server tests of the Autotask client. Every request is pinned (path, headers, body); an
//! unexpected one gets mockito's 501 and fails the test. Requests are also recorded as JSONL and
//! checked against the vendor's reduced Swagger with `shared/reference/specs/validate_requests.py`.

mod billing;
mod browse;
mod connect;
mod limits;
mod spec_check;
mod writes;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::NaiveDate;
use mockito::{Matcher, Mock, ServerGuard};
use serde_json::{json, Value};

use super::client::{AutotaskClient, AutotaskConfig, ClientOptions};
use crate::secrets::Sensitive;
use spec_check::validate_requests;

pub const USER: &str = "abcd1234efgh@EXAMPLE.COM";
pub const SECRET: &str = "Fake-Secret-For-Tests-Only";
pub const CODE: &str = "XXXXXXXXXXXXXXXXXXXXXXXXXXX";
/// The origin fixtures use in absolute URLs; replaced by the mock server's.
const LIVE_ORIGIN: &str = "https://webservices3.autotask.net";
pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 17).unwrap()
}

pub fn fixture(name: &str) -> String {
    let path = format!("{}/contract/autotask/{name}", env!("CARGO_MANIFEST_DIR"));
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("fixture {path}: {e}"))
}

pub type Recorder = Arc<Mutex<Vec<Value>>>;

/// The request as the validator wants it: path relative to `/ATServicesRest`.
fn record(rec: &Recorder, req: &mockito::Request) {
    let path = req.path();
    let rel = path
        .to_ascii_lowercase()
        .find("/atservicesrest")
        .map_or(path, |i| &path[i + "/atservicesrest".len()..]);
    let url = reqwest::Url::parse(&format!("http://x{}", req.path_and_query())).unwrap();
    let query: serde_json::Map<String, Value> = url
        .query_pairs()
        .map(|(k, v)| (k.to_string(), json!(v)))
        .collect();
    let headers: serde_json::Map<String, Value> = req
        .headers()
        .iter()
        .map(|(k, v)| (k.as_str().to_string(), json!(v.to_str().unwrap_or(""))))
        .collect();
    let body = req.body().ok().filter(|b| !b.is_empty()).map(|b| {
        serde_json::from_slice::<Value>(b).unwrap_or_else(|_| json!(String::from_utf8_lossy(b)))
    });
    rec.lock().unwrap().push(json!({
        "method": req.method(), "path": rel, "query": query, "headers": headers, "body": body,
    }));
}

/// A mock server, a client pointed at it, and the request log.
pub struct Fx {
    pub server: ServerGuard,
    pub rec: Recorder,
    pub client: AutotaskClient,
}

impl Fx {
    pub async fn new() -> Fx {
        Fx::with(|_, _| {}).await
    }

    /// `edit` gets the config and the mock server's URL.
    pub async fn with(edit: impl FnOnce(&mut AutotaskConfig, &str)) -> Fx {
        let server = mockito::Server::new_async().await;
        let mut cfg = AutotaskConfig::new(USER, CODE);
        cfg.discovery_url = server.url();
        edit(&mut cfg, &server.url());
        let opts = ClientOptions {
            today: Some(Arc::new(today)),
            verify_settle: Some(Duration::ZERO),
            max_retry_pause: Some(Duration::from_millis(5)),
        };
        let client =
            AutotaskClient::with_options(cfg, Sensitive::new(SECRET.to_string()), opts).unwrap();
        Fx {
            server,
            rec: Recorder::default(),
            client,
        }
    }

    pub fn url(&self) -> String {
        self.server.url()
    }

    /// A fixture with its absolute URLs pointing at the mock server.
    pub fn body(&self, name: &str) -> String {
        fixture(name).replace(LIVE_ORIGIN, &self.url())
    }

    /// Responds with `status` and `body`, recording the request.
    pub fn reply(&self, mock: Mock, status: usize, body: String) -> Mock {
        let rec = self.rec.clone();
        mock.with_status(status)
            .with_header("content-type", "application/json; charset=utf-8")
            .with_body_from_request(move |req| {
                record(&rec, req);
                body.clone().into_bytes()
            })
    }

    /// Zone discovery: unauthenticated (no Secret or tracking identifier sent), `user=` query.
    pub fn zone_mock(&mut self, root_path: &str) -> Mock {
        let body = json!({"zoneName":"America East 3","url": format!("{}{root_path}", self.url()),
                          "webUrl":"https://ww3.autotask.net/","ci":8812345});
        let m = self
            .server
            .mock("GET", "/atservicesrest/v1.0/zoneInformation")
            .match_query(Matcher::UrlEncoded("user".into(), USER.into()))
            .match_header("Secret", Matcher::Missing)
            .match_header("ApiIntegrationCode", Matcher::Missing);
        self.reply(m, 200, body.to_string())
    }

    /// An authenticated call below the default zone root, headers pinned.
    pub fn api(&mut self, method: &str, path: &str) -> Mock {
        self.api_at("/atservicesrest", method, path)
    }

    pub fn api_at(&mut self, root: &str, method: &str, path: &str) -> Mock {
        let m = self
            .server
            .mock(method, format!("{root}{path}").as_str())
            .match_header("UserName", USER)
            .match_header("Secret", SECRET)
            .match_header("ApiIntegrationCode", CODE);
        if method == "POST" {
            m.match_header("content-type", "application/json")
        } else {
            m.match_header("content-type", Matcher::Missing)
        }
    }

    /// `POST {Entity}/query` with exactly this body.
    pub fn query(&mut self, entity: &str, body: Value) -> Mock {
        self.api("POST", &format!("/V1.0/{entity}/query"))
            .match_body(Matcher::Json(body))
    }

    pub fn threshold_mock(&mut self) -> Mock {
        let m = self.api("GET", "/V1.0/ThresholdInformation");
        self.reply(m, 200, fixture("threshold_information.json"))
    }

    /// Checks the recorded requests against the reduced vendor spec (0 violations required).
    pub fn validate(&self) {
        validate_requests(&self.rec.lock().unwrap())
    }
}

/// The validator is not vacuous: a request without its Secret header is a violation.
#[test]
fn validator_flags_a_missing_header() {
    let bad = json!({"method":"POST","path":"/V1.0/Companies/query","query":{},
                     "headers":{"UserName":USER,"ApiIntegrationCode":CODE,"content-type":"application/json"},
                     "body":{"filter":[{"op":"gte","field":"id","value":0}],"MaxRecords":500}});
    if let Some((ok, stdout)) = spec_check::run_validator(&[&bad]) {
        assert!(
            !ok && stdout.contains("missing required header 'Secret'"),
            "{stdout}"
        );
    }
}
