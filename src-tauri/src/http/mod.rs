//! What every API client shares: the HTTP client builder (rustls checking certificates against
//! the operating system's trust store, the OS proxy settings, no redirects, timeouts, user
//! agent), endpoint URL rules (HTTPS, or plain HTTP only on loopback; never credentials in the
//! URL), the pure retry decision, and `Retry-After` parsing.

pub mod capture;

use std::sync::{Arc, OnceLock};
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

/// rustls checking certificates with the operating system's verifier (Windows CryptoAPI, macOS
/// Security framework, the system CA bundle on Linux), so a private CA or a TLS-inspecting proxy
/// the MSP trusts in the OS is trusted here too. Built once: loading the OS roots is not free.
fn tls_config() -> Result<rustls::ClientConfig, HttpError> {
    static CONFIG: OnceLock<Result<rustls::ClientConfig, String>> = OnceLock::new();
    CONFIG
        .get_or_init(|| {
            use rustls_platform_verifier::BuilderVerifierExt;
            let provider = Arc::new(rustls::crypto::ring::default_provider());
            let mut config = rustls::ClientConfig::builder_with_provider(provider)
                .with_safe_default_protocol_versions()
                .and_then(|b| b.with_platform_verifier())
                .map_err(|e| e.to_string())?
                .with_no_client_auth();
            config.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
            Ok(config)
        })
        .clone()
        .map_err(HttpError::Client)
}

/// The client every remote call in the app goes through: HTTPS checked against the OS trust
/// store, the OS proxy settings (`HTTPS_PROXY`/`NO_PROXY`, and the system settings on Windows
/// and macOS), connect and request timeouts, and **no redirects**: a redirect could carry a
/// secret-bearing request (the Coro token POST, the Autotask headers) to another host or to
/// plain http, so a 3xx is returned to the caller as an answer, never followed.
pub fn client(request_timeout: Duration) -> Result<reqwest::Client, HttpError> {
    reqwest::Client::builder()
        .use_preconfigured_tls(tls_config()?)
        .user_agent(USER_AGENT)
        .connect_timeout(Duration::from_secs(10))
        .timeout(request_timeout)
        .redirect(reqwest::redirect::Policy::none())
        .https_only(false) // enforced per endpoint by `endpoint_url`, which allows http only on loopback
        .build()
        .map_err(|e| HttpError::Client(e.to_string()))
}

