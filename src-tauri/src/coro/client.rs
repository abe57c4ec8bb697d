//! The Coro API client core: the OAuth client-credentials token (cached in memory until shortly
//! before it expires, renewed once on a 401), the headers every `/v1` call carries
//! (`Authorization`, `Workspace`), retries per [`crate::http::retry_decision`], the in-flight
//! limit, paging, and the operator-facing [`CoroError`]. Every path, header and DTO comes from
//! [`super::wire`]. Discovery lives in `workspaces`, counts in `usage`.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use chrono::{DateTime, TimeDelta, Utc};
use reqwest::header::HeaderValue;
use reqwest::{Method, RequestBuilder, StatusCode};
use serde::de::DeserializeOwned;
use tokio::sync::{Mutex, Semaphore};

pub use super::errors::CoroError;
use super::errors::{detail_suffix, Failure};
use super::wire::{self, TokenRequest, TokenResponse};
use crate::clock::{Clock, SystemClock};
use crate::http::{self, Retry};
use crate::secrets::Sensitive;

/// Sends per request, first try included.
const MAX_ATTEMPTS: u32 = 4;
/// A paged list longer than this many pages is a server ignoring `page`; stop rather than spin.
const MAX_PAGES: u32 = 10_000;

/// Knobs with production defaults; tests inject a manual clock (token expiry and back-off
/// pauses go through it, so nothing waits) and shrink pages.
#[derive(Clone)]
pub struct ClientOptions {
    pub timeout: Duration,
    pub page_size: u32,
    /// HTTP requests in flight at once (coro.md §2.7: keep concurrency low).
    pub max_in_flight: usize,
    /// Workspaces read at once by [`CoroClient::usage`] (coro.md §2.7: 2–4).
    pub workspace_concurrency: usize,
    /// Overrides the token `audience` (coro.md §1.3: which value is canonical is UNCONFIRMED).
    pub audience: Option<String>,
    pub clock: Arc<dyn Clock>,
}

impl Default for ClientOptions {
    fn default() -> Self {
        ClientOptions {
            timeout: Duration::from_secs(30),
            page_size: wire::MAX_PAGE_SIZE,
            max_in_flight: 4,
            // The top of coro.md §2.7's "2–4": with two requests per workspace, in turn, that
            // keeps `max_in_flight` busy.
            workspace_concurrency: 4,
            audience: None,
            clock: Arc::new(SystemClock),
        }
    }
}

/// A Coro channel connection. Cheap to clone (shared state behind an `Arc`).
#[derive(Clone)]
pub struct CoroClient {
    pub(super) inner: Arc<Inner>,
}

pub(super) struct Inner {
    http: reqwest::Client,
    /// Base URL without a trailing slash; paths from `wire` are appended.
    base: String,
    host: String,
    client_id: String,
    secret: Sensitive<String>,
    pub(super) channel: String,
    audience: String,
    /// Held across the token request so concurrent callers wait for one token instead of each
    /// asking for their own.
    token: Mutex<Option<CachedToken>>,
    limit: Semaphore,
    sent: AtomicU64,
    pub(super) opts: ClientOptions,
    /// Diagnostics' raw capture ([`crate::http::capture`]), when set.
    capture: crate::http::capture::Slot,
}

struct CachedToken {
    value: Sensitive<String>,
    /// Renew from this moment on ([`wire::TOKEN_REFRESH_MARGIN_SECS`] before expiry).
    refresh_at: DateTime<Utc>,
}

impl std::fmt::Debug for CoroClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // The secret and the token never appear; the client id is not secret (the console lists it).
        f.debug_struct("CoroClient")
            .field("base", &self.inner.base)
            .field("client_id", &self.inner.client_id)
            .field("channel", &self.inner.channel)
            .finish_non_exhaustive()
    }
}

struct Reply {
    body: String,
}

