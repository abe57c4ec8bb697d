//! The two send loops. [`AutotaskClient::read`] is for queries and GETs, which are safe to
//! repeat: 429s (honouring Retry-After), 5xx without `errors[]`, timeouts and connection failures
//! are retried. [`AutotaskClient::write`] is for the adjustment POST, which is not idempotent:
//! only what the server certainly did not process is resent — a 429 (or thread-limit text), a
//! 503, a connection that was never made, a 401 from a moved zone; a 500 with `errors[]` or
//! another 4xx is a rejection ([`write_failure`]); anything ambiguous (500 without `errors[]`,
//! 502, 504, a timeout or reset after sending) is handed back so the caller verifies by
//! re-reading.
//!
//! Every exchange takes one of the connector's three thread-limit slots and is paced by the
//! hourly budget (reference §6).

use std::time::{Duration, Instant};

use reqwest::header::{HeaderMap, HeaderValue, ACCEPT, CONTENT_TYPE};
use reqwest::{Method, StatusCode, Url};
use serde_json::Value;

use super::client::{AutotaskClient, ATTEMPTS};
use super::errors::{self, error_messages, is_rate_limit};
use super::query::Tally;
use super::zone::Zone;
use crate::http::{self, retry_decision, Retry};
use crate::psa::PsaError;

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

pub(crate) struct Raw {
    pub status: StatusCode,
    pub retry_after: Option<Duration>,
    pub body: Vec<u8>,
}

impl AutotaskClient {
    pub(crate) fn pause(&self, d: Duration) -> Duration {
        self.inner.max_retry_pause.map_or(d, |cap| d.min(cap))
    }

    fn resolve(zone: &Zone, target: &Target) -> Result<Url, PsaError> {
        match target {
            Target::Path(p) => zone
                .root
                .join(p)
                .map_err(|e| PsaError::InvalidConfig(format!("Autotask URL: {e}"))),
            Target::Absolute(u) => Ok(u.clone()),
        }
    }

