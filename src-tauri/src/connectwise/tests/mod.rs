//! Mock-server tests: every request the client sends is pinned (path, query, headers, body), and
//! mockito answers 501 to anything not mocked, so an unexpected request fails the test.

mod billing;
mod browse;
mod connect;
mod contract;
mod decisions;
mod read_faults;
mod writes;

use std::sync::Arc;
use std::time::Duration;

use chrono::NaiveDate;
use mockito::{Matcher, Mock, ServerGuard};

use super::auth::base64;
use super::{ClientOptions, ConnectWiseClient, ConnectWiseConfig};
use crate::secrets::Sensitive;

pub const COMPANY: &str = "contoso";
pub const PUBLIC_KEY: &str = "pubKey123";
pub const PRIVATE_KEY: &str = "privKey456";
pub const CLIENT_ID: &str = "3f2504e0-4f89-11d3-9a0c-0305e82c3301";
pub const CODEBASE: &str = "v2025_1/";
pub const ACCEPT: &str = "application/vnd.connectwise.com+json; version=2025.8";

/// Fixture text from `contract/connectwise/` (the contract fixtures the sandbox is held to as well), compiled in.
macro_rules! fixture {
    ($name:literal) => {
        include_str!(concat!(
            env!("CARGO_MANIFEST_DIR"),
            "/contract/connectwise/",
            $name
        ))
    };
}
pub(crate) use fixture;

pub fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2025, 6, 15).unwrap_or_default()
}

pub fn authorization() -> String {
    format!(
        "Basic {}",
        base64(format!("{COMPANY}+{PUBLIC_KEY}:{PRIVATE_KEY}").as_bytes())
    )
}

pub fn config(site: &str) -> ConnectWiseConfig {
    ConnectWiseConfig {
        site: site.to_string(),
        company: COMPANY.to_string(),
        public_key: PUBLIC_KEY.to_string(),
        client_id: CLIENT_ID.to_string(),
    }
}

pub fn options(page_size: u32) -> ClientOptions {
    ClientOptions {
        timeout: Duration::from_secs(5),
        page_size,
        max_in_flight: 4,
        today: Arc::new(today),
    }
}

pub fn client_for(site: &str, page_size: u32) -> ConnectWiseClient {
    let key = Sensitive::new(PRIVATE_KEY.to_string());
    match ConnectWiseClient::with_options(&config(site), &key, options(page_size)) {
        Ok(c) => c,
        Err(e) => panic!("client: {e}"),
    }
}

/// `{path}` under the discovered codebase: `/v2025_1/apis/3.0{path}`.
pub fn api(path: &str) -> String {
    format!("/{CODEBASE}apis/3.0{path}")
}

/// `Matcher` for a query holding exactly these decoded pairs (extra pairs are caught by the
/// recorded-request assertions).
pub fn query(pairs: &[(&str, &str)]) -> Matcher {
    Matcher::AllOf(
        pairs
            .iter()
            .map(|(k, v)| Matcher::UrlEncoded(k.to_string(), v.to_string()))
            .collect(),
    )
}

pub struct Harness {
    pub server: ServerGuard,
    pub client: ConnectWiseClient,
}

impl Harness {
    pub async fn new() -> Harness {
        Harness::with_page_size(1000).await
    }

    pub async fn with_page_size(page_size: u32) -> Harness {
        let server = mockito::Server::new_async().await;
        let client = client_for(&server.url(), page_size);
        Harness { server, client }
    }

    /// Codebase discovery answering `v2025_1/`, with no Authorization header.
    pub async fn discovery(&mut self) -> Mock {
        self.server
            .mock("GET", "/login/companyinfo/contoso")
            .match_header("authorization", Matcher::Missing)
            .with_header("content-type", "application/json")
            .with_body(fixture!("companyinfo.json"))
            .expect(1)
            .create_async()
            .await
    }

    /// A mock for an authenticated API call that pins the headers every call must carry.
    pub fn api(&mut self, method: &str, path: &str) -> Mock {
        self.server
            .mock(method, api(path).as_str())
            .match_header("authorization", authorization().as_str())
            .match_header("clientid", CLIENT_ID)
            .match_header("accept", ACCEPT)
            .match_header("cache-control", "no-cache")
    }

    /// What the client sent to `/apis/3.0`, as JSONL-ready values.
    pub fn requests(&self) -> Vec<serde_json::Value> {
        self.client
            .inner
            .recorded
            .lock()
            .map(|r| r.clone())
            .unwrap_or_default()
    }
}
