//! Zone discovery (reference §1): `GET …/v1.0/zoneInformation?user=` on the discovery host,
//! unauthenticated (no credentials or tracking identifier are sent), answers the REST root of the
//! tenant's zone. It is cached per client, re-run once when a call answers 401 (the tenant may
//! have moved zones), and skipped entirely when the operator configured a zone URL override.

use reqwest::{Method, StatusCode, Url};

use super::client::{AutotaskClient, ATTEMPTS, VENDOR_DOMAIN};
use super::errors::{self, error_messages};
use super::models::ZoneInformation;
use super::query::Tally;
use crate::http::{self, retry_decision, Retry};
use crate::psa::PsaError;

/// A discovered (or configured) zone.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Zone {
    /// REST root with a trailing slash, e.g. `https://webservices3.autotask.net/atservicesrest/`.
    pub root: Url,
    pub name: Option<String>,
    /// Customer database id.
    pub ci: Option<i64>,
}

/// A zone root as a URL with a trailing slash, so `join("V1.0/…")` appends.
pub(crate) fn zone_root(input: &str) -> Result<Url, PsaError> {
    let mut url = http::endpoint_url(input)
        .map_err(|e| PsaError::InvalidConfig(format!("Autotask zone URL: {e}")))?;
    if !url.path().ends_with('/') {
        let p = format!("{}/", url.path());
        url.set_path(&p);
    }
    url.set_query(None);
    Ok(url)
}

/// The zone a lookup answered, accepted only over https on the vendor's domain (or on loopback,
/// where the sandbox runs): the answer decides where the Secret goes next.
pub(crate) fn answered_zone_root(answer: &str) -> Result<Url, PsaError> {
    let refused = || PsaError::Remote {
        status: None,
        message: format!(
            "The Autotask zone lookup named a zone outside Autotask ({}); it was refused: \
             credentials are only sent to https hosts under {VENDOR_DOMAIN}. Check the network \
             (a proxy or DNS answering for Autotask), or set the zone URL explicitly.",
            http::without_userinfo(answer)
        ),
        request_id: None,
    };
    let root = zone_root(answer).map_err(|_| refused())?;
    if http::is_vendor_host(&root, VENDOR_DOMAIN) {
        Ok(root)
    } else {
        Err(refused())
    }
}

/// `{discovery}/atservicesrest/v1.0/zoneInformation` from a host, a REST root or the full URL.
pub(crate) fn discovery_endpoint(input: &str) -> Result<Url, PsaError> {
    let mut url = http::endpoint_url(input)
        .map_err(|e| PsaError::InvalidConfig(format!("Autotask zone discovery address: {e}")))?;
    let path = url.path().trim_end_matches('/').to_string();
    let lower = path.to_ascii_lowercase();
    let full = if lower.ends_with("/zoneinformation") {
        path
    } else if path.is_empty() {
        "/atservicesrest/v1.0/zoneInformation".to_string()
    } else {
        format!("{path}/v1.0/zoneInformation")
    };
    url.set_path(&full);
    url.set_query(None);
    Ok(url)
}

impl AutotaskClient {
    /// The zone, discovered once and cached.
    pub async fn zone(&self, tally: &Tally) -> Result<Zone, PsaError> {
        let mut guard = self.inner.zone.lock().await;
        if let Some(z) = guard.as_ref() {
            return Ok(z.clone());
        }
        let z = self.discover(tally).await?;
        *guard = Some(z.clone());
        Ok(z)
    }

    /// The customer database id (`ci`) the zone lookup answered, once the zone is known (after
    /// a check); `None` with a configured zone URL, where no lookup is made.
    pub async fn database_id(&self) -> Option<i64> {
        self.inner.zone.lock().await.as_ref().and_then(|z| z.ci)
    }

    /// Runs discovery again after a 401; true when the zone moved (the request may be resent).
    pub(crate) async fn rediscover(&self, tally: &Tally, old: &Zone) -> Result<bool, PsaError> {
        if self.inner.override_zone.is_some() {
            return Ok(false);
        }
        let mut guard = self.inner.zone.lock().await;
        if guard.as_ref().is_some_and(|z| z.root != old.root) {
            return Ok(true); // another task already followed the move
        }
        let z = self.discover(tally).await?;
        let moved = z.root != old.root;
        tracing::info!(moved, "Autotask zone looked up again after a 401");
        *guard = Some(z);
        Ok(moved)
    }

