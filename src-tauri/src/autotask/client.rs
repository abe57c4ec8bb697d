//! The Autotask connection: configuration, zone discovery (cached, re-run once on a 401),
//! the four headers, the thread limit (at most 3 requests in flight per connector), the hourly
//! budget pacing, and the two send loops: [`AutotaskClient::read`] (queries and GETs, safe to
//! repeat, so 5xx and timeouts are retried) and [`AutotaskClient::write`] (a POST that is not
//! idempotent: only a 429 or a 401 from a moved zone, which the server did not process, is
//! resent; anything ambiguous is handed back for verification by re-reading).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, CONTENT_TYPE};
use reqwest::{Method, StatusCode, Url};
use serde_json::Value;
use tokio::sync::Semaphore;

use super::budget::{Budget, BudgetUsage};
use super::errors::{self, error_messages, is_rate_limit};
use super::models::ThresholdInformation;
use super::query::Tally;
use super::tz::{self, TenantOffset};
use crate::http::{self, retry_decision, Retry};
use crate::psa::PsaError;
use crate::secrets::Sensitive;

/// Zone discovery host (reference §1). Any zone answers it; `webservices` is the documented one.
pub const DEFAULT_DISCOVERY_URL: &str = "https://webservices.autotask.net/atservicesrest";
/// Requests in flight per connector: Autotask's thread limit per tracking identifier + endpoint.
pub const MAX_IN_FLIGHT: usize = 3;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
const ATTEMPTS: u32 = 4;

/// What a connector stores (never the Secret, which lives in the keychain).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AutotaskConfig {
    /// The API-only user's username (e-mail-like).
    pub username: String,
    /// The API tracking identifier (`ApiIntegrationCode`).
    pub integration_code: String,
    /// Zone REST root override (e.g. `https://webservices3.autotask.net/atservicesrest/`);
    /// skips discovery.
    pub zone_url: Option<String>,
    /// Where zone discovery runs: a host or REST root ([`DEFAULT_DISCOVERY_URL`]); tests and the
    /// sandbox pass their own.
    pub discovery_url: String,
    /// The Autotask database's UTC offset in minutes, when known (see `tz`). None: "today" is the
    /// machine's local day and effective dates use noon UTC.
    pub tenant_utc_offset_minutes: Option<i32>,
}

impl AutotaskConfig {
    pub fn new(username: &str, integration_code: &str) -> AutotaskConfig {
        AutotaskConfig {
            username: username.trim().to_string(),
            integration_code: integration_code.trim().to_string(),
            zone_url: None,
            discovery_url: DEFAULT_DISCOVERY_URL.to_string(),
            tenant_utc_offset_minutes: None,
        }
    }
}

/// Source of the tenant's "today" (the only clock the client reads).
pub type TodayFn = Arc<dyn Fn() -> NaiveDate + Send + Sync>;

/// Knobs with production defaults; tests shorten the waits.
#[derive(Clone, Default)]
pub struct ClientOptions {
    /// Overrides the default "today" (tenant offset or machine-local day).
    pub today: Option<TodayFn>,
    /// Pause before re-reading a line after an ambiguous write, so a POST the server is still
    /// processing is not mistaken for one that never arrived (default 10 s).
    pub verify_settle: Option<Duration>,
    /// Upper bound on any retry pause (tests).
    pub max_retry_pause: Option<Duration>,
}

/// Where a request goes: a path below the zone root, or a `nextPageUrl`.
#[derive(Debug, Clone)]
pub(crate) enum Target {
    Path(String),
    Absolute(Url),
}

/// A write's result when the server may or may not have applied it.
pub(crate) enum WriteOutcome {
    Done(Vec<u8>),
    Ambiguous(String),
}

struct Raw {
    status: StatusCode,
    retry_after: Option<Duration>,
    body: Vec<u8>,
}

/// Line prices seen by `read_billing`, reused by writes (contract service id → price, cost, service).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct LinePrice {
    pub unit_price: Option<f64>,
    pub unit_cost: Option<f64>,
    pub service_id: Option<i64>,
}

pub(crate) struct Inner {
    http: reqwest::Client,
    pub(crate) cfg: AutotaskConfig,
    secret: Sensitive<String>,
    pub(crate) offset: Option<TenantOffset>,
    discovery: Url,
    override_zone: Option<Zone>,
    zone: tokio::sync::Mutex<Option<Zone>>,
    permits: Semaphore,
    budget: Mutex<Budget>,
    today: TodayFn,
    pub(crate) verify_settle: Duration,
    max_retry_pause: Option<Duration>,
    pub(crate) prices: Mutex<HashMap<i64, LinePrice>>,
}