impl CoroClient {
    /// A client for a region (`us`, `ca`, `eu`) or a base URL (https, or http on loopback).
    pub fn new(
        base_url_or_region: &str,
        client_id: String,
        client_secret: Sensitive<String>,
        channel: String,
    ) -> Result<CoroClient, CoroError> {
        Self::with_options(
            base_url_or_region,
            client_id,
            client_secret,
            channel,
            ClientOptions::default(),
        )
    }

    pub fn with_options(
        base_url_or_region: &str,
        client_id: String,
        client_secret: Sensitive<String>,
        channel: String,
        opts: ClientOptions,
    ) -> Result<CoroClient, CoroError> {
        let base = wire::resolve_base_url(base_url_or_region).ok_or_else(|| {
            CoroError::InvalidSetup(format!(
                "unknown Coro region {:?}: use us, ca, eu or the API's https:// URL",
                base_url_or_region.trim()
            ))
        })?;
        let url = http::endpoint_url(&base).map_err(|e| CoroError::InvalidSetup(e.to_string()))?;
        let (client_id, channel) = (client_id.trim().to_string(), channel.trim().to_string());
        for (field, value) in [
            ("client id", client_id.as_str()),
            ("client secret", client_secret.expose().as_str()),
            ("channel workspace id", channel.as_str()),
        ] {
            if value.trim().is_empty() {
                return Err(CoroError::InvalidSetup(format!(
                    "the Coro {field} is empty"
                )));
            }
        }
        let http =
            http::client(opts.timeout).map_err(|e| CoroError::InvalidSetup(e.to_string()))?;
        let audience = opts
            .audience
            .clone()
            .unwrap_or_else(|| wire::audience(&base));
        Ok(CoroClient {
            inner: Arc::new(Inner {
                http,
                host: url.host_str().unwrap_or_default().to_string(),
                base,
                client_id,
                secret: client_secret,
                channel,
                audience,
                token: Mutex::new(None),
                limit: Semaphore::new(opts.max_in_flight.max(1)),
                sent: AtomicU64::new(0),
                opts,
                capture: Default::default(),
            }),
        })
    }

    /// Hands every answer body this client reads to `capture` (diagnostics).
    pub fn capture_into(&self, capture: crate::http::capture::Capture) {
        let _ = self.inner.capture.set(capture);
    }

    /// The API base URL in use.
    pub fn base_url(&self) -> &str {
        &self.inner.base
    }

    pub fn channel(&self) -> &str {
        &self.inner.channel
    }

    /// HTTP requests sent so far (token requests and retries included), for benchmarks.
    pub fn request_count(&self) -> u64 {
        self.inner.sent.load(Ordering::Relaxed)
    }

    pub(super) fn now(&self) -> DateTime<Utc> {
        self.inner.opts.clock.now()
    }

    /// A valid token: the cached one, or a new one when none is cached or it is due for renewal.
    async fn token(&self) -> Result<Sensitive<String>, CoroError> {
        let mut cached = self.inner.token.lock().await;
        if let Some(t) = cached.as_ref().filter(|t| self.now() < t.refresh_at) {
            return Ok(t.value.clone());
        }
        let fresh = self.fetch_token().await?;
        let value = fresh.value.clone();
        *cached = Some(fresh);
        Ok(value)
    }

    /// Drops the cached token if it is still `stale` (another caller may have renewed it).
    async fn forget_token(&self, stale: &Sensitive<String>) {
        let mut cached = self.inner.token.lock().await;
        if cached
            .as_ref()
            .is_some_and(|t| t.value.expose() == stale.expose())
        {
            *cached = None;
        }
    }

