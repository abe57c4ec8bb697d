//! What every API client shares: the HTTP client builder (rustls with certificate checks,
//! timeouts, user agent), endpoint URL rules (HTTPS, or plain HTTP only on loopback), the pure
//! retry decision, and `Retry-After` parsing.

use std::time::Duration;

use reqwest::StatusCode;

pub const USER_AGENT: &str = concat!("PSA-Bridge/", env!("CARGO_PKG_VERSION"));

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum HttpError {
    #[error("could not set up HTTPS: {0}")]
    Client(String),
    #[error("{0}")]
    BadUrl(String),
}

/// An HTTPS client with certificate verification (rustls + webpki roots), connect and request
/// timeouts. Every remote call in the app goes through one of these.
pub fn client(request_timeout: Duration) -> Result<reqwest::Client, HttpError> {
    reqwest::Client::builder()
        .user_agent(USER_AGENT)
        .connect_timeout(Duration::from_secs(10))
        .timeout(request_timeout)
        .https_only(false) // enforced per endpoint by `endpoint_url`, which allows http only on loopback
        .build()
        .map_err(|e| HttpError::Client(e.to_string()))
}

/// Parses an operator-entered endpoint: a host (`api-na.myconnectwise.net`) or a full URL.
/// Returns `scheme://host[:port]` plus any path, without a trailing slash. Plain `http://` is
/// accepted only for loopback hosts (that is how tests reach the sandbox).
pub fn endpoint_url(input: &str) -> Result<reqwest::Url, HttpError> {
    let trimmed: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    if trimmed.is_empty() {
        return Err(HttpError::BadUrl("the address is empty".into()));
    }
    let with_scheme = if trimmed.contains("://") {
        trimmed.clone()
    } else {
        format!("https://{trimmed}")
    };
    let url = reqwest::Url::parse(&with_scheme)
        .map_err(|e| HttpError::BadUrl(format!("{trimmed:?} is not a valid address: {e}")))?;
    let host = url.host_str().unwrap_or_default().to_string();
    match url.scheme() {
        "https" => Ok(url),
        "http" if is_loopback(&host) => Ok(url),
        "http" => Err(HttpError::BadUrl(format!(
            "{trimmed} uses plain http: use https:// (plain http is allowed only for 127.0.0.1/localhost)"
        ))),
        other => Err(HttpError::BadUrl(format!("{trimmed}: unsupported scheme {other}: use https://"))),
    }
}

pub fn is_loopback(host: &str) -> bool {
    let h = host.trim_start_matches('[').trim_end_matches(']');
    h.eq_ignore_ascii_case("localhost")
        || h.parse::<std::net::IpAddr>()
            .map(|ip| ip.is_loopback())
            .unwrap_or(false)
}

/// What to do after a response or a transport error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Retry {
    /// Do not retry: surface the result.
    No,
    /// Wait this long, then send the same request again.
    After(Duration),
}

/// Pure retry policy. 429 is retried for any method (the server did not process the request),
/// honouring `Retry-After`; 5xx, timeouts and connection failures only for idempotent requests
/// (a lost POST may have been applied). Exponential backoff from 500 ms, capped at 30 s, at most
/// `max_attempts` sends in total.
pub fn retry_decision(
    status: Option<StatusCode>,
    retry_after: Option<Duration>,
    attempt: u32,
    idempotent: bool,
    max_attempts: u32,
) -> Retry {
    if attempt + 1 >= max_attempts {
        return Retry::No;
    }
    let backoff = Duration::from_millis(500u64.saturating_mul(1u64 << attempt.min(6)))
        .min(Duration::from_secs(30));
    match status {
        Some(StatusCode::TOO_MANY_REQUESTS) => {
            Retry::After(retry_after.unwrap_or(backoff).min(Duration::from_secs(120)))
        }
        Some(s) if s.is_server_error() && idempotent => {
            Retry::After(retry_after.unwrap_or(backoff))
        }
        Some(_) => Retry::No,
        None if idempotent => Retry::After(backoff),
        None => Retry::No,
    }
}

/// `Retry-After` as seconds (HTTP-date forms are treated as absent).
pub fn retry_after(headers: &reqwest::header::HeaderMap) -> Option<Duration> {
    headers
        .get(reqwest::header::RETRY_AFTER)?
        .to_str()
        .ok()?
        .trim()
        .parse::<u64>()
        .ok()
        .map(Duration::from_secs)
}

/// Describes a transport error for the operator (DNS, refused, TLS, timeout) without secrets.
pub fn describe_transport(e: &reqwest::Error, what: &str) -> String {
    let mut chain = String::new();
    let mut src: Option<&dyn std::error::Error> = Some(e);
    while let Some(s) = src {
        chain.push_str(&s.to_string().to_ascii_lowercase());
        chain.push(' ');
        src = s.source();
    }
    if e.is_timeout() {
        format!("{what} did not answer in time: check the address and your network, then try again")
    } else if chain.contains("dns")
        || chain.contains("failed to lookup")
        || chain.contains("name or service not known")
    {
        format!("{what}: the host name could not be found (DNS): check the address for typos")
    } else if chain.contains("certificate") || chain.contains("tls") || chain.contains("handshake")
    {
        format!("{what}: the secure connection failed (TLS certificate not trusted or invalid): check the address; a proxy that intercepts HTTPS needs its certificate installed in the OS")
    } else if chain.contains("refused") {
        format!("{what}: the connection was refused: check the address and port")
    } else {
        format!("{what} could not be reached: check the address and your network")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_rules() {
        let ok = [
            (
                "api-na.myconnectwise.net",
                "https://api-na.myconnectwise.net/",
            ),
            (" https://x.example.com/path ", "https://x.example.com/path"),
            ("http://127.0.0.1:47801", "http://127.0.0.1:47801/"),
            ("http://localhost:9", "http://localhost:9/"),
        ];
        for (input, want) in ok {
            assert_eq!(
                endpoint_url(input).map(|u| u.to_string()),
                Ok(want.to_string()),
                "{input}"
            );
        }
        for bad in ["", "http://example.com", "ftp://x", "http://10.0.0.1"] {
            assert!(endpoint_url(bad).is_err(), "{bad} should be refused");
        }
    }

    #[test]
    fn retry_policy_table() {
        let s = |c: u16| StatusCode::from_u16(c).ok();
        let secs = Duration::from_secs;
        let cases = [
            (s(429), Some(secs(7)), 0, false, Retry::After(secs(7))),
            (
                s(429),
                None,
                0,
                true,
                Retry::After(Duration::from_millis(500)),
            ),
            (
                s(503),
                None,
                1,
                true,
                Retry::After(Duration::from_millis(1000)),
            ),
            (s(503), None, 1, false, Retry::No),
            (s(500), None, 0, false, Retry::No),
            (s(400), None, 0, true, Retry::No),
            (s(401), None, 0, true, Retry::No),
            (
                None,
                None,
                2,
                true,
                Retry::After(Duration::from_millis(2000)),
            ),
            (None, None, 0, false, Retry::No),
            (s(429), Some(secs(7)), 3, true, Retry::No),
        ];
        for (status, ra, attempt, idem, want) in cases {
            assert_eq!(
                retry_decision(status, ra, attempt, idem, 4),
                want,
                "{status:?} {attempt} {idem}"
            );
        }
    }
}
