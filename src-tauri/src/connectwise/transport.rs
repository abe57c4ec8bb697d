//! One HTTP exchange with ConnectWise: the headers every call carries (Basic auth, `clientId`,
//! pinned model version, `Cache-Control: no-cache`), the in-flight limit, and retries per
//! [`crate::http::retry_decision`] (429 honouring `Retry-After`; 5xx and transport errors only
//! because every call this client makes is idempotent; a read whose `200` body is cut off or
//! does not parse, by [`ConnectWiseClient::fetch`]). Request ids go to the logs.

use std::sync::atomic::{AtomicU32, Ordering};

use reqwest::header::HeaderMap;
use reqwest::{Method, Url};
use serde::de::DeserializeOwned;

use super::client::{parse, Call, ConnectWiseClient, API_VERSION};
use super::errors::Failure;
use super::query;
use crate::http::{retry_after, retry_decision, Retry};
use crate::psa::PsaError;

/// Sends per request, first try included.
const MAX_ATTEMPTS: u32 = 4;

/// A successful response.
pub(super) struct Reply {
    pub headers: HeaderMap,
    pub body: String,
    pub request_id: Option<String>,
}

/// Why a send failed after retries.
pub(super) enum SendError {
    Status(Failure),
    Transport(String),
}

impl ConnectWiseClient {
    /// Sends `call` and decodes its body. A read (GET) whose `200` arrives truncated or in a
    /// shape that does not parse is sent again with the same back-off as a 5xx: a GET is safe to
    /// repeat, and a cut-off answer says nothing about the data. Only when every try came back
    /// unreadable is it an error.
    pub(super) async fn fetch<T: DeserializeOwned>(
        &self,
        call: &Call,
        sent: &AtomicU32,
    ) -> Result<(Reply, T), PsaError> {
        let repeatable = call.method == Method::GET;
        let mut attempt = 0u32;
        loop {
            let reply = self.execute(call, sent).await?;
            let err = match parse::<T>(&reply, call.resource) {
                Ok(value) => return Ok((reply, value)),
                Err(e) => e,
            };
            match retry_decision(None, None, attempt, repeatable, MAX_ATTEMPTS) {
                Retry::After(wait) => {
                    tracing::warn!(path = %call.path, attempt, request_id = reply.request_id.as_deref().unwrap_or("-"), "ConnectWise answer could not be read, retrying: {err}");
                    tokio::time::sleep(wait).await;
                    attempt += 1;
                }
                Retry::No if attempt > 0 => {
                    return Err(PsaError::Remote {
                        status: None,
                        message: format!("{err} (the same after {} tries)", attempt + 1),
                        request_id: reply.request_id,
                    })
                }
                Retry::No => return Err(err),
            }
        }
    }

    pub(super) async fn send_call(
        &self,
        call: &Call,
        codebase: &str,
        sent: &AtomicU32,
    ) -> Result<Reply, SendError> {
        let mut url = format!("{}{codebase}apis/3.0{}", self.inner.origin, call.path);
        if !call.query.is_empty() {
            url.push('?');
            url.push_str(&query::query_string(&call.query));
        }
        let url = Url::parse(&url)
            .map_err(|e| SendError::Transport(format!("bad ConnectWise URL: {e}")))?;
        self.send(call.method.clone(), url, call.body.as_ref(), true, sent)
            .await
    }

