//! `Psa::check`: discovery, `/system/info`, and every way a connection can fail.

use mockito::Matcher;

use super::{api, client_for, config, fixture, options, Harness, ACCEPT, CLIENT_ID};
use crate::connectwise::{ConnectWiseClient, BAD_KEYS, NO_CLIENT_ID};
use crate::psa::{Psa, PsaError};
use crate::secrets::Sensitive;

async fn system_info_fails(status: usize, body: &str) -> PsaError {
    let mut h = Harness::new().await;
    let _d = h.discovery().await;
    let _m = h
        .api("GET", "/system/info")
        .match_query(Matcher::Any)
        .with_status(status)
        .with_header("x-cw-request-id", "req-check-1")
        .with_body(body)
        .expect(1)
        .create_async()
        .await;
    match h.client.check().await {
        Ok(ok) => panic!("expected an error, got {ok:?}"),
        Err(e) => e,
    }
}

#[tokio::test]
async fn check_discovers_the_codebase_then_reads_system_info() {
    let mut h = Harness::new().await;
    let discovery = h.discovery().await;
    let info = h
        .api("GET", "/system/info")
        .match_query(Matcher::Missing)
        .with_body(fixture!("system_info.json"))
        .expect(1)
        .create_async()
        .await;
    let outcome = h.client.check().await.map_err(|e| e.to_string());
    let detail = outcome.map(|o| o.detail);
    assert_eq!(
        detail.as_deref(),
        Ok("ConnectWise PSA v2025.1.104212 (cloud, NA), company contoso, codebase v2025_1")
    );
    discovery.assert_async().await;
    info.assert_async().await;
    let sent = h.requests();
    assert_eq!(sent.len(), 1, "{sent:?}");
    assert_eq!(sent[0]["path"], "/system/info");
    assert_eq!(sent[0]["query"], serde_json::json!({}));
    assert_eq!(sent[0]["headers"]["clientid"], CLIENT_ID);
    assert_eq!(sent[0]["headers"]["accept"], ACCEPT);
    assert_eq!(sent[0]["headers"]["authorization"], "Basic <redacted>");
}

#[tokio::test]
async fn unknown_company_id_is_named() {
    let mut h = Harness::new().await;
    let _d = h
        .server
        .mock("GET", "/login/companyinfo/contoso")
        .with_body("null")
        .expect(1)
        .create_async()
        .await;
    match h.client.check().await {
        Err(PsaError::InvalidConfig(msg)) => {
            assert!(
                msg.contains("does not know the company id \"contoso\""),
                "{msg}"
            )
        }
        other => panic!("{other:?}"),
    }
    assert!(
        h.requests().is_empty(),
        "nothing is sent after an unknown company"
    );
}