    /// `GET zoneInformation?user=`: unauthenticated, so no credentials are sent.
    async fn discover(&self, tally: &Tally) -> Result<Zone, PsaError> {
        let mut url = self.inner.discovery.clone();
        url.query_pairs_mut()
            .append_pair("user", &self.inner.cfg.username);
        let host = url.host_str().unwrap_or("the zone lookup").to_string();
        let mut attempt = 0;
        loop {
            let res = self.send_once(&Method::GET, &url, None, false, tally).await;
            let (status, retry_after) = match &res {
                Ok(raw) => (Some(raw.status), raw.retry_after),
                Err(_) => (None, None),
            };
            match res {
                Ok(raw) if raw.status.is_success() => {
                    let info: ZoneInformation =
                        serde_json::from_slice(&raw.body).unwrap_or_default();
                    return match info.url.as_deref().map(str::trim).filter(|u| !u.is_empty()) {
                        Some(u) => Ok(Zone {
                            root: answered_zone_root(u)?,
                            name: info.zone_name,
                            ci: info.ci,
                        }),
                        None => Err(self.unknown_user(&[])),
                    };
                }
                // An unknown or empty username answers 500 with an error body (reference §1).
                Ok(raw) if raw.status == StatusCode::INTERNAL_SERVER_ERROR => {
                    return Err(self.unknown_user(&error_messages(&raw.body)))
                }
                other => match retry_decision(status, retry_after, attempt, true, ATTEMPTS) {
                    Retry::After(d) => {
                        tokio::time::sleep(self.pause(d)).await;
                        attempt += 1;
                    }
                    Retry::No => {
                        return Err(match other {
                            Err(e) => PsaError::Unreachable(http::describe_transport(
                                &e,
                                &format!("Autotask zone lookup ({host})"),
                            )),
                            Ok(raw) => errors::from_status(
                                raw.status.as_u16(),
                                &error_messages(&raw.body),
                                None,
                                "look up the zone",
                            ),
                        })
                    }
                },
            }
        }
    }

    fn unknown_user(&self, messages: &[String]) -> PsaError {
        let said = if messages.is_empty() {
            String::new()
        } else {
            format!(" Autotask said: {}", messages.join("; "))
        };
        PsaError::Unauthorized(format!(
            "Autotask does not know the API user '{}' (the zone lookup failed). Enter the username of the \
             API-only user exactly as shown on its page in Autotask (Admin › Resources/Users), not your own \
             login.{said}",
            self.inner.cfg.username
        ))
    }

    /// A `nextPageUrl` we may send credentials to: same scheme, host and port as the zone.
    pub(crate) async fn same_zone_url(&self, next: &str, what: &str) -> Result<Url, PsaError> {
        let zone = self.inner.zone.lock().await.clone();
        let url = Url::parse(next).ok();
        match (zone, url) {
            (Some(z), Some(u)) if u.origin() == z.root.origin() => Ok(u),
            _ => Err(PsaError::Remote {
                status: None,
                message: format!(
                    "Autotask returned a next-page link outside its zone while trying to {what}; it was not \
                     followed (credentials are only sent to the zone)."
                ),
                request_id: None,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discovery_endpoint_forms() {
        let cases = [
            (
                "https://webservices.autotask.net/atservicesrest",
                "https://webservices.autotask.net/atservicesrest/v1.0/zoneInformation",
            ),
            (
                "webservices2.autotask.net",
                "https://webservices2.autotask.net/atservicesrest/v1.0/zoneInformation",
            ),
            (
                "http://127.0.0.1:9/",
                "http://127.0.0.1:9/atservicesrest/v1.0/zoneInformation",
            ),
            (
                "http://127.0.0.1:9/ATServicesRest/V1.0/ZoneInformation",
                "http://127.0.0.1:9/ATServicesRest/V1.0/ZoneInformation",
            ),
        ];
        for (input, want) in cases {
            assert_eq!(discovery_endpoint(input).unwrap().as_str(), want, "{input}");
        }
        assert!(discovery_endpoint("http://example.com").is_err());
        assert_eq!(
            zone_root("https://webservices3.autotask.net/atservicesrest")
                .unwrap()
                .join("V1.0/Companies/query")
                .unwrap()
                .as_str(),
            "https://webservices3.autotask.net/atservicesrest/V1.0/Companies/query"
        );
    }
}