    async fn fetch_token(&self) -> Result<CachedToken, CoroError> {
        let mut body = TokenRequest::new(
            &self.inner.client_id,
            self.inner.secret.expose(),
            &self.inner.base,
        );
        body.audience = Some(self.inner.audience.clone());
        let url = format!("{}{}", self.inner.base, wire::TOKEN_PATH);
        let what = format!("Coro's token endpoint at {}", self.inner.host);
        // Asking for a token changes nothing on the server, so it is as safe to repeat as a GET.
        let reply = self
            .execute(Method::POST, &url, |r| r.json(&body), true, &what)
            .await
            .map_err(|f| self.token_error(f))?;
        let parsed: TokenResponse = serde_json::from_str(&reply.body)
            .map_err(|e| CoroError::decode("the token response", &e.to_string()))?;
        let value = parsed
            .access_token
            .clone()
            .filter(|t| !t.expose().trim().is_empty())
            .ok_or_else(|| CoroError::decode("the token response", "no access_token"))?;
        // A year caps absurd lifetimes; a margin larger than half the lifetime would renew on
        // every call, so short-lived tokens renew at half-life instead.
        let lifetime = parsed.lifetime_secs().min(366 * 86_400);
        let margin = wire::TOKEN_REFRESH_MARGIN_SECS.min(lifetime / 2);
        let usable = TimeDelta::try_seconds((lifetime - margin) as i64).unwrap_or_default();
        tracing::debug!(lifetime, "Coro token issued");
        Ok(CachedToken {
            value,
            refresh_at: self.now() + usable,
        })
    }

    /// `GET {base}{path}` scoped to `workspace`, decoded by `decode`. A `200` whose body is cut
    /// off, is not JSON or is not in the shape `decode` expects is asked for again with the
    /// back-off of a 5xx (a GET is safe to repeat); only when every try was unreadable is it a
    /// [`CoroError::Decode`].
    pub(super) async fn get_decoded<T>(
        &self,
        path: &str,
        workspace: &str,
        query: &[(&str, String)],
        what: &str,
        decode: impl Fn(serde_json::Value) -> Result<T, String>,
    ) -> Result<T, CoroError> {
        let mut attempt = 0u32;
        loop {
            let body = self.get_body(path, workspace, query, what).await?;
            let err = match serde_json::from_str(&body)
                .map_err(|e| e.to_string())
                .and_then(&decode)
            {
                Ok(value) => return Ok(value),
                Err(e) => e,
            };
            match http::retry_decision(None, None, attempt, true, MAX_ATTEMPTS) {
                Retry::After(wait) => {
                    tracing::warn!(
                        path,
                        attempt,
                        "Coro's answer could not be read ({err}); retrying"
                    );
                    self.inner.opts.clock.sleep(wait).await;
                    attempt += 1;
                }
                Retry::No => {
                    let tries = attempt + 1;
                    return Err(CoroError::decode(
                        what,
                        &format!("{err}; the same after {tries} tries"),
                    ));
                }
            }
        }
    }

    /// The body of `GET {base}{path}` scoped to `workspace`. A 401 renews the token once and
    /// repeats the call once.
    async fn get_body(
        &self,
        path: &str,
        workspace: &str,
        query: &[(&str, String)],
        what: &str,
    ) -> Result<String, CoroError> {
        self.read_body(Method::GET, path, workspace, query, None, what)
            .await
    }

    /// `POST {base}{path}` with a JSON body, for the reads Coro exposes as a POST
    /// (`/subscriptions/bundleInfo`): decoded by `decode`, retried like a GET (it changes nothing).
    pub(super) async fn post_read<T>(
        &self,
        path: &str,
        body: &serde_json::Value,
        what: &str,
        decode: impl Fn(serde_json::Value) -> Result<T, String>,
    ) -> Result<T, CoroError> {
        let channel = self.inner.channel.clone();
        let text = self
            .read_body(Method::POST, path, &channel, &[], Some(body), what)
            .await?;
        serde_json::from_str(&text)
            .map_err(|e| e.to_string())
            .and_then(decode)
            .map_err(|e| CoroError::decode(what, &e))
    }

