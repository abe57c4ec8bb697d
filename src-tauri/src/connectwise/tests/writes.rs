//! `set_quantity`: the JSON-Patch body, request ids, retries, error mapping and the check after
//! a lost response.

use mockito::Matcher;

use super::{fixture, Harness};
use crate::model::{CompanyRef, ProductRef};
use crate::psa::{BillingLine, LineKey, Psa, PsaError, WriteReceipt};

const PATH: &str = "/finance/agreements/1033/additions/5521";

fn line() -> BillingLine {
    BillingLine {
        company: CompanyRef(250),
        product: ProductRef(812),
        key: LineKey::Connectwise {
            agreement_id: 1033,
            addition_id: 5521,
        },
        quantity: 37,
        container_name: "Acme Dental - Managed Services".into(),
        unit_price_cents: None,
    }
}

fn patch_body() -> Matcher {
    Matcher::Json(serde_json::json!([{ "op": "replace", "path": "quantity", "value": 42 }]))
}

async fn patch(h: &mut Harness, status: usize, body: &str, hits: usize) -> mockito::Mock {
    h.api("PATCH", PATH)
        .match_header("content-type", "application/json")
        .match_body(patch_body())
        .with_status(status)
        .with_header("x-cw-request-id", "req-patch-1")
        .with_header("retry-after", "0")
        .with_body(body)
        .expect(hits)
        .create_async()
        .await
}

#[tokio::test]
async fn patch_replaces_only_the_quantity_and_returns_the_request_id() {
    let mut h = Harness::new().await;
    let _d = h.discovery().await;
    let m = patch(&mut h, 200, fixture!("addition_5521.json"), 1).await;
    let got = h.client.set_quantity(&line(), 42).await;
    assert_eq!(
        got,
        Ok(WriteReceipt {
            quantity: 42,
            request_id: Some("req-patch-1".into())
        })
    );
    m.assert_async().await;
    let sent = h.requests();
    assert_eq!(sent.len(), 1);
    assert_eq!(sent[0]["method"], "PATCH");
    assert_eq!(sent[0]["path"], PATH);
    assert_eq!(sent[0]["query"], serde_json::json!({}));
    // Exactly one operation: no lessIncluded, prices or dates.
    assert_eq!(
        sent[0]["body"],
        serde_json::json!([{ "op": "replace", "path": "quantity", "value": 42 }])
    );
}

#[tokio::test]
async fn throttling_is_retried_honouring_retry_after() {
    let mut h = Harness::new().await;
    let _d = h.discovery().await;
    let throttled = patch(&mut h, 429, fixture!("error_throttled.json"), 1).await;
    let ok = patch(&mut h, 200, fixture!("addition_5521.json"), 1).await;
    let got = h.client.set_quantity(&line(), 42).await.map(|r| r.quantity);
    assert_eq!(got, Ok(42));
    throttled.assert_async().await;
    ok.assert_async().await;
}

#[tokio::test]
async fn server_errors_are_retried_for_the_idempotent_patch() {
    let mut h = Harness::new().await;
    let _d = h.discovery().await;
    let failing = patch(&mut h, 500, fixture!("error_timeout.json"), 2).await;
    let ok = patch(&mut h, 200, fixture!("addition_5521.json"), 1).await;
    let got = h.client.set_quantity(&line(), 42).await.map(|r| r.quantity);
    assert_eq!(got, Ok(42));
    failing.assert_async().await;
    ok.assert_async().await;
}

#[tokio::test]
async fn persistent_throttling_gives_up_after_four_sends() {
    let mut h = Harness::new().await;
    let _d = h.discovery().await;
    let m = patch(&mut h, 429, fixture!("error_throttled.json"), 4).await;
    match h.client.set_quantity(&line(), 42).await {
        Err(PsaError::RateLimited {
            message,
            retry_after_secs,
        }) => {
            assert_eq!(retry_after_secs, Some(0));
            assert!(message.contains("Too many requests"), "{message}");
            assert!(message.contains("req-patch-1"), "{message}");
        }
        other => panic!("{other:?}"),
    }
    m.assert_async().await;
}

