//! The ConnectWise Manage HTTP client: codebase discovery (cached, refreshed once on a 404),
//! the auth headers set once (Basic `company+public:private`, `clientId`, pinned model version),
//! and the errors-to-messages step; sending lives in `transport`, paging in `paging`.

use std::sync::atomic::AtomicU32;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use chrono::NaiveDate;
use reqwest::header::HeaderValue;
use reqwest::{Method, StatusCode, Url};
use serde::de::DeserializeOwned;
use tokio::sync::Semaphore;

use super::auth::basic_authorization;
use super::domain::normalise_site;
use super::errors::{Resource, NO_CLIENT_ID};
use super::models::{CompanyInfo, SystemInfo};
use super::query;
use super::transport::{Reply, SendError};
use super::ConnectWiseConfig;
use crate::psa::{CheckOutcome, PsaError};
use crate::secrets::Sensitive;

/// The model version this client was written and tested against (reference §1.4).
pub const API_VERSION: &str = "2025.8";
/// Codebase used when discovery gives none (on-premise default; also accepted on cloud, §1.3).
pub const FALLBACK_CODEBASE: &str = "v4_6_release/";
/// ConnectWise's hard page-size limit (§6.1, §11.12).
pub const MAX_PAGE_SIZE: u32 = 1000;

/// Knobs with production defaults; tests shrink the page size and fix the date.
#[derive(Clone)]
pub struct ClientOptions {
    pub timeout: Duration,
    pub page_size: u32,
    /// ConnectWise rate limits are shared per tenant with other integrations (§11.18).
    pub max_in_flight: usize,
    /// "Today" for the active-addition rule; injected so the logic never reads the clock.
    pub today: Arc<dyn Fn() -> NaiveDate + Send + Sync>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            timeout: Duration::from_secs(30),
            page_size: MAX_PAGE_SIZE,
            max_in_flight: 4,
            today: Arc::new(|| chrono::Utc::now().date_naive()),
        }
    }
}

/// A ConnectWise Manage connection. Cheap to clone (shared state behind an `Arc`).
#[derive(Clone)]
pub struct ConnectWiseClient {
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    pub(super) http: reqwest::Client,
    pub(super) origin: Url,
    pub(super) company: String,
    pub(super) client_id: HeaderValue,
    /// Precomputed and marked sensitive; the private key itself is not kept.
    pub(super) authorization: HeaderValue,
    codebase: Mutex<Option<String>>,
    pub(super) limit: Semaphore,
    /// The semaphore's size: requests allowed in flight.
    pub(super) max_in_flight: usize,
    pub(super) page_size: u32,
    pub(super) today: Arc<dyn Fn() -> NaiveDate + Send + Sync>,
    /// Diagnostics' raw capture ([`crate::http::capture`]), when set.
    pub(super) capture: crate::http::capture::Slot,
    #[cfg(test)]
    pub(super) recorded: Mutex<Vec<serde_json::Value>>,
}

impl std::fmt::Debug for ConnectWiseClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Keys, the Authorization value and the vendor clientId never appear in Debug output.
        f.debug_struct("ConnectWiseClient")
            .field("origin", &self.inner.origin.as_str())
            .field("company", &self.inner.company)
            .finish_non_exhaustive()
    }
}

/// One API call, relative to `/apis/3.0`.
pub(super) struct Call {
    pub method: Method,
    pub path: String,
    pub query: Vec<(&'static str, String)>,
    pub body: Option<serde_json::Value>,
    pub resource: Resource,
}

impl ConnectWiseClient {
    /// A client with production defaults. Sends nothing; fails if a field is empty.
    pub fn new(
        config: &ConnectWiseConfig,
        private_key: &Sensitive<String>,
    ) -> Result<Self, PsaError> {
        Self::with_options(config, private_key, ClientOptions::default())
    }