#[tokio::test]
async fn missing_companyinfo_falls_back_to_the_classic_codebase() {
    let mut h = Harness::new().await;
    let _d = h
        .server
        .mock("GET", "/login/companyinfo/contoso")
        .with_status(404)
        .create_async()
        .await;
    let _m = h
        .server
        .mock("GET", "/v4_6_release/apis/3.0/system/info")
        .match_header("clientid", CLIENT_ID)
        .with_body(r#"{"version":"v2019.4.1","isCloud":false}"#)
        .expect(1)
        .create_async()
        .await;
    let detail = h
        .client
        .check()
        .await
        .map(|o| o.detail)
        .map_err(|e| e.to_string());
    assert_eq!(
        detail.as_deref(),
        Ok("ConnectWise PSA v2019.4.1 (on-premise), company contoso, codebase v4_6_release")
    );
}

#[tokio::test]
async fn wrong_key_pair_is_a_401_message() {
    let e = system_info_fails(401, fixture!("error_unauthorized.json")).await;
    assert_eq!(e, PsaError::Unauthorized(BAD_KEYS.into()));
    assert_eq!(
        e.to_string(),
        "401 from ConnectWise: check the public/private key pair of the API member"
    );
}

#[tokio::test]
async fn forbidden_names_the_role_permissions() {
    match system_info_fails(403, fixture!("error_security.json")).await {
        PsaError::Forbidden(msg) => {
            assert!(msg.starts_with("403 from ConnectWise"), "{msg}");
            assert!(msg.contains("Companies > Company Maintenance"), "{msg}");
            assert!(msg.contains("System > Security Roles"), "{msg}");
            assert!(msg.contains("request id req-check-1"), "{msg}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn rejected_client_id_is_a_config_error() {
    // The real error text is UNCONFIRMED (reference §2): any 400/401/403 naming clientId.
    for status in [400, 401, 403] {
        match system_info_fails(status, fixture!("error_client_id.json")).await {
            PsaError::InvalidConfig(msg) => {
                assert!(msg.contains("rejected the integration's clientId"), "{msg}");
                assert!(
                    !msg.contains("--client-id") && msg.contains("developer.connectwise.com"),
                    "no CLI flag in a message the dialog shows: {msg}"
                );
            }
            other => panic!("{status}: {other:?}"),
        }
    }
}

#[tokio::test]
async fn login_host_answer_ssl_required_is_explained() {
    match system_info_fails(400, fixture!("error_ssl_required.json")).await {
        PsaError::InvalidConfig(msg) => assert!(msg.contains("api-"), "{msg}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn empty_client_id_sends_nothing() {
    let mut server = mockito::Server::new_async().await;
    let any = server
        .mock("GET", Matcher::Any)
        .expect(0)
        .create_async()
        .await;
    let mut cfg = config(&server.url());
    cfg.client_id = "  ".into();
    let made =
        ConnectWiseClient::with_options(&cfg, &Sensitive::new("k".to_string()), options(1000));
    match made {
        Err(PsaError::InvalidConfig(msg)) => assert_eq!(msg, NO_CLIENT_ID),
        other => panic!("{other:?}"),
    }
    any.assert_async().await;
}

#[tokio::test]
async fn codebase_moved_is_rediscovered_once() {
    let mut h = Harness::new().await;
    let first = h.discovery().await;
    let second = h
        .server
        .mock("GET", "/login/companyinfo/contoso")
        .with_body(fixture!("companyinfo_moved.json"))
        .expect(1)
        .create_async()
        .await;
    let old = h
        .api("GET", "/system/info")
        .with_status(404)
        .with_body(fixture!("error_not_found.json"))
        .expect(1)
        .create_async()
        .await;
    let new = h
        .server
        .mock("GET", "/v2025_8/apis/3.0/system/info")
        .match_header("authorization", super::authorization().as_str())
        .with_body(fixture!("system_info.json"))
        .expect(1)
        .create_async()
        .await;
    let detail = h
        .client
        .check()
        .await
        .map(|o| o.detail)
        .map_err(|e| e.to_string());
    assert!(
        detail
            .as_deref()
            .is_ok_and(|d| d.ends_with("codebase v2025_8")),
        "{detail:?}"
    );
    for m in [first, second, old, new] {
        m.assert_async().await;
    }
}

#[tokio::test]
async fn not_found_with_the_same_codebase_hints_at_cloud_auth() {
    let mut h = Harness::new().await;
    let discovery = h
        .server
        .mock("GET", "/login/companyinfo/contoso")
        .with_body(fixture!("companyinfo.json"))
        .expect(2)
        .create_async()
        .await;
    let _m = h
        .api("GET", "/system/info")
        .with_status(404)
        .with_body(fixture!("error_not_found.json"))
        .create_async()
        .await;
    match h.client.check().await {
        Err(PsaError::NotFound(msg)) => {
            assert!(msg.contains("The endpoint does not exist."), "{msg}");
            assert!(msg.contains("company id or API keys"), "{msg}");
        }
        other => panic!("{other:?}"),
    }
    discovery.assert_async().await;
    assert_eq!(h.requests().len(), 1, "the same codebase is not retried");
}

#[tokio::test]
async fn closed_port_is_unreachable() {
    // Port 9 (discard) on loopback is closed on test machines: connection refused.
    let client = client_for("http://127.0.0.1:9", 1000);
    match client.check().await {
        Err(PsaError::Unreachable(msg)) => {
            assert!(msg.starts_with("ConnectWise at 127.0.0.1"), "{msg}");
            assert!(msg.contains("refused"), "{msg}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn unknown_host_is_unreachable() {
    // `.invalid` never resolves (RFC 2606); no network is needed to fail.
    let client = client_for("cw.example.invalid", 1000);
    match client.check().await {
        Err(PsaError::Unreachable(msg)) => assert!(msg.contains("cw.example.invalid"), "{msg}"),
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn tls_failure_is_reported_as_tls() {
    // An https client talking to a plain-http server fails the TLS handshake.
    let server = mockito::Server::new_async().await;
    let site = server.url().replace("http://", "https://");
    let client = client_for(&site, 1000);
    match client.check().await {
        Err(PsaError::Unreachable(msg)) => assert!(msg.contains("TLS"), "{msg}"),
        other => panic!("{other:?}"),
    }
}

#[test]
fn api_paths_sit_under_the_codebase() {
    assert_eq!(api("/system/info"), "/v2025_1/apis/3.0/system/info");
}
