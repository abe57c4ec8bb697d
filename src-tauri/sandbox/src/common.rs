//! Behaviour shared by the three simulated APIs: deterministic randomness, injected latency and
//! faults, a fixed-window rate limit answered with 429 + Retry-After, and a request log whose lines
//! have the shape `shared/reference/specs/validate_requests.py` reads.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::{HeaderMap, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde::Serialize;

use super::faults::{self, FaultKind, RouteFaults};

/// SplitMix64: small, deterministic, good enough to seed demo data and fault decisions.
#[derive(Debug, Clone)]
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Self {
        Rng(seed ^ 0x9E37_79B9_7F4A_7C15)
    }
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    /// Uniform in `lo..=hi`.
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        if hi <= lo {
            return lo;
        }
        lo + self.next_u64() % (hi - lo + 1)
    }
    /// True with probability `p` (0.0..=1.0).
    pub fn chance(&mut self, p: f64) -> bool {
        (self.next_u64() >> 11) as f64 / (1u64 << 53) as f64 <= p && p > 0.0
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        let i = self.range(0, items.len().saturating_sub(1) as u64) as usize;
        &items[i]
    }
}

/// Knobs common to every simulated API (set from `psa-bridge sandbox` flags).
#[derive(Debug, Clone)]
pub struct Behaviour {
    /// Added to every response.
    pub latency: Duration,
    /// Share of requests (0.0..=1.0) answered with an injected 503 before reaching the handler.
    pub fault_rate: f64,
    /// Requests allowed per credential in each `rate_window`; past it, 429 with Retry-After.
    pub rate_limit: u32,
    pub rate_window: Duration,
    pub seed: u64,
}

impl Default for Behaviour {
    fn default() -> Self {
        Behaviour {
            latency: Duration::ZERO,
            fault_rate: 0.0,
            rate_limit: 10_000,
            rate_window: Duration::from_secs(60),
            seed: 42,
        }
    }
}

/// One recorded request, in the JSONL shape of the spec validator. Paths are recorded relative to
/// the API base (for example `/company/companies`, `/V1.0/Companies/query`, `/v1/usage`).
#[derive(Debug, Clone, Serialize)]
pub struct LoggedRequest {
    pub method: String,
    pub path: String,
    pub query: serde_json::Map<String, serde_json::Value>,
    pub headers: serde_json::Map<String, serde_json::Value>,
    pub body: serde_json::Value,
}

/// Shared gate state for one simulated server.
#[derive(Debug)]
pub struct Gate {
    pub behaviour: Behaviour,
    /// Prefix stripped from logged paths (`/v4_6_release/apis/3.0`, `/ATServicesRest`, ``).
    pub base_prefix: &'static str,
    /// Header names kept in the log (compared case-insensitively); values of secret headers are
    /// replaced by `***`.
    pub logged_headers: &'static [&'static str],
    rng: Mutex<Rng>,
    windows: Mutex<HashMap<String, (Instant, u32)>>,
    log: Mutex<Vec<LoggedRequest>>,
    /// Set by tests to make the next N requests fail with 503 regardless of `fault_rate`.
    forced_faults: Mutex<u32>,
    /// Set by tests: after this many more requests, every request is answered 429 (None: off).
    saturate_after: Mutex<Option<u32>>,
    /// Set by tests: cut-off bodies or 503s on chosen routes (`/_sandbox/route-faults`).
    pub route_faults: RouteFaults,
}