    pub fn with_options(
        config: &ConnectWiseConfig,
        private_key: &Sensitive<String>,
        options: ClientOptions,
    ) -> Result<Self, PsaError> {
        let client_id = config.client_id.trim();
        if client_id.is_empty() {
            return Err(PsaError::InvalidConfig(NO_CLIENT_ID.into()));
        }
        let company = config.company.trim();
        let public_key = config.public_key.trim();
        let private_key = private_key.expose().trim();
        for (value, what) in [
            (
                company,
                "company id (the Company value of the ConnectWise login screen)",
            ),
            (public_key, "public key of the API member"),
            (private_key, "private key of the API member"),
        ] {
            if value.is_empty() {
                return Err(PsaError::InvalidConfig(format!(
                    "The ConnectWise {what} is empty"
                )));
            }
        }
        let origin = normalise_site(&config.site)?;
        let client_id = HeaderValue::from_str(client_id).map_err(|_| {
            PsaError::InvalidConfig(
                "The ConnectWise clientId contains characters a header cannot carry".into(),
            )
        })?;
        let authorization = basic_authorization(company, public_key, private_key)?;
        let http = crate::http::client(options.timeout)
            .map_err(|e| PsaError::InvalidConfig(e.to_string()))?;
        Ok(ConnectWiseClient {
            inner: Arc::new(Inner {
                http,
                origin,
                company: company.to_string(),
                client_id,
                authorization,
                codebase: Mutex::new(None),
                limit: Semaphore::new(options.max_in_flight.max(1)),
                max_in_flight: options.max_in_flight.max(1),
                page_size: options.page_size.clamp(1, MAX_PAGE_SIZE),
                today: options.today,
                capture: Default::default(),
                #[cfg(test)]
                recorded: Mutex::new(Vec::new()),
            }),
        })
    }

    /// Hands every answer body this client reads to `capture` (diagnostics).
    pub fn capture_into(&self, capture: crate::http::capture::Capture) {
        let _ = self.inner.capture.set(capture);
    }

    /// The API origin after normalisation (`https://api-na.myconnectwise.net/`).
    pub fn origin(&self) -> &Url {
        &self.inner.origin
    }

    pub(super) fn host(&self) -> String {
        self.inner.origin.host_str().unwrap_or_default().to_string()
    }

    /// The cached codebase, discovering it on first use.
    pub(super) async fn codebase(&self, sent: &AtomicU32) -> Result<String, PsaError> {
        let cached = self.inner.codebase.lock().ok().and_then(|c| c.clone());
        match cached {
            Some(c) => Ok(c),
            None => self.discover(sent).await,
        }
    }

    /// `GET /login/companyinfo/{company}` (no Authorization, §1.2); caches and returns the codebase.
    pub(super) async fn discover(&self, sent: &AtomicU32) -> Result<String, PsaError> {
        let path = format!("login/companyinfo/{}", query::encode(&self.inner.company));
        let url = self
            .inner
            .origin
            .join(&path)
            .map_err(|e| PsaError::InvalidConfig(e.to_string()))?;
        let codebase = match self.send(Method::GET, url, None, false, sent).await {
            Ok(reply) => {
                let info: Option<CompanyInfo> = match serde_json::from_str(&reply.body) {
                    Ok(info) => info,
                    Err(_) => Some(CompanyInfo::default()),
                };
                // ConnectWise answers 200 `null` for a company id it does not know.
                let info = info.ok_or_else(|| {
                    PsaError::InvalidConfig(format!(
                        "ConnectWise at {} does not know the company id \"{}\": enter the Company value of the ConnectWise login screen",
                        self.host(),
                        self.inner.company
                    ))
                })?;
                match info.codebase.as_deref().and_then(clean_codebase) {
                    Some(c) => c,
                    None => {
                        tracing::warn!(host = %self.host(), "companyinfo gave no usable codebase; using {FALLBACK_CODEBASE}");
                        FALLBACK_CODEBASE.to_string()
                    }
                }
            }
            Err(SendError::Status(f)) if f.status == StatusCode::NOT_FOUND => {
                // Old on-premise servers may lack the endpoint; the classic codebase still works.
                tracing::warn!(host = %self.host(), "companyinfo not found; using {FALLBACK_CODEBASE}");
                FALLBACK_CODEBASE.to_string()
            }
            Err(SendError::Status(f)) => return Err(f.into_error(Resource::SystemInfo)),
            Err(SendError::Transport(msg)) => return Err(PsaError::Unreachable(msg)),
        };
        if let Ok(mut slot) = self.inner.codebase.lock() {
            *slot = Some(codebase.clone());
        }
        Ok(codebase)
    }

    /// Discovery (always fresh, the setup flow may have fixed the company) then
    /// `GET /system/info`: proves host, company, keys and clientId in two requests.
    pub async fn check_connection(&self) -> Result<CheckOutcome, PsaError> {
        let sent = AtomicU32::new(0);
        self.discover(&sent).await?;
        let info: SystemInfo = self
            .get_json("/system/info", Vec::new(), Resource::SystemInfo, &sent)
            .await?;
        let codebase = self.codebase(&sent).await?;
        let version = info
            .version
            .unwrap_or_else(|| "(version not reported)".into());
        let place = match (info.is_cloud, info.cloud_region) {
            (Some(true), Some(region)) if !region.is_empty() => format!("cloud, {region}"),
            (Some(true), _) => "cloud".to_string(),
            (Some(false), _) => "on-premise".to_string(),
            (None, _) => self.host(),
        };
        Ok(CheckOutcome {
            detail: format!(
                "ConnectWise PSA {version} ({place}), company {}, codebase {}",
                self.inner.company,
                codebase.trim_end_matches('/')
            ),
        })
    }