    /// One request with retries. `authenticated` is false only for codebase discovery.
    pub(super) async fn send(
        &self,
        method: Method,
        url: Url,
        body: Option<&serde_json::Value>,
        authenticated: bool,
        sent: &AtomicU32,
    ) -> Result<Reply, SendError> {
        // Every request this client sends is safe to repeat: GETs, and PATCHes that set an
        // absolute value. (It never POSTs.)
        let idempotent = matches!(
            method,
            Method::GET | Method::PATCH | Method::PUT | Method::DELETE
        );
        let what = format!("ConnectWise at {}", self.host());
        let mut attempt = 0u32;
        loop {
            let request = self.build(&method, &url, body, authenticated)?;
            #[cfg(test)]
            self.record(&request);
            let permit = self
                .inner
                .limit
                .acquire()
                .await
                .map_err(|_| SendError::Transport("client closed".into()))?;
            sent.fetch_add(1, Ordering::Relaxed);
            let outcome = match self.inner.http.execute(request).await {
                Ok(resp) => {
                    let status = resp.status();
                    let headers = resp.headers().clone();
                    match resp.text().await {
                        Ok(text) => {
                            if status.is_success() && method == Method::GET {
                                crate::http::capture::note(
                                    &self.inner.capture,
                                    "connectwise",
                                    method.as_str(),
                                    url.path(),
                                    &text,
                                );
                            }
                            Ok((status, headers, text))
                        }
                        Err(e) => Err(e),
                    }
                }
                Err(e) => Err(e),
            };
            drop(permit);
            let (status, headers, text) = match outcome {
                Ok(parts) => parts,
                Err(e) => {
                    let msg = describe(&e, &what);
                    match retry_decision(None, None, attempt, idempotent, MAX_ATTEMPTS) {
                        Retry::After(wait) => {
                            tracing::warn!(%method, path = url.path(), attempt, "ConnectWise transport error, retrying: {msg}");
                            tokio::time::sleep(wait).await;
                            attempt += 1;
                            continue;
                        }
                        Retry::No => return Err(SendError::Transport(msg)),
                    }
                }
            };
            let request_id = headers
                .get("x-cw-request-id")
                .and_then(|v| v.to_str().ok())
                .map(str::to_string);
            tracing::debug!(%method, path = url.path(), status = status.as_u16(), request_id = request_id.as_deref().unwrap_or("-"), attempt, "ConnectWise response");
            if status.is_success() {
                return Ok(Reply {
                    headers,
                    body: text,
                    request_id,
                });
            }
            let wait = retry_after(&headers);
            match retry_decision(Some(status), wait, attempt, idempotent, MAX_ATTEMPTS) {
                Retry::After(d) => {
                    tracing::warn!(%method, path = url.path(), status = status.as_u16(), request_id = request_id.as_deref().unwrap_or("-"), attempt, wait_ms = d.as_millis() as u64, "ConnectWise asked to retry");
                    tokio::time::sleep(d).await;
                    attempt += 1;
                }
                Retry::No => {
                    tracing::warn!(%method, path = url.path(), status = status.as_u16(), request_id = request_id.as_deref().unwrap_or("-"), attempt, "ConnectWise request failed");
                    return Err(SendError::Status(Failure {
                        status,
                        body: text,
                        request_id,
                        retry_after_secs: wait.map(|d| d.as_secs()),
                    }));
                }
            }
        }
    }

    fn build(
        &self,
        method: &Method,
        url: &Url,
        body: Option<&serde_json::Value>,
        authenticated: bool,
    ) -> Result<reqwest::Request, SendError> {
        let accept = format!("application/vnd.connectwise.com+json; version={API_VERSION}");
        let mut req = self
            .inner
            .http
            .request(method.clone(), url.clone())
            .header("clientId", self.inner.client_id.clone())
            .header("Cache-Control", "no-cache");
        req = if authenticated {
            req.header("Authorization", self.inner.authorization.clone())
                .header("Accept", accept)
        } else {
            req.header("Accept", "application/json")
        };
        if let Some(body) = body {
            req = req
                .header("Content-Type", "application/json")
                .body(body.to_string());
        }
        req.build().map_err(|e| {
            SendError::Transport(format!("could not build the ConnectWise request: {e}"))
        })
    }

    /// Test builds keep every authenticated API request (Authorization redacted) for the
    /// contract check against the vendor spec.
    #[cfg(test)]
    fn record(&self, request: &reqwest::Request) {
        let url = request.url();
        let Some(at) = url.path().find("/apis/3.0") else {
            return;
        };
        let query: serde_json::Map<String, serde_json::Value> = url
            .query_pairs()
            .map(|(k, v)| (k.into_owned(), v.into_owned().into()))
            .collect();
        let headers: serde_json::Map<String, serde_json::Value> = request
            .headers()
            .iter()
            .map(|(k, v)| {
                let value = if k == "authorization" {
                    "Basic <redacted>".to_string()
                } else {
                    v.to_str().unwrap_or("").to_string()
                };
                (k.as_str().to_string(), value.into())
            })
            .collect();
        let body = request
            .body()
            .and_then(|b| b.as_bytes())
            .and_then(|b| serde_json::from_slice::<serde_json::Value>(b).ok())
            .unwrap_or(serde_json::Value::Null);
        let line = serde_json::json!({
            "method": request.method().as_str(),
            "path": &url.path()[at + "/apis/3.0".len()..],
            "query": query,
            "headers": headers,
            "body": body,
        });
        if let Ok(mut log) = self.inner.recorded.lock() {
            log.push(line);
        }
    }
}

/// [`crate::http::describe_transport`], plus rustls failures whose text names neither TLS nor a
/// certificate (a server speaking plain HTTP on the https port answers with a "corrupt message").
fn describe(e: &reqwest::Error, what: &str) -> String {
    let mut chain = String::new();
    let mut src: Option<&dyn std::error::Error> = Some(e);
    while let Some(s) = src {
        chain.push_str(&s.to_string().to_ascii_lowercase());
        chain.push(' ');
        src = s.source();
    }
    let rustls = [
        "corrupt message",
        "fatal alert",
        "peer is incompatible",
        "peer misbehaved",
    ];
    if rustls.iter().any(|needle| chain.contains(needle)) {
        format!(
            "{what}: the secure connection failed (TLS handshake error): check that the address is the HTTPS address of the ConnectWise server; a proxy that intercepts HTTPS needs its certificate installed in the OS"
        )
    } else {
        crate::http::describe_transport(e, what)
    }
}