    /// The body of a read (`GET`, or a `POST` that only reads) scoped to `workspace`. A 401
    /// renews the token once and repeats the call once. The raw body goes to the capture hook
    /// when one is set (diagnostics).
    async fn read_body(
        &self,
        method: Method,
        path: &str,
        workspace: &str,
        query: &[(&str, String)],
        json: Option<&serde_json::Value>,
        what: &str,
    ) -> Result<String, CoroError> {
        let url = format!("{}{path}", self.inner.base);
        let mut renewed = false;
        loop {
            let token = self.token().await?;
            let mut auth = HeaderValue::from_str(&wire::bearer(token.expose()))
                .map_err(|_| CoroError::decode("the token response", "token is not header-safe"))?;
            auth.set_sensitive(true);
            let build = |r: RequestBuilder| {
                let r = r
                    .header(wire::AUTH_HEADER, auth.clone())
                    .header(wire::WORKSPACE_HEADER, workspace)
                    .query(query);
                match json {
                    Some(body) => r.json(body),
                    None => r,
                }
            };
            match self.execute(method.clone(), &url, build, true, what).await {
                Ok(reply) => {
                    crate::http::capture::note(
                        &self.inner.capture,
                        "coro",
                        method.as_str(),
                        path,
                        &reply.body,
                    );
                    return Ok(reply.body);
                }
                Err(Failure::Status { status, .. })
                    if status == StatusCode::UNAUTHORIZED && !renewed =>
                {
                    tracing::info!(path, "Coro answered 401; renewing the token once");
                    self.forget_token(&token).await;
                    renewed = true;
                }
                Err(f) => return Err(self.api_error(f, workspace, what)),
            }
        }
    }

    /// Every item of a paged list (coro.md §2.7), reading until an empty page, the running count
    /// reaching `totalElements`, or a page identical to the previous one (no progress). A bare
    /// array or object is taken as the whole list.
    pub(super) async fn get_pages<T: DeserializeOwned>(
        &self,
        path: &str,
        workspace: &str,
        what: &str,
    ) -> Result<Vec<T>, CoroError> {
        let mut out = Vec::new();
        let mut prev: Option<Vec<serde_json::Value>> = None;
        let mut read = 0u64;
        for page in 0..MAX_PAGES {
            let query = wire::page_query(page, self.inner.opts.page_size);
            let (paged, items, total, rows) = self
                .get_decoded(path, workspace, &query, what, |value| {
                    let paged = value.get("items").is_some_and(|i| i.is_array());
                    let (items, total) =
                        wire::parse_list::<serde_json::Value>(value).map_err(|e| e.to_string())?;
                    let rows = items
                        .iter()
                        .map(T::deserialize)
                        .collect::<Result<Vec<T>, _>>()
                        .map_err(|e| e.to_string())?;
                    Ok((paged, items, total, rows))
                })
                .await?;
            if !items.is_empty() && prev.as_ref() == Some(&items) {
                tracing::warn!(path, page, "Coro returned the same page twice; stopping");
                break;
            }
            read += items.len() as u64;
            out.extend(rows);
            if !paged || !wire::has_more(items.len(), read, total) {
                break;
            }
            prev = Some(items);
        }
        Ok(out)
    }