    /// One HTTP exchange inside a thread-limit slot. Paced by the hourly budget when authenticated.
    pub(crate) async fn send_once(
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
        let mut req = self
            .inner
            .http
            .request(method.clone(), url.clone())
            .header(ACCEPT, "application/json");
        if auth {
            req = req.headers(self.auth_headers());
        }
        if let Some(b) = body {
            req = req
                .header(CONTENT_TYPE, "application/json")
                .body(b.to_string());
        }
        let resp = req.send().await?;
        let status = resp.status();
        let retry_after = http::retry_after(resp.headers());
        let body = resp.bytes().await?.to_vec();
        // Reads only: a GET, or a POST to a `/query` path (Autotask's query-by-body).
        if status.is_success() && (method == Method::GET || url.path().ends_with("/query")) {
            crate::http::capture::note(
                &self.inner.capture,
                "autotask",
                method.as_str(),
                url.path(),
                &String::from_utf8_lossy(&body),
            );
        }
        Ok(Raw {
            status,
            retry_after,
            body,
        })
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
            let (status, retry_after, failure) = match self
                .send_once(&method, &url, body, true, tally)
                .await
            {
                // A success whose body is cut off or not JSON is a transient fault of a safe
                // request: retried like a dropped connection.
                Ok(raw)
                    if raw.status.is_success()
                        && serde_json::from_slice::<Value>(&raw.body).is_err() =>
                {
                    (
                        None,
                        None,
                        PsaError::Remote {
                            status: Some(raw.status.as_u16()),
                            message: format!(
                                "Autotask answered an unreadable (possibly cut-off) response when trying to {what}; \
                                 tried {ATTEMPTS} times"
                            ),
                            request_id: None,
                        },
                    )
                }
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
                    let err = errors::from_status(
                        raw.status.as_u16(),
                        &msgs,
                        raw.retry_after.map(|d| d.as_secs()),
                        what,
                    );
                    (policy_status, raw.retry_after, err)
                }
                Err(e) => (
                    None,
                    None,
                    PsaError::Unreachable(http::describe_transport(&e, &describe_host(&url))),
                ),
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
    pub(crate) async fn write(
        &self,
        target: &Target,
        body: &Value,
        what: &str,
        tally: &Tally,
    ) -> Result<WriteOutcome, PsaError> {
        let (mut attempt, mut rediscovered) = (0, false);
        loop {
            let zone = self.zone(tally).await?;
            let url = Self::resolve(&zone, target)?;
            match self
                .send_once(&Method::POST, &url, Some(body), true, tally)
                .await
            {
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
                    match write_failure(code, &msgs) {
                        WriteFailure::NotProcessed => {
                            // Refused before processing: waiting and resending cannot double-apply.
                            let ra = raw.retry_after;
                            if let Retry::After(d) = retry_decision(
                                Some(StatusCode::TOO_MANY_REQUESTS),
                                ra,
                                attempt,
                                false,
                                ATTEMPTS,
                            ) {
                                tracing::warn!(
                                    status = code,
                                    attempt,
                                    "Autotask did not process the adjustment; sending it again"
                                );
                                tokio::time::sleep(self.pause(d)).await;
                                attempt += 1;
                                continue;
                            }
                            return Err(errors::from_status(
                                code,
                                &msgs,
                                ra.map(|d| d.as_secs()),
                                what,
                            ));
                        }
                        WriteFailure::Ambiguous => {
                            return Ok(WriteOutcome::Ambiguous(format!(
                                "Autotask answered HTTP {code} without a result"
                            )));
                        }
                        WriteFailure::Rejected => {
                            return Err(errors::from_status(code, &msgs, None, what))
                        }
                    }
                }
                // Never connected: nothing was sent, so sending again is safe.
                Err(e) if e.is_connect() => {
                    if let Retry::After(d) = retry_decision(None, None, attempt, true, ATTEMPTS) {
                        tokio::time::sleep(self.pause(d)).await;
                        attempt += 1;
                        continue;
                    }
                    return Err(PsaError::Unreachable(http::describe_transport(
                        &e,
                        &describe_host(&url),
                    )));
                }
                Err(e) => {
                    return Ok(WriteOutcome::Ambiguous(http::describe_transport(
                        &e,
                        &describe_host(&url),
                    )))
                }
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
}

/// What a non-2xx, non-401 answer to the adjustment POST means (reference §5).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum WriteFailure {
    /// The server did not process it (429 or thread-limit text, 503): send it again after a pause.
    NotProcessed,
    /// It may or may not have been applied (500 without `errors[]`, 502, 504, another 5xx without
    /// a body): settled by re-reading the units.
    Ambiguous,
    /// Refused (500 with `errors[]` is a validation failure; any other 4xx): never resent.
    Rejected,
}

pub(crate) fn write_failure(status: u16, messages: &[String]) -> WriteFailure {
    if is_rate_limit(status, messages) || status == 503 {
        WriteFailure::NotProcessed
    } else if status == 502 || status == 504 {
        // A gateway answered: whether the API behind it processed the request is unknown.
        WriteFailure::Ambiguous
    } else if (500..600).contains(&status) && messages.is_empty() {
        WriteFailure::Ambiguous
    } else {
        WriteFailure::Rejected
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
    use super::{write_failure, WriteFailure};

    #[test]
    fn write_failure_table() {
        let errs = vec!["Something went wrong".to_string()];
        let thread = vec!["...thread threshold of 3 threads has been exceeded".to_string()];
        let none: Vec<String> = Vec::new();
        let cases = [
            (429, &none, WriteFailure::NotProcessed),
            (503, &errs, WriteFailure::NotProcessed),
            (503, &none, WriteFailure::NotProcessed),
            (500, &thread, WriteFailure::NotProcessed),
            (500, &errs, WriteFailure::Rejected),
            (500, &none, WriteFailure::Ambiguous),
            (502, &errs, WriteFailure::Ambiguous),
            (504, &none, WriteFailure::Ambiguous),
            (400, &errs, WriteFailure::Rejected),
            (404, &none, WriteFailure::Rejected),
            (403, &errs, WriteFailure::Rejected),
        ];
        for (status, msgs, want) in cases {
            assert_eq!(write_failure(status, msgs), want, "{status} {msgs:?}");
        }
    }
}
