//! The client core against a mock server: tokens, retries, error messages.

use super::*;
use crate::clock::ManualClock;
use crate::error::{ApiError, ErrorCode};
use mockito::{Matcher, Server};
use serde_json::json;

pub(super) const SECRET: &str = "s3cr3t-value";
pub(super) const CHANNEL: &str = "root_AAAA_c";

pub(super) fn start() -> DateTime<Utc> {
    DateTime::parse_from_rfc3339("2026-05-01T05:00:00Z")
        .unwrap()
        .with_timezone(&Utc)
}

/// A clock the test moves by hand; back-off pauses return at once.
pub(super) fn clock() -> Arc<ManualClock> {
    Arc::new(ManualClock::new(start()))
}

pub(super) fn client(url: &str, clock: Arc<ManualClock>) -> CoroClient {
    let opts = ClientOptions {
        clock,
        ..ClientOptions::default()
    };
    CoroClient::with_options(
        url,
        "cid".into(),
        Sensitive::new(SECRET.into()),
        CHANNEL.into(),
        opts,
    )
    .unwrap()
}

pub(super) async fn token(
    server: &mut Server,
    value: &str,
    expires_in: u64,
    hits: usize,
) -> mockito::Mock {
    server
        .mock("POST", wire::TOKEN_PATH)
        .match_header("content-type", "application/json")
        .match_body(Matcher::Json(
            json!({"client_id": "cid", "client_secret": SECRET,
            "audience": server.url(), "grant_type": "client_credentials"}),
        ))
        .with_body(
            json!({"access_token": value, "token_type": "Bearer", "expires_in": expires_in})
                .to_string(),
        )
        .expect(hits)
        .create_async()
        .await
}

pub(super) async fn channel(
    server: &mut Server,
    bearer: &str,
    status: usize,
    hits: usize,
) -> mockito::Mock {
    server
        .mock("GET", wire::WORKSPACES_PATH)
        .match_header(wire::AUTH_HEADER, format!("Bearer {bearer}").as_str())
        .match_header(wire::WORKSPACE_HEADER, CHANNEL)
        .with_status(status)
        .with_header(wire::TRACE_ID_HEADER, "trace-1")
        .with_body(json!({"id": CHANNEL, "companyName": "Root MSP", "type": "channel"}).to_string())
        .expect(hits)
        .create_async()
        .await
}

#[tokio::test]
async fn token_is_requested_once_and_reused() {
    let mut server = Server::new_async().await;
    let t = token(&mut server, "tok1", 86_400, 1).await;
    let ch = channel(&mut server, "tok1", 200, 2).await;
    let c = client(&server.url(), clock());
    assert_eq!(c.check().await.unwrap(), "Root MSP");
    assert_eq!(c.check().await.unwrap(), "Root MSP");
    t.assert_async().await;
    ch.assert_async().await;
    assert_eq!(c.request_count(), 3);
}

#[tokio::test]
async fn token_renewed_at_the_refresh_margin() {
    let mut server = Server::new_async().await;
    let t = token(&mut server, "tok1", 3_600, 2).await;
    let ch = channel(&mut server, "tok1", 200, 3).await;
    let clock = clock();
    let c = client(&server.url(), clock.clone());
    c.check().await.unwrap();
    let due = (3_600 - wire::TOKEN_REFRESH_MARGIN_SECS) as i64;
    clock.set(start() + TimeDelta::seconds(due - 1));
    c.check().await.unwrap();
    assert_eq!(
        c.request_count(),
        3,
        "still inside the margin: no new token"
    );
    clock.set(start() + TimeDelta::seconds(due));
    c.check().await.unwrap();
    t.assert_async().await;
    ch.assert_async().await;
}

#[tokio::test]
async fn a_401_renews_the_token_exactly_once() {
    // Renewed token accepted.
    let mut server = Server::new_async().await;
    let t1 = token(&mut server, "old", 86_400, 1).await;
    let t2 = token(&mut server, "new", 86_400, 1).await;
    let old = channel(&mut server, "old", 401, 1).await;
    let new = channel(&mut server, "new", 200, 1).await;
    let c = client(&server.url(), clock());
    assert_eq!(c.check().await.unwrap(), "Root MSP");
    for m in [t1, t2, old, new] {
        m.assert_async().await;
    }
    // Still 401 after renewing: the credential is wrong; no third token request.
    let mut server = Server::new_async().await;
    let t = token(&mut server, "tok", 86_400, 2).await;
    let ch = channel(&mut server, "tok", 401, 2).await;
    let err = client(&server.url(), clock()).check().await.unwrap_err();
    assert_eq!(err, CoroError::Unauthorized);
    assert!(err
        .to_string()
        .starts_with("401 from Coro: check the client id and secret"));
    t.assert_async().await;
    ch.assert_async().await;
}