impl Gate {
    pub fn new(
        behaviour: Behaviour,
        base_prefix: &'static str,
        logged_headers: &'static [&'static str],
    ) -> Arc<Self> {
        let rng = Rng::new(behaviour.seed.wrapping_add(7));
        Arc::new(Gate {
            behaviour,
            base_prefix,
            logged_headers,
            rng: Mutex::new(rng),
            windows: Mutex::new(HashMap::new()),
            log: Mutex::new(Vec::new()),
            forced_faults: Mutex::new(0),
            saturate_after: Mutex::new(None),
            route_faults: RouteFaults::default(),
        })
    }

    /// Every request seen so far.
    pub fn requests(&self) -> Vec<LoggedRequest> {
        self.log.lock().map(|l| l.clone()).unwrap_or_default()
    }

    pub fn clear_requests(&self) {
        if let Ok(mut l) = self.log.lock() {
            l.clear();
        }
    }

    /// Force the next `n` requests to fail with 503.
    pub fn force_faults(&self, n: u32) {
        if let Ok(mut f) = self.forced_faults.lock() {
            *f = n;
        }
    }

    /// After the next `n` requests, answer every request 429 (a saturated API); None turns it off.
    pub fn saturate_after(&self, n: Option<u32>) {
        if let Ok(mut s) = self.saturate_after.lock() {
            *s = n;
        }
    }

    fn saturated(&self) -> bool {
        match self.saturate_after.lock().as_deref_mut() {
            Ok(Some(0)) => true,
            Ok(Some(n)) => {
                *n -= 1;
                false
            }
            _ => false,
        }
    }

    fn take_fault(&self) -> bool {
        if let Ok(mut f) = self.forced_faults.lock() {
            if *f > 0 {
                *f -= 1;
                return true;
            }
        }
        let p = self.behaviour.fault_rate;
        p > 0.0 && self.rng.lock().map(|mut r| r.chance(p)).unwrap_or(false)
    }

    /// Counts a request against `key`'s window; returns the seconds to wait when over the limit.
    fn over_limit(&self, key: &str) -> Option<u64> {
        let now = Instant::now();
        let window = self.behaviour.rate_window;
        let mut map = self.windows.lock().ok()?;
        let entry = map.entry(key.to_string()).or_insert((now, 0));
        if now.duration_since(entry.0) >= window {
            *entry = (now, 0);
        }
        entry.1 += 1;
        if entry.1 > self.behaviour.rate_limit {
            let left = window.saturating_sub(now.duration_since(entry.0));
            Some(left.as_secs().max(1))
        } else {
            None
        }
    }

    fn record(&self, req: LoggedRequest) {
        if let Ok(mut l) = self.log.lock() {
            l.push(req);
        }
    }
}

const SECRET_HEADERS: &[&str] = &["authorization", "secret"];

fn logged_headers(gate: &Gate, headers: &HeaderMap) -> serde_json::Map<String, serde_json::Value> {
    let mut out = serde_json::Map::new();
    for name in gate.logged_headers {
        if let Some(v) = headers.get(*name).and_then(|v| v.to_str().ok()) {
            let value = if SECRET_HEADERS.contains(&name.to_ascii_lowercase().as_str()) {
                if v.starts_with("Basic ") {
                    "Basic ***".to_string()
                } else if v.starts_with("Bearer ") {
                    "Bearer ***".to_string()
                } else {
                    "***".to_string()
                }
            } else {
                v.to_string()
            };
            out.insert((*name).to_string(), serde_json::Value::String(value));
        }
    }
    out
}

fn parse_query(q: Option<&str>) -> serde_json::Map<String, serde_json::Value> {
    let mut out = serde_json::Map::new();
    if let Some(q) = q {
        for (k, v) in url_decode_pairs(q) {
            out.insert(k, serde_json::Value::String(v));
        }
    }
    out
}