    /// One request with retries per [`http::retry_decision`]; logs each response's trace id.
    async fn execute(
        &self,
        method: Method,
        url: &str,
        build: impl Fn(RequestBuilder) -> RequestBuilder,
        idempotent: bool,
        what: &str,
    ) -> Result<Reply, Failure> {
        let mut attempt = 0u32;
        loop {
            let request = build(self.inner.http.request(method.clone(), url));
            let permit = self
                .inner
                .limit
                .acquire()
                .await
                .map_err(|_| Failure::Transport("the Coro client was shut down".to_string()))?;
            self.inner.sent.fetch_add(1, Ordering::Relaxed);
            let outcome = match request.send().await {
                Ok(resp) => {
                    let (status, headers) = (resp.status(), resp.headers().clone());
                    resp.text().await.map(|body| (status, headers, body))
                }
                Err(e) => Err(e),
            };
            drop(permit);
            let (status, headers, body) = match outcome {
                Ok(parts) => parts,
                Err(e) => {
                    let msg = http::describe_transport(&e, what);
                    match http::retry_decision(None, None, attempt, idempotent, MAX_ATTEMPTS) {
                        Retry::After(wait) => {
                            tracing::warn!(%method, url, attempt, "{msg}; retrying");
                            self.inner.opts.clock.sleep(wait).await;
                            attempt += 1;
                            continue;
                        }
                        Retry::No => return Err(Failure::Transport(msg)),
                    }
                }
            };
            let header = |name: &str| headers.get(name).and_then(|v| v.to_str().ok());
            let trace_id = header(wire::TRACE_ID_HEADER).map(str::to_string);
            let trace = trace_id.as_deref().unwrap_or("-");
            tracing::debug!(%method, url, status = status.as_u16(), trace_id = trace, attempt, "Coro response");
            if status.is_success() {
                return Ok(Reply { body });
            }
            let wait =
                header(wire::RETRY_AFTER_HEADER).and_then(|v| wire::retry_after(v, self.now()));
            match http::retry_decision(Some(status), wait, attempt, idempotent, MAX_ATTEMPTS) {
                Retry::After(d) => {
                    tracing::warn!(%method, url, status = status.as_u16(), trace_id = trace, attempt, wait_ms = d.as_millis() as u64, "Coro asked to retry");
                    self.inner.opts.clock.sleep(d).await;
                    attempt += 1;
                }
                Retry::No => {
                    tracing::warn!(%method, url, status = status.as_u16(), trace_id = trace, "Coro request failed");
                    return Err(Failure::Status {
                        status,
                        body: self.scrub(&body),
                        trace_id,
                        retry_after: wait,
                    });
                }
            }
        }
    }

    /// Removes the secret from text that came back from the server, so no message can echo it.
    /// Tokens cannot leak this way: messages never include request headers, and the token is
    /// only ever sent in one.
    fn scrub(&self, text: &str) -> String {
        let secret = self.inner.secret.expose();
        let clipped: String = text.chars().take(2_000).collect();
        if secret.len() >= 4 {
            clipped.replace(secret.as_str(), "***")
        } else {
            clipped
        }
    }

    /// The error for a failed token request: 401 is the credential, 403/404 the region.
    fn token_error(&self, f: Failure) -> CoroError {
        match f {
            Failure::Transport(msg) => {
                CoroError::Unreachable(format!("{msg} (check the region: us, ca or eu)"))
            }
            Failure::Status { status, .. } if status == StatusCode::UNAUTHORIZED => {
                CoroError::Unauthorized
            }
            // Coro's token endpoint answers 403 "Service not found" for an audience it does not
            // serve, i.e. a credential from another region; 404/405 means no token endpoint here.
            Failure::Status { status, body, .. } if matches!(status.as_u16(), 403..=405) => {
                CoroError::WrongRegion {
                    detail: format!(
                        "{} answered {}{}",
                        self.inner.host,
                        status.as_u16(),
                        detail_suffix(&body)
                    ),
                }
            }
            other => self.api_error(other, &self.inner.channel, "requesting a Coro token"),
        }
    }

    /// The error for a failed `/v1` call scoped to `workspace`.
    fn api_error(&self, f: Failure, workspace: &str, what: &str) -> CoroError {
        let (status, body, trace_id, retry_after) = match f {
            Failure::Transport(msg) => return CoroError::Unreachable(msg),
            Failure::Status {
                status,
                body,
                trace_id,
                retry_after,
            } => (status, body, trace_id, retry_after),
        };
        let code = status.as_u16();
        match code {
            401 => CoroError::Unauthorized,
            403 | 404 if workspace == self.inner.channel => CoroError::UnknownChannel {
                channel: workspace.to_string(),
                status: code,
            },
            403 => CoroError::Forbidden {
                workspace: workspace.to_string(),
                what: what.to_string(),
            },
            404 => CoroError::NotFound {
                workspace: workspace.to_string(),
                what: what.to_string(),
            },
            429 => CoroError::RateLimited {
                what: what.to_string(),
                retry_after_secs: retry_after.map(|d| d.as_secs()),
            },
            _ => CoroError::Remote {
                status: code,
                what: what.to_string(),
                detail: detail_suffix(&body),
                trace_id,
            },
        }
    }
}

#[cfg(test)]
mod read_faults;
#[cfg(test)]
mod tests;