    /// Sends `call`; on a 404 re-discovers the codebase once and, if it moved, sends again (§1.3).
    pub(super) async fn execute(&self, call: &Call, sent: &AtomicU32) -> Result<Reply, PsaError> {
        let codebase = self.codebase(sent).await?;
        let result = self.send_call(call, &codebase, sent).await;
        let result = match result {
            Err(SendError::Status(f)) if f.status == StatusCode::NOT_FOUND => {
                let fresh = self.discover(sent).await?;
                if fresh == codebase {
                    Err(SendError::Status(f))
                } else {
                    tracing::info!(old = %codebase, new = %fresh, "ConnectWise codebase moved; retrying");
                    self.send_call(call, &fresh, sent).await
                }
            }
            other => other,
        };
        match result {
            Ok(reply) => Ok(reply),
            Err(SendError::Status(f)) => Err(f.into_error(call.resource)),
            Err(SendError::Transport(msg)) => Err(PsaError::Unreachable(msg)),
        }
    }

    /// GET one JSON document.
    pub(super) async fn get_json<T: DeserializeOwned>(
        &self,
        path: &str,
        query: Vec<(&'static str, String)>,
        resource: Resource,
        sent: &AtomicU32,
    ) -> Result<T, PsaError> {
        let call = Call {
            method: Method::GET,
            path: path.to_string(),
            query,
            body: None,
            resource,
        };
        let (_, value) = self.fetch(&call, sent).await?;
        Ok(value)
    }
}

/// Deserialises a reply, naming the resource when the JSON is not what the model says.
pub(super) fn parse<T: DeserializeOwned>(reply: &Reply, resource: Resource) -> Result<T, PsaError> {
    serde_json::from_str(&reply.body).map_err(|e| PsaError::Remote {
        status: None,
        message: format!(
            "ConnectWise sent {} in an unexpected shape: {e}; {}",
            resource.noun(),
            crate::error::DIAGNOSTICS_HINT
        ),
        request_id: reply.request_id.clone(),
    })
}

/// `v2025_1/` as a safe path segment with its trailing slash, or `None`.
fn clean_codebase(raw: &str) -> Option<String> {
    let trimmed = raw.trim().trim_matches('/');
    let ok = !trimmed.is_empty()
        && trimmed
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
        && !trimmed.contains("..");
    ok.then(|| format!("{trimmed}/"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codebases_are_checked() {
        assert_eq!(clean_codebase("v2025_1/").as_deref(), Some("v2025_1/"));
        assert_eq!(
            clean_codebase(" v4_6_release ").as_deref(),
            Some("v4_6_release/")
        );
        assert_eq!(clean_codebase("../x/"), None);
        assert_eq!(clean_codebase("a/b/"), None);
        assert_eq!(clean_codebase(""), None);
    }

    #[test]
    fn at_most_four_requests_in_flight_and_pages_capped() {
        let cfg = ConnectWiseConfig {
            site: "cw.example.com".into(),
            company: "contoso".into(),
            public_key: "p".into(),
            client_id: "c".into(),
        };
        let key = Sensitive::new("k".to_string());
        let client = ConnectWiseClient::new(&cfg, &key).unwrap();
        assert_eq!(client.inner.limit.available_permits(), 4);
        let big = ClientOptions {
            page_size: 5000,
            ..ClientOptions::default()
        };
        let client = ConnectWiseClient::with_options(&cfg, &key, big).unwrap();
        assert_eq!(client.inner.page_size, MAX_PAGE_SIZE);
    }

    #[test]
    fn debug_output_hides_secrets() {
        let cfg = ConnectWiseConfig {
            site: "na.myconnectwise.net".into(),
            company: "contoso".into(),
            public_key: "PUBLICKEY".into(),
            client_id: "CLIENT-ID-GUID".into(),
        };
        let client =
            ConnectWiseClient::new(&cfg, &Sensitive::new("SECRET-PRIVATE".to_string())).unwrap();
        let dbg = format!("{client:?}");
        for secret in ["SECRET-PRIVATE", "CLIENT-ID-GUID", "Basic", "PUBLICKEY"] {
            assert!(!dbg.contains(secret), "{dbg}");
        }
        assert!(dbg.contains("api-na.myconnectwise.net"), "{dbg}");
    }
}