#[tokio::test]
async fn validation_errors_are_not_retried_and_name_the_field() {
    let mut h = Harness::new().await;
    let _d = h.discovery().await;
    let m = patch(&mut h, 400, fixture!("error_invalid_object.json"), 1).await;
    match h.client.set_quantity(&line(), 42).await {
        Err(PsaError::Rejected {
            message,
            request_id,
        }) => {
            assert!(
                message.contains("addition object is invalid; quantity: The field quantity"),
                "{message}"
            );
            assert_eq!(request_id.as_deref(), Some("req-patch-1"));
        }
        other => panic!("{other:?}"),
    }
    m.assert_async().await;
}

#[tokio::test]
async fn forbidden_write_names_the_edit_permission() {
    let mut h = Harness::new().await;
    let _d = h.discovery().await;
    let _m = patch(&mut h, 403, fixture!("error_security.json"), 1).await;
    match h.client.set_quantity(&line(), 42).await {
        Err(PsaError::Forbidden(msg)) => {
            assert!(
                msg.contains("Finance > Agreements: Edit Level All"),
                "{msg}"
            );
            assert!(msg.contains("req-patch-1"), "{msg}");
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn a_deleted_addition_is_not_found_after_one_rediscovery() {
    let mut h = Harness::new().await;
    let discovery = h
        .server
        .mock("GET", "/login/companyinfo/contoso")
        .with_body(fixture!("companyinfo.json"))
        .expect(2)
        .create_async()
        .await;
    let m = patch(&mut h, 404, fixture!("error_not_found.json"), 1).await;
    match h.client.set_quantity(&line(), 42).await {
        Err(PsaError::NotFound(msg)) => assert!(msg.contains("no longer exists"), "{msg}"),
        other => panic!("{other:?}"),
    }
    discovery.assert_async().await;
    m.assert_async().await;
}

#[tokio::test]
async fn a_200_that_did_not_change_the_quantity_is_an_error() {
    let mut h = Harness::new().await;
    let _d = h.discovery().await;
    let stale = fixture!("addition_5521.json").replace("\"quantity\": 42.0", "\"quantity\": 37.0");
    let _m = patch(&mut h, 200, &stale, 1).await;
    match h.client.set_quantity(&line(), 42).await {
        Err(PsaError::Remote {
            message,
            request_id,
            ..
        }) => {
            assert!(
                message.contains("reports quantity 37 instead of 42"),
                "{message}"
            );
            assert_eq!(request_id.as_deref(), Some("req-patch-1"));
        }
        other => panic!("{other:?}"),
    }
}

/// A PATCH whose response breaks off mid-body (the write may or may not have landed).
async fn broken_patch(h: &mut Harness) -> mockito::Mock {
    h.api("PATCH", PATH)
        .match_body(patch_body())
        .with_chunked_body(|w| {
            w.write_all(b"{\"id\":")?;
            Err(std::io::Error::other("connection dropped"))
        })
        .expect(4)
        .create_async()
        .await
}

#[tokio::test]
async fn a_lost_response_is_verified_by_reading_back() {
    for (held, want_ok) in [(42.0, true), (37.0, false)] {
        let mut h = Harness::new().await;
        let _d = h.discovery().await;
        let broken = broken_patch(&mut h).await;
        let read = h
            .api("GET", PATH)
            .match_query(super::query(&[("fields", "id,quantity")]))
            .with_body(serde_json::json!({ "id": 5521, "quantity": held }).to_string())
            .expect(1)
            .create_async()
            .await;
        let got = h.client.set_quantity(&line(), 42).await;
        match (want_ok, got) {
            (true, Ok(receipt)) => assert_eq!(
                receipt,
                WriteReceipt {
                    quantity: 42,
                    request_id: None
                }
            ),
            (false, Err(PsaError::Unreachable(msg))) => {
                assert!(
                    msg.contains("was not applied") && msg.contains("still holds 37"),
                    "{msg}"
                )
            }
            (_, other) => panic!("held {held}: {other:?}"),
        }
        broken.assert_async().await;
        read.assert_async().await;
    }
}

#[tokio::test]
async fn only_connectwise_lines_and_non_negative_quantities_are_written() {
    let h = Harness::new().await;
    let mut other = line();
    other.key = LineKey::Autotask {
        contract_id: 1,
        contract_service_id: 2,
    };
    assert!(matches!(
        h.client.set_quantity(&other, 1).await,
        Err(PsaError::InvalidConfig(_))
    ));
    assert!(matches!(
        h.client.set_quantity(&line(), -1).await,
        Err(PsaError::InvalidConfig(_))
    ));
    assert!(h.requests().is_empty());
}
