//! The Autotask connection: what a connector stores ([`AutotaskConfig`]), the client and its
//! shared state — the cached zone, the thread-limit semaphore (at most [`MAX_IN_FLIGHT`]
//! requests in flight per connector), the hourly budget, the tenant's "today" and the line
//! prices remembered for writes. Sending lives in `send`, discovery in `zone`.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use chrono::NaiveDate;
use reqwest::Url;
use tokio::sync::Semaphore;

use super::budget::{Budget, BudgetUsage};
use super::tz::{self, TenantZone};
use super::zone::{discovery_endpoint, zone_root, Zone};
use crate::http;
use crate::psa::PsaError;
use crate::secrets::Sensitive;

/// Zone discovery host (reference §1). Any zone answers it; `webservices` is the documented one.
pub const DEFAULT_DISCOVERY_URL: &str = "https://webservices.autotask.net/atservicesrest";
/// The vendor's domain: every zone (`webservicesN.autotask.net`) lives under it, so a zone
/// lookup answer naming any other host is refused (credentials would follow it).
pub const VENDOR_DOMAIN: &str = "autotask.net";
/// Requests in flight per connector: Autotask's thread limit per tracking identifier + endpoint.
pub const MAX_IN_FLIGHT: usize = 3;
const REQUEST_TIMEOUT: Duration = Duration::from_secs(60);
/// Sends per request, first one included.
pub(crate) const ATTEMPTS: u32 = 4;

/// Key of the Autotask database's time zone (IANA name) in a stored connector's config.
pub const TIME_ZONE_KEY: &str = "time_zone";

/// What a connector stores (never the Secret, which lives in the keychain). Its `Debug` leaves
/// out the integration code (sent as a header on every call, so treated as sensitive).
#[derive(Clone, PartialEq, Eq)]
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
    /// The Autotask database's time zone (see `tz`); stored connectors always have one (the
    /// machine's zone by default). None: "today" is the machine's local day and effective dates
    /// use noon UTC.
    pub time_zone: Option<TenantZone>,
}

impl std::fmt::Debug for AutotaskConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AutotaskConfig")
            .field("username", &self.username)
            .field("integration_code", &"***")
            .field("zone_url", &self.zone_url)
            .field("discovery_url", &self.discovery_url)
            .field("time_zone", &self.time_zone)
            .finish()
    }
}