#[tokio::test]
async fn retries_429_and_5xx_then_succeeds() {
    let mut server = Server::new_async().await;
    let _t = token(&mut server, "tok", 86_400, 1).await;
    let limited = server
        .mock("GET", wire::WORKSPACES_PATH)
        .with_status(429)
        .with_header(wire::RETRY_AFTER_HEADER, "0")
        .expect(1)
        .create_async()
        .await;
    let failed = server
        .mock("GET", wire::WORKSPACES_PATH)
        .with_status(503)
        .expect(1)
        .create_async()
        .await;
    let ok = channel(&mut server, "tok", 200, 1).await;
    let clock = clock();
    let c = client(&server.url(), clock.clone());
    assert_eq!(c.check().await.unwrap(), "Root MSP");
    // Retry-After: 0 honoured, then the back-off of the second retry (attempt 1) for the 503.
    assert_eq!(clock.slept(), vec![Duration::ZERO, Duration::from_secs(1)]);
    for m in [limited, failed, ok] {
        m.assert_async().await;
    }
    assert_eq!(c.request_count(), 4);
}

/// (case, token status + body, channel status, expected code, text in the message)
#[tokio::test]
async fn errors_map_to_operator_messages() {
    type Case<'a> = (&'a str, (usize, String), usize, ErrorCode, &'a str);
    let cases: Vec<Case> = vec![
        (
            "wrong secret",
            (401, json!({"error": "access_denied"}).to_string()),
            200,
            ErrorCode::Unauthorized,
            "Control Panel → Connectors → API Credentials",
        ),
        (
            "other region audience",
            (
                403,
                json!({"error": "access_denied", "error_description": "Service not found"})
                    .to_string(),
            ),
            200,
            ErrorCode::InvalidInput,
            "check the region",
        ),
        (
            "no token endpoint",
            (404, String::new()),
            200,
            ErrorCode::InvalidInput,
            "check the region",
        ),
        (
            "unknown channel",
            (200, String::new()),
            404,
            ErrorCode::InvalidInput,
            "check the channel workspace id",
        ),
        (
            "foreign channel",
            (200, String::new()),
            403,
            ErrorCode::InvalidInput,
            "check the channel workspace id",
        ),
        (
            "bad request",
            (200, String::new()),
            400,
            ErrorCode::Remote,
            "(Coro trace id trace-1)",
        ),
        (
            "echoed secret",
            (
                400,
                json!({"error_description": format!("bad {SECRET}")}).to_string(),
            ),
            200,
            ErrorCode::Remote,
            "bad ***",
        ),
        (
            "throttled",
            (429, String::new()),
            200,
            ErrorCode::Remote,
            "rate limiting",
        ),
    ];
    for (case, (token_status, token_body), channel_status, code, text) in cases {
        let mut server = Server::new_async().await;
        let body = if token_status == 200 {
            json!({"access_token": "tok"}).to_string()
        } else {
            token_body
        };
        let _t = server
            .mock("POST", wire::TOKEN_PATH)
            .with_status(token_status)
            .with_body(body)
            .create_async()
            .await;
        let _c = channel(&mut server, "tok", channel_status, 1).await;
        let err: ApiError = client(&server.url(), clock())
            .check()
            .await
            .unwrap_err()
            .into();
        assert_eq!(err.code, code, "{case}: {}", err.message);
        assert!(err.message.contains(text), "{case}: {}", err.message);
        assert!(!err.message.contains(SECRET), "{case}");
    }
}

#[tokio::test]
async fn unreachable_host_names_the_region() {
    let c = client("http://127.0.0.1:1", clock());
    let err = c.check().await.unwrap_err();
    assert!(matches!(err, CoroError::Unreachable(_)), "{err:?}");
    assert!(err.to_string().contains("check the region"), "{err}");
}

#[test]
fn setup_is_validated_and_debug_hides_the_secret() {
    let make = |region: &str, id: &str, secret: &str, ch: &str| {
        CoroClient::new(region, id.into(), Sensitive::new(secret.into()), ch.into())
    };
    let cases = [
        (
            "region code",
            make("EU", "cid", SECRET, CHANNEL).map(|c| c.base_url().to_string()),
            Ok("https://api.secure-eu.coro.net"),
        ),
        (
            "loopback url",
            make("http://127.0.0.1:9/", "cid", SECRET, CHANNEL).map(|c| c.base_url().to_string()),
            Ok("http://127.0.0.1:9"),
        ),
        (
            "unknown region",
            make("mars", "cid", SECRET, CHANNEL).map(|_| String::new()),
            Err("unknown Coro region"),
        ),
        (
            "plain http",
            make("http://example.com", "cid", SECRET, CHANNEL).map(|_| String::new()),
            Err("plain http"),
        ),
        (
            "empty secret",
            make("us", "cid", "", CHANNEL).map(|_| String::new()),
            Err("client secret is empty"),
        ),
        (
            "empty channel",
            make("us", "cid", SECRET, " ").map(|_| String::new()),
            Err("channel workspace id is empty"),
        ),
    ];
    for (case, got, want) in cases {
        match want {
            Ok(url) => assert_eq!(got.as_deref(), Ok(url), "{case}"),
            Err(text) => assert!(got.unwrap_err().to_string().contains(text), "{case}"),
        }
    }
    let c = make("us", "cid", SECRET, CHANNEL).unwrap();
    assert!(!format!("{c:?}").contains(SECRET));
}
