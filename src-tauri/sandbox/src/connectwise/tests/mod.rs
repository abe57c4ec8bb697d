//! End-to-end tests of the simulated ConnectWise API over a real loopback listener: the
//! harness here, reads (paging, queries, auth, limits, discovery, versions) in `reads`, writes,
//! seeded data and controls in `writes`.

mod contract;
mod reads;
mod writes;

use reqwest::{Client, RequestBuilder, StatusCode};
use serde_json::Value;
use tokio::net::TcpListener;

use super::*;

pub(super) fn b64(input: &[u8]) -> String {
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

pub(super) struct Api {
    pub(super) http: Client,
    pub(super) root: String,
    pub(super) api: String,
    pub(super) auth: String,
    pub(super) handle: Handle,
}

impl Api {
    pub(super) fn with_keys(&self, public: &str, private: &str) -> String {
        format!(
            "Basic {}",
            b64(format!("{COMPANY_ID}+{public}:{private}").as_bytes())
        )
    }
    /// A request with the given Authorization value and the demo clientId (no Accept version:
    /// newest models).
    pub(super) fn req_as(&self, method: reqwest::Method, path: &str, auth: &str) -> RequestBuilder {
        self.http
            .request(method, format!("{}{path}", self.api))
            .header("Authorization", auth)
            .header("clientId", CLIENT_ID)
    }
    pub(super) fn req(&self, method: reqwest::Method, path: &str) -> RequestBuilder {
        self.req_as(method, path, &self.auth)
    }
    pub(super) fn get(&self, path: &str) -> RequestBuilder {
        self.req(reqwest::Method::GET, path)
    }
    pub(super) async fn json(&self, path: &str) -> Value {
        let r = self.get(path).send().await.expect("send");
        assert_eq!(r.status(), StatusCode::OK, "{path}");
        r.json().await.expect("json")
    }
}

pub(super) async fn start(world: &World, behaviour: Behaviour) -> Api {
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

pub(super) async fn small() -> Api {
    start(&World::new(42, 14, 120), Behaviour::default()).await
}

pub(super) fn next_link(resp: &reqwest::Response) -> Option<String> {
    let link = resp.headers().get("link")?.to_str().ok()?;
    link.split(", ")
        .find(|p| p.ends_with("rel=\"next\""))
        .and_then(|p| p.split(['<', '>']).nth(1))
        .map(str::to_string)
}