/// An Autotask connector's API client. Cheap to clone (shared state, one thread limit).
#[derive(Clone)]
pub struct AutotaskClient {
    pub(crate) inner: Arc<Inner>,
}

impl std::fmt::Debug for AutotaskClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AutotaskClient")
            .field("username", &self.inner.cfg.username)
            .field("secret", &self.inner.secret)
            .finish_non_exhaustive()
    }
}

fn invalid(msg: &str) -> PsaError {
    PsaError::InvalidConfig(msg.to_string())
}

impl AutotaskClient {
    pub fn new(cfg: AutotaskConfig, secret: Sensitive<String>) -> Result<AutotaskClient, PsaError> {
        AutotaskClient::with_options(cfg, secret, ClientOptions::default())
    }

    pub fn with_options(
        cfg: AutotaskConfig,
        secret: Sensitive<String>,
        opts: ClientOptions,
    ) -> Result<AutotaskClient, PsaError> {
        if cfg.username.trim().is_empty() {
            return Err(invalid("Enter the Autotask API user's username."));
        }
        if secret.expose().trim().is_empty() {
            return Err(invalid("Enter the Autotask API user's Secret."));
        }
        if cfg.integration_code.trim().is_empty() {
            return Err(invalid(
                "Enter the API tracking identifier: Autotask requires one on every call. In Autotask, open the \
                 API user, Security tab › API Tracking Identifier › Custom (Internal Integration), and copy it.",
            ));
        }
        let offset = match cfg.tenant_utc_offset_minutes {
            Some(m) => Some(TenantOffset::from_minutes(m).ok_or_else(|| {
                invalid("The Autotask time zone offset must be between UTC−12:00 and UTC+14:00.")
            })?),
            None => None,
        };
        let override_zone = match cfg.zone_url.as_deref().map(str::trim).filter(|s| !s.is_empty()) {
            Some(u) => Some(Zone { root: zone_root(u)?, name: None, ci: None }),
            None => None,
        };
        let discovery = discovery_endpoint(&cfg.discovery_url)?;
        // Our own builder rather than `http::client`: redirects are refused so the Secret header
        // can never follow a redirect to another host (reqwest strips only standard auth headers).
        let http = reqwest::Client::builder()
            .user_agent(http::USER_AGENT)
            .connect_timeout(Duration::from_secs(10))
            .timeout(REQUEST_TIMEOUT)
            .redirect(reqwest::redirect::Policy::none())
            .build()
            .map_err(|e| PsaError::InvalidConfig(format!("could not set up HTTPS: {e}")))?;
        let today = opts.today.unwrap_or_else(|| match offset {
            Some(o) => Arc::new(move || tz::local_day(chrono::Utc::now(), o)),
            None => Arc::new(|| chrono::Local::now().date_naive()),
        });
        Ok(AutotaskClient {
            inner: Arc::new(Inner {
                http,
                secret: Sensitive::new(secret.expose().trim().to_string()),
                offset,
                discovery,
                zone: tokio::sync::Mutex::new(override_zone.clone()),
                override_zone,
                cfg,
                permits: Semaphore::new(MAX_IN_FLIGHT),
                budget: Mutex::new(Budget::default()),
                today,
                verify_settle: opts.verify_settle.unwrap_or(Duration::from_secs(10)),
                max_retry_pause: opts.max_retry_pause,
                prices: Mutex::new(HashMap::new()),
            }),
        })
    }

    /// The tenant's calendar day now.
    pub fn today(&self) -> NaiveDate {
        (self.inner.today)()
    }

    /// Requests used in the current hourly window (server reading + ours, or ours only).
    pub fn budget_usage(&self) -> BudgetUsage {
        match self.inner.budget.lock() {
            Ok(b) => b.usage(Instant::now()),
            Err(p) => p.into_inner().usage(Instant::now()),
        }
    }

    fn pause(&self, d: Duration) -> Duration {
        self.inner.max_retry_pause.map_or(d, |cap| d.min(cap))
    }