/// Parses an operator-entered endpoint: a host (`api-na.myconnectwise.net`) or a full URL.
/// Returns `scheme://host[:port]` plus any path, without a trailing slash. Plain `http://` is
/// accepted only for loopback hosts (that is how tests reach the sandbox).
pub fn endpoint_url(input: &str) -> Result<reqwest::Url, HttpError> {
    let raw: String = input.chars().filter(|c| !c.is_whitespace()).collect();
    if raw.is_empty() {
        return Err(HttpError::BadUrl("the address is empty".into()));
    }
    let with_scheme = if raw.contains("://") {
        raw.clone()
    } else {
        format!("https://{raw}")
    };
    // Messages name the address without anything before an `@`: it may hold a password.
    let trimmed = without_userinfo(&raw);
    let url = reqwest::Url::parse(&with_scheme)
        .map_err(|e| HttpError::BadUrl(format!("{trimmed:?} is not a valid address: {e}")))?;
    if !url.username().is_empty() || url.password().is_some() {
        return Err(HttpError::BadUrl(format!(
            "{trimmed}: the address holds a user name/password (user:password@host); remove \
             it: credentials are entered in their own fields and kept in the keychain"
        )));
    }
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

/// `input` with any `user:password@` part of its authority replaced by `***@`, for messages.
pub fn without_userinfo(input: &str) -> String {
    let (scheme, rest) = match input.find("://") {
        Some(i) => (&input[..i + 3], &input[i + 3..]),
        None => ("", input),
    };
    let authority_end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    match rest[..authority_end].rfind('@') {
        Some(at) => format!("{scheme}***@{}", &rest[at + 1..]),
        None => input.to_string(),
    }
}

/// True when `url` is https on `domain` or one of its subdomains, or any scheme on loopback (the
/// sandbox). For answers a vendor's server gives us about where to send credentials next.
pub fn is_vendor_host(url: &reqwest::Url, domain: &str) -> bool {
    if !url.username().is_empty() || url.password().is_some() {
        return false;
    }
    let host = url.host_str().unwrap_or_default().to_ascii_lowercase();
    let domain = domain.to_ascii_lowercase();
    match url.scheme() {
        "http" | "https" if is_loopback(&host) => true,
        "https" => host == domain || host.ends_with(&format!(".{domain}")),
        _ => false,
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
        format!("{what}: the secure connection failed (the TLS certificate is not trusted by this computer, or is invalid): check the address; a private certificate authority or a proxy that inspects HTTPS must be trusted in the operating system's certificate store (PSA Bridge uses it; on Linux the system CA bundle)")
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
    fn credentials_in_urls_are_refused_and_never_echoed() {
        for bad in [
            "https://admin:hunter2@na.myconnectwise.net",
            "https://hunter2@na.myconnectwise.net/v4_6_release",
            "admin:hunter2@na.myconnectwise.net",
            "http://admin:hunter2@127.0.0.1:47801",
            "http://admin:hunter2@example.com",
            "ftp://admin:hunter2@x",
        ] {
            let err = endpoint_url(bad).expect_err(bad).to_string();
            assert!(!err.contains("hunter2"), "{bad}: {err}");
        }
        let msg = endpoint_url("https://admin:hunter2@x.example.com")
            .unwrap_err()
            .to_string();
        assert!(msg.contains("user name/password"), "{msg}");
        assert_eq!(
            without_userinfo("https://a:b@h.example/p@q"),
            "https://***@h.example/p@q"
        );
        assert_eq!(without_userinfo("h.example/p@q"), "h.example/p@q");
    }

    #[test]
    fn vendor_hosts() {
        let u = |s: &str| reqwest::Url::parse(s).unwrap();
        let yes = [
            "https://webservices3.autotask.net/atservicesrest/",
            "https://AutoTask.net/",
            "http://127.0.0.1:47802/atservicesrest/",
            "http://localhost:9/",
        ];
        for s in yes {
            assert!(is_vendor_host(&u(s), "autotask.net"), "{s}");
        }
        let no = [
            "http://webservices3.autotask.net/atservicesrest/",
            "https://evil.example/atservicesrest/",
            "https://autotask.net.evil.example/",
            "https://evilautotask.net/",
            "https://u:p@webservices3.autotask.net/",
            "ftp://webservices3.autotask.net/",
            "http://10.0.0.1/",
        ];
        for s in no {
            assert!(!is_vendor_host(&u(s), "autotask.net"), "{s}");
        }
    }

    /// A redirect is answered, not followed: the request (here a token POST carrying a secret in
    /// its body, re-sent on 307 by a following client) never reaches the other port.
    #[tokio::test]
    async fn redirects_are_not_followed() {
        let mut elsewhere = mockito::Server::new_async().await;
        let stolen = elsewhere
            .mock("POST", mockito::Matcher::Any)
            .expect(0)
            .create_async()
            .await;
        let stolen_get = elsewhere
            .mock("GET", mockito::Matcher::Any)
            .expect(0)
            .create_async()
            .await;
        let mut origin = mockito::Server::new_async().await;
        for code in [301, 302, 307, 308] {
            let target = format!("{}/oauth/token", elsewhere.url());
            let m = origin
                .mock("POST", format!("/token-{code}").as_str())
                .with_status(code)
                .with_header("location", &target)
                .create_async()
                .await;
            let res = client(Duration::from_secs(5))
                .unwrap()
                .post(format!("{}/token-{code}", origin.url()))
                .json(&serde_json::json!({"client_secret": "s3cret-in-body"}))
                .send()
                .await
                .unwrap();
            assert_eq!(usize::from(res.status().as_u16()), code);
            m.assert_async().await;
        }
        stolen.assert_async().await;
        stolen_get.assert_async().await;
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