impl AutotaskConfig {
    pub fn new(username: &str, integration_code: &str) -> AutotaskConfig {
        AutotaskConfig {
            username: username.trim().to_string(),
            integration_code: integration_code.trim().to_string(),
            zone_url: None,
            discovery_url: DEFAULT_DISCOVERY_URL.to_string(),
            time_zone: None,
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

/// Line prices seen by `read_billing`, reused by writes (contract service id → price, cost, service).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct LinePrice {
    pub unit_price: Option<f64>,
    pub unit_cost: Option<f64>,
    pub service_id: Option<i64>,
}

pub(crate) struct Inner {
    pub(crate) http: reqwest::Client,
    pub(crate) cfg: AutotaskConfig,
    pub(crate) secret: Sensitive<String>,
    /// The tenant's time zone (named `offset` for the write path's `tz::effective_date` call).
    pub(crate) offset: Option<TenantZone>,
    pub(crate) discovery: Url,
    pub(crate) override_zone: Option<Zone>,
    pub(crate) zone: tokio::sync::Mutex<Option<Zone>>,
    pub(crate) permits: Semaphore,
    pub(crate) budget: Mutex<Budget>,
    today: TodayFn,
    pub(crate) verify_settle: Duration,
    pub(crate) max_retry_pause: Option<Duration>,
    pub(crate) prices: Mutex<HashMap<i64, LinePrice>>,
    /// This tenant has been seen to accept an adjustment before its units show it: a lost answer
    /// followed by an unchanged read is then not proof that nothing landed, so it is not resent.
    pub(crate) units_may_lag: std::sync::atomic::AtomicBool,
    /// Whether this client (made for one run) has checked which day its first adjustment
    /// landed on (reference §7: read the new row's dates back after the first adjustment).
    pub(crate) landing_checked: std::sync::atomic::AtomicBool,
    /// The day adjustments take effect from when not today (a monthly cadence's period start).
    pub(crate) effective_day: Mutex<Option<NaiveDate>>,
    /// Diagnostics' raw capture ([`crate::http::capture`]), when set.
    pub(crate) capture: crate::http::capture::Slot,
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
        let offset = cfg.time_zone;
        let override_zone = match cfg
            .zone_url
            .as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
        {
            Some(u) => Some(Zone {
                root: zone_root(u)?,
                name: None,
                ci: None,
            }),
            None => None,
        };
        let discovery = discovery_endpoint(&cfg.discovery_url)?;
        // The shared client: OS trust store and proxy, and no redirects, so the Secret header can
        // never follow one to another host (reqwest strips only standard auth headers).
        let http =
            http::client(REQUEST_TIMEOUT).map_err(|e| PsaError::InvalidConfig(e.to_string()))?;
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
                units_may_lag: std::sync::atomic::AtomicBool::new(false),
                landing_checked: std::sync::atomic::AtomicBool::new(false),
                effective_day: Mutex::new(None),
                capture: Default::default(),
            }),
        })
    }

    /// Whether this tenant's units have been seen lagging an accepted adjustment.
    /// Hands every answer body this client reads to `capture` (diagnostics).
    pub fn capture_into(&self, capture: crate::http::capture::Capture) {
        let _ = self.inner.capture.set(capture);
    }

    pub fn units_may_lag(&self) -> bool {
        self.inner
            .units_may_lag
            .load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Records that this tenant's units may lag an accepted adjustment (see [`Self::units_may_lag`]).
    pub fn assume_units_may_lag(&self) {
        self.inner
            .units_may_lag
            .store(true, std::sync::atomic::Ordering::SeqCst);
    }

    /// Makes later adjustments take effect from `day` instead of today (`None`: today again).
    pub fn set_effective_day(&self, day: Option<NaiveDate>) {
        if let Ok(mut d) = self.inner.effective_day.lock() {
            *d = day;
        }
    }

    /// The day adjustments take effect from, when not today.
    pub fn effective_day(&self) -> Option<NaiveDate> {
        self.inner.effective_day.lock().ok().and_then(|d| *d)
    }

    /// The tenant's calendar day now.
    pub fn today(&self) -> NaiveDate {
        (self.inner.today)()
    }

    /// The tenant's time zone, when the connector has one.
    pub fn time_zone(&self) -> Option<TenantZone> {
        self.inner.offset
    }

    /// Requests used in the current hourly window (server reading + ours, or ours only).
    pub fn budget_usage(&self) -> BudgetUsage {
        match self.inner.budget.lock() {
            Ok(b) => b.usage(Instant::now()),
            Err(p) => p.into_inner().usage(Instant::now()),
        }
    }
}
#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn config_is_checked_and_secret_never_printed() {
        let ok = AutotaskConfig::new("api@example.com", "TRACKINGID");
        let s = |v: &str| Sensitive::new(v.to_string());
        assert!(matches!(
            AutotaskClient::new(AutotaskConfig::new("", "X"), s("s")),
            Err(PsaError::InvalidConfig(_))
        ));
        assert!(matches!(
            AutotaskClient::new(ok.clone(), s(" ")),
            Err(PsaError::InvalidConfig(_))
        ));
        let no_code = AutotaskClient::new(AutotaskConfig::new("api@example.com", ""), s("s"));
        assert!(
            matches!(no_code, Err(PsaError::InvalidConfig(m)) if m.contains("tracking identifier"))
        );
        let c = AutotaskClient::new(ok, s("TopSecret!")).unwrap();
        let dbg = format!("{c:?}");
        assert!(!dbg.contains("TopSecret") && dbg.contains("***"), "{dbg}");
    }
}