    fn resolve(zone: &Zone, target: &Target) -> Result<Url, PsaError> {
        match target {
            Target::Path(p) => zone.root.join(p).map_err(|e| PsaError::InvalidConfig(format!("Autotask URL: {e}"))),
            Target::Absolute(u) => Ok(u.clone()),
        }
    }

    /// One HTTP exchange inside a thread-limit slot. Paced by the hourly budget when authenticated.
    async fn send_once(
        &self,
        method: &Method,
        url: &Url,
        body: Option<&Value>,
        auth: bool,
        tally: &Tally,
    ) -> Result<Raw, reqwest::Error> {
        if auth {
            let delay = match self.inner.budget.lock() {
                Ok(b) => b.delay(Instant::now()),
                Err(p) => p.into_inner().delay(Instant::now()),
            };
            if !delay.is_zero() {
                tokio::time::sleep(delay).await;
            }
        }
        // The semaphore is never closed, so acquire cannot fail; a failure would only mean
        // running without the limit, never a panic.
        let _permit = self.inner.permits.acquire().await.ok();
        tally.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        if auth {
            if let Ok(mut b) = self.inner.budget.lock() {
                b.record_sent(Instant::now());
            }
        }
        tracing::debug!(method = %method, path = url.path(), "Autotask request");
        let mut req = self.inner.http.request(method.clone(), url.clone()).header(ACCEPT, "application/json");
        if auth {
            req = req.headers(self.auth_headers());
        }
        if let Some(b) = body {
            req = req.header(CONTENT_TYPE, "application/json").body(b.to_string());
        }
        let resp = req.send().await?;
        let status = resp.status();
        let retry_after = http::retry_after(resp.headers());
        let body = resp.bytes().await?.to_vec();
        Ok(Raw { status, retry_after, body })
    }