/// Decodes `a=b&c=d` with `+` and `%XX` escapes.
pub fn url_decode_pairs(q: &str) -> Vec<(String, String)> {
    q.split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

pub fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' if i + 2 < bytes.len() => {
                let hex = std::str::from_utf8(&bytes[i + 1..i + 3]).unwrap_or("");
                match u8::from_str_radix(hex, 16) {
                    Ok(b) => {
                        out.push(b);
                        i += 2;
                    }
                    Err(_) => out.push(b'%'),
                }
            }
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Rate-limit key: the credential the caller presents (so two tenants don't share a window).
fn credential_key(headers: &HeaderMap) -> String {
    for name in ["authorization", "username", "apiintegrationcode"] {
        if let Some(v) = headers.get(name).and_then(|v| v.to_str().ok()) {
            return format!("{name}:{v}");
        }
    }
    "anonymous".to_string()
}

/// Axum middleware: log, latency, injected faults, rate limit. Handlers see only requests that
/// passed. Requests under `/_sandbox/` (test controls) skip all of it.
pub async fn gate(State(gate): State<Arc<Gate>>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    if path.starts_with("/_sandbox/") {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let bytes = match to_bytes(body, 16 * 1024 * 1024).await {
        Ok(b) => b,
        Err(_) => return (StatusCode::PAYLOAD_TOO_LARGE, "body too large").into_response(),
    };
    let body_json = if bytes.is_empty() {
        serde_json::Value::Null
    } else {
        serde_json::from_slice(&bytes)
            .unwrap_or_else(|_| serde_json::Value::String(String::from_utf8_lossy(&bytes).into()))
    };
    let body_json = redact_body(body_json);
    let rel = strip_prefix_ci(&path, gate.base_prefix);
    gate.record(LoggedRequest {
        method: parts.method.to_string(),
        path: rel,
        query: parse_query(parts.uri.query()),
        headers: logged_headers(&gate, &parts.headers),
        body: body_json.clone(),
    });
    if !gate.behaviour.latency.is_zero() {
        tokio::time::sleep(gate.behaviour.latency).await;
    }
    let over = if gate.saturated() {
        Some(1)
    } else {
        gate.over_limit(&credential_key(&parts.headers))
    };
    if let Some(wait) = over {
        return (
            StatusCode::TOO_MANY_REQUESTS,
            [("Retry-After", wait.to_string())],
            axum::Json(serde_json::json!({
                "code": "TooManyRequests",
                "message": "Rate limit exceeded, retry later",
                "errors": ["Rate limit exceeded"]
            })),
        )
            .into_response();
    }
    if gate.take_fault() {
        return (
            StatusCode::SERVICE_UNAVAILABLE,
            axum::Json(
                serde_json::json!({"code": "ServiceUnavailable", "message": "injected fault"}),
            ),
        )
            .into_response();
    }
    let fault = gate.route_faults.take(&faults::Matched {
        method: &parts.method,
        path: &rel_path(&gate, &path),
        headers: &parts.headers,
        body: &body_json,
    });
    if fault == Some(FaultKind::Unavailable) {
        return faults::unavailable();
    }
    let resp = next
        .run(Request::from_parts(parts, Body::from(bytes)))
        .await;
    if fault == Some(FaultKind::Truncate) {
        return faults::truncate(resp).await;
    }
    resp
}

fn rel_path(gate: &Gate, path: &str) -> String {
    strip_prefix_ci(path, gate.base_prefix)
}

/// Replaces the values of secret-looking body fields (`client_secret`, `password`, …) so the
/// request log never holds a credential, even a demo one.
fn redact_body(value: serde_json::Value) -> serde_json::Value {
    match value {
        serde_json::Value::Object(map) => serde_json::Value::Object(
            map.into_iter()
                .map(|(k, v)| {
                    let lower = k.to_ascii_lowercase();
                    if ["secret", "password", "privatekey", "private_key"]
                        .iter()
                        .any(|s| lower.contains(s))
                    {
                        (k, serde_json::Value::String("***".into()))
                    } else {
                        (k, redact_body(v))
                    }
                })
                .collect(),
        ),
        serde_json::Value::Array(items) => {
            serde_json::Value::Array(items.into_iter().map(redact_body).collect())
        }
        other => other,
    }
}

fn strip_prefix_ci(path: &str, prefix: &str) -> String {
    if !prefix.is_empty()
        && path.len() >= prefix.len()
        && path[..prefix.len()].eq_ignore_ascii_case(prefix)
    {
        let rest = &path[prefix.len()..];
        if rest.is_empty() {
            "/".to_string()
        } else {
            rest.to_string()
        }
    } else {
        path.to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rng_is_deterministic() {
        let mut a = Rng::new(1);
        let mut b = Rng::new(1);
        assert_eq!(a.next_u64(), b.next_u64());
        assert_ne!(Rng::new(1).next_u64(), Rng::new(2).next_u64());
    }

    #[test]
    fn percent_decoding() {
        assert_eq!(percent_decode("a%20b+c"), "a b c");
        assert_eq!(
            percent_decode("name%20like%20%22A%25%22"),
            "name like \"A%\""
        );
        assert_eq!(percent_decode("bad%zz"), "bad%zz");
    }

    #[test]
    fn secret_body_fields_are_redacted_in_the_log() {
        let v = serde_json::json!({"client_id": "a", "client_secret": "s3cr3t", "nested": [{"Password": "p"}]});
        let text = redact_body(v).to_string();
        assert!(
            !text.contains("s3cr3t") && !text.contains("\"p\""),
            "{text}"
        );
        assert!(text.contains("\"client_id\":\"a\""));
    }

    #[test]
    fn prefix_is_stripped_case_insensitively() {
        assert_eq!(
            strip_prefix_ci("/atservicesrest/V1.0/Companies/query", "/ATServicesRest"),
            "/V1.0/Companies/query"
        );
        assert_eq!(strip_prefix_ci("/v1/usage", ""), "/v1/usage");
    }
}