    fn auth_headers(&self) -> HeaderMap {
        let mut h = HeaderMap::new();
        let mut put = |name: &'static str, value: &str, sensitive: bool| {
            // Header values were trimmed at construction; a control character would make the
            // value invalid, in which case the header is left out and the server answers 401.
            if let Ok(mut v) = HeaderValue::from_str(value) {
                v.set_sensitive(sensitive);
                h.insert(name, v);
            }
        };
        put("UserName", &self.inner.cfg.username, false);
        put("Secret", self.inner.secret.expose(), true);
        put("ApiIntegrationCode", &self.inner.cfg.integration_code, true);
        h
    }

    /// A read (query, GET): retried on 429 (honouring Retry-After), 5xx without `errors[]`,
    /// timeouts and connection failures; a 401 triggers one zone re-discovery.
    pub(crate) async fn read(
        &self,
        method: Method,
        target: &Target,
        body: Option<&Value>,
        what: &str,
        tally: &Tally,
    ) -> Result<Vec<u8>, PsaError> {
        let (mut attempt, mut rediscovered) = (0, false);
        loop {
            let zone = self.zone(tally).await?;
            let url = Self::resolve(&zone, target)?;
            let (status, retry_after, failure) = match self.send_once(&method, &url, body, true, tally).await {
                Ok(raw) if raw.status.is_success() => match body_errors(&raw.body) {
                    None => return Ok(raw.body),
                    Some(msgs) => return Err(errors::from_status(500, &msgs, None, what)),
                },
                Ok(raw) if raw.status == StatusCode::UNAUTHORIZED => {
                    if !rediscovered && self.rediscover(tally, &zone).await? {
                        rediscovered = true;
                        if matches!(target, Target::Path(_)) {
                            continue;
                        }
                    }
                    return Err(self.unauthorized(&error_messages(&raw.body)));
                }
                Ok(raw) => {
                    let msgs = error_messages(&raw.body);
                    let policy_status = if is_rate_limit(raw.status.as_u16(), &msgs) {
                        Some(StatusCode::TOO_MANY_REQUESTS)
                    } else if raw.status == StatusCode::INTERNAL_SERVER_ERROR && !msgs.is_empty() {
                        Some(StatusCode::BAD_REQUEST) // a validation failure: repeating it cannot help
                    } else {
                        Some(raw.status)
                    };
                    let err = errors::from_status(raw.status.as_u16(), &msgs, raw.retry_after.map(|d| d.as_secs()), what);
                    (policy_status, raw.retry_after, err)
                }
                Err(e) => (None, None, PsaError::Unreachable(http::describe_transport(&e, &describe_host(&url)))),
            };
            match retry_decision(status, retry_after, attempt, true, ATTEMPTS) {
                Retry::After(d) => {
                    tokio::time::sleep(self.pause(d)).await;
                    attempt += 1;
                }
                Retry::No => return Err(failure),
            }
        }
    }

    /// A non-idempotent POST. `Err` means it was certainly not applied; `Ambiguous` means it may
    /// have been (5xx without `errors[]`, timeout, dropped connection) and must be verified.
    pub(crate) async fn write(&self, target: &Target, body: &Value, what: &str, tally: &Tally) -> Result<WriteOutcome, PsaError> {
        let (mut attempt, mut rediscovered) = (0, false);
        loop {
            let zone = self.zone(tally).await?;
            let url = Self::resolve(&zone, target)?;
            match self.send_once(&Method::POST, &url, Some(body), true, tally).await {
                Ok(raw) if raw.status.is_success() => return Ok(WriteOutcome::Done(raw.body)),
                Ok(raw) if raw.status == StatusCode::UNAUTHORIZED => {
                    // 401: the request was not processed, so following a moved zone is safe.
                    if !rediscovered && self.rediscover(tally, &zone).await? {
                        rediscovered = true;
                        continue;
                    }
                    return Err(self.unauthorized(&error_messages(&raw.body)));
                }
                Ok(raw) => {
                    let msgs = error_messages(&raw.body);
                    let code = raw.status.as_u16();
                    if is_rate_limit(code, &msgs) {
                        // Rejected before processing: waiting and resending cannot double-apply.
                        let ra = raw.retry_after;
                        if let Retry::After(d) = retry_decision(Some(StatusCode::TOO_MANY_REQUESTS), ra, attempt, false, ATTEMPTS) {
                            tokio::time::sleep(self.pause(d)).await;
                            attempt += 1;
                            continue;
                        }
                        return Err(errors::from_status(code, &msgs, ra.map(|d| d.as_secs()), what));
                    }
                    if raw.status.is_server_error() && msgs.is_empty() {
                        return Ok(WriteOutcome::Ambiguous(format!("Autotask answered HTTP {code} without a result")));
                    }
                    return Err(errors::from_status(code, &msgs, None, what));
                }
                // Never connected: nothing was sent.
                Err(e) if e.is_connect() => {
                    return Err(PsaError::Unreachable(http::describe_transport(&e, &describe_host(&url))))
                }
                Err(e) => return Ok(WriteOutcome::Ambiguous(http::describe_transport(&e, &describe_host(&url)))),
            }
        }
    }

    fn unauthorized(&self, messages: &[String]) -> PsaError {
        match (errors::unauthorized(messages), &self.inner.override_zone) {
            (PsaError::Unauthorized(m), Some(z)) => PsaError::Unauthorized(format!(
                "{m} A zone URL override is set ({}): if the tenant moved zones, clear it.",
                z.root
            )),
            (e, _) => e,
        }
    }

/// `errors[]` in a 2xx body (go-autotask treats that as failure, reference §5).
fn body_errors(body: &[u8]) -> Option<Vec<String>> {
    let v: Value = serde_json::from_slice(body).ok()?;
    v.get("errors")?;
    let msgs = error_messages(body);
    (!msgs.is_empty()).then_some(msgs)
}

fn describe_host(url: &Url) -> String {
    format!("Autotask ({})", url.host_str().unwrap_or("zone"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_is_checked_and_secret_never_printed() {
        let ok = AutotaskConfig::new("api@example.com", "TRACKINGID");
        let s = |v: &str| Sensitive::new(v.to_string());
        assert!(matches!(AutotaskClient::new(AutotaskConfig::new("", "X"), s("s")), Err(PsaError::InvalidConfig(_))));
        assert!(matches!(AutotaskClient::new(ok.clone(), s(" ")), Err(PsaError::InvalidConfig(_))));
        let no_code = AutotaskClient::new(AutotaskConfig::new("api@example.com", ""), s("s"));
        assert!(matches!(no_code, Err(PsaError::InvalidConfig(m)) if m.contains("tracking identifier")));
        let bad_offset = AutotaskConfig { tenant_utc_offset_minutes: Some(15 * 60), ..ok.clone() };
        assert!(AutotaskClient::new(bad_offset, s("s")).is_err());
        let c = AutotaskClient::new(ok, s("TopSecret!")).unwrap();
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("TopSecret") && dbg.contains("***"), "{dbg}");
    }
}
