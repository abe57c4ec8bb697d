//! `set_quantity`: the adjustment body, read-after-write verification, and the lost-response
//! rules that make double-counting impossible.

use mockito::{Matcher, Mock};
use serde_json::json;

use super::{fixture, Fx};
use crate::model::{CompanyRef, ProductRef};
use crate::psa::{BillingLine, LineKey, Psa, PsaError, WriteReceipt};

const ADJUST: &str = "/V1.0/Contracts/29684183/ServiceAdjustments";

fn line() -> BillingLine {
    BillingLine {
        company: CompanyRef(29683521),
        product: ProductRef(29684300),
        key: LineKey::Autotask {
            contract_id: 29684183,
            contract_service_id: 29684410,
        },
        quantity: 42,
        container_name: "Contoso – Managed Security".into(),
        unit_price_cents: None,
    }
}

fn units_query() -> serde_json::Value {
    json!({"filter":[{"op":"in","field":"contractServiceID","value":[29684410]},
                     {"op":"gte","field":"endDate","value":"2025-06-15T00:00:00Z"},
                     {"op":"lte","field":"startDate","value":"2025-06-19T00:00:00Z"}],"MaxRecords":500})
}

/// The line's periods with today's units at `n` (42 before, 45 after the adjustment).
fn units(n: i64) -> String {
    match n {
        42 => fixture("contract_service_units_line.json"),
        _ => fixture("contract_service_units_line_adjusted.json")
            .replace(r#""units":45"#, &format!(r#""units":{n}"#)),
    }
}

fn adjustment(effective: &str) -> serde_json::Value {
    json!({"contractID":29684183,"contractServiceID":29684410,"serviceID":29684300,"unitChange":3,
           "effectiveDate":effective,"adjustedUnitPrice":6.5,"adjustedUnitCost":3.1})
}

struct Write {
    fx: Fx,
    _zone: Mock,
    reads: Vec<Mock>,
    posts: Vec<Mock>,
    price: Mock,
}

/// Mocks answering the unit reads in order with `reads`, and the POSTs in order with `posts`.
async fn scenario(time_zone: Option<&str>, reads: &[i64], posts: &[(usize, String)]) -> Write {
    let tenant = time_zone.map(|z| crate::autotask::tz::TenantZone::parse(z).unwrap());
    let mut fx = Fx::with(|c, _| c.time_zone = tenant).await;
    let zone = fx
        .zone_mock("/atservicesrest/")
        .expect(1)
        .create_async()
        .await;
    let effective = if time_zone == Some("America/New_York") {
        "2025-06-17T16:00:00Z"
    } else {
        "2025-06-17T12:00:00Z"
    };
    let mut read_mocks = Vec::new();
    for n in reads {
        let m = fx.query("ContractServiceUnits", units_query());
        read_mocks.push(fx.reply(m, 200, units(*n)).expect(1).create_async().await);
    }
    let m = fx.api("GET", "/V1.0/ContractServices/29684410");
    let price = fx
        .reply(m, 200, fixture("contract_service_item.json"))
        .create_async()
        .await;
    let mut post_mocks = Vec::new();
    for (status, body) in posts {
        let m = fx
            .api("POST", ADJUST)
            .match_body(Matcher::Json(adjustment(effective)));
        let m = if *status == 429 {
            m.with_header("Retry-After", "1")
        } else {
            m
        };
        post_mocks.push(
            fx.reply(m, *status, body.clone())
                .expect(1)
                .create_async()
                .await,
        );
    }
    Write {
        fx,
        _zone: zone,
        reads: read_mocks,
        posts: post_mocks,
        price,
    }
}

impl Write {
    async fn assert_all(&self) {
        for m in self.reads.iter().chain(&self.posts) {
            m.assert_async().await;
        }
    }

    async fn run(&self) -> Result<WriteReceipt, PsaError> {
        self.fx.client.set_quantity(&line(), 45).await
    }
}

fn created() -> (usize, String) {
    (200, fixture("adjustment_created.json"))
}

fn gateway_timeout() -> (usize, String) {
    (
        504,
        "<html><body><h1>504 Gateway Time-out</h1></body></html>".into(),
    )
}

#[tokio::test]
async fn posts_the_delta_and_verifies_it() {
    let w = scenario(None, &[42, 45], &[created()]).await;
    let r = w.run().await.unwrap();
    w.assert_all().await;
    w.price.assert_async().await;
    assert_eq!(
        r,
        WriteReceipt {
            quantity: 45,
            request_id: Some("5551234".into())
        }
    );
    w.fx.validate();
}

#[tokio::test]
async fn effective_date_is_tenant_local_noon() {
    let w = scenario(Some("America/New_York"), &[42, 45], &[created()]).await;
    w.run().await.unwrap();
    w.assert_all().await;
}

#[tokio::test]
async fn lost_response_after_applying_is_success_with_one_post() {
    let w = scenario(None, &[42, 45], &[gateway_timeout()]).await;
    let r = w.run().await.unwrap();
    w.assert_all().await;
    assert_eq!(
        r,
        WriteReceipt {
            quantity: 45,
            request_id: None
        }
    );
    w.fx.validate();
}

#[tokio::test]
async fn lost_request_before_applying_is_posted_once_more() {
    let w = scenario(None, &[42, 42, 45], &[gateway_timeout(), created()]).await;
    let r = w.run().await.unwrap();
    w.assert_all().await;
    assert_eq!(r.quantity, 45);
    w.fx.validate();
}

#[tokio::test]
async fn lost_response_with_other_units_is_outcome_unknown() {
    let w = scenario(None, &[42, 43], &[gateway_timeout()]).await;
    let err = w.run().await.unwrap_err();
    w.assert_all().await;
    assert!(
        matches!(&err, PsaError::OutcomeUnknown(m) if m.contains("now read 43 (before: 42, wanted: 45)") && m.contains("double-count")),
        "{err:?}"
    );
}

#[tokio::test]
async fn two_lost_attempts_without_effect_stop() {
    let w = scenario(None, &[42, 42, 42], &[gateway_timeout(), gateway_timeout()]).await;
    let err = w.run().await.unwrap_err();
    w.assert_all().await;
    assert!(
        matches!(&err, PsaError::Remote { message, .. } if message.contains("after two attempts")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_cut_off_success_body_is_verified_not_resent() {
    let w = scenario(None, &[42, 45], &[(200, r#"{"itemId":55"#.into())]).await;
    let r = w.run().await.unwrap();
    w.assert_all().await;
    assert_eq!(r.quantity, 45);
}

#[tokio::test]
async fn validation_500_is_rejected_without_retry_or_reread() {
    let w = scenario(None, &[42], &[(500, fixture("error_validation.json"))]).await;
    let err = w.run().await.unwrap_err();
    w.assert_all().await;
    assert!(
        matches!(&err, PsaError::Rejected { message, .. } if message.contains("approved and posted")),
        "{err:?}"
    );
}

#[tokio::test]
async fn accepted_but_not_shown_yet_is_awaiting_with_its_item_id() {
    // Units lagging an accepted adjustment (reference §4.7, UNCONFIRMED): never re-posted.
    let w = scenario(None, &[42, 42], &[created()]).await;
    let err = w.run().await.unwrap_err();
    w.assert_all().await;
    assert!(
        matches!(&err, PsaError::Awaiting { message, request_id: Some(id) }
            if id == "5551234" && message.contains("still read 42")),
        "{err:?}"
    );
}

#[tokio::test]
async fn accepted_but_moved_otherwise_is_diverged() {
    // An override of a same-day adjustment, or an edit meanwhile: never corrected automatically.
    let w = scenario(None, &[42, 43], &[created()]).await;
    let err = w.run().await.unwrap_err();
    w.assert_all().await;
    assert!(
        matches!(&err, PsaError::Diverged { message, request_id: Some(id) }
            if id == "5551234" && message.contains("went from 42 to 43 instead of 45")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_503_with_errors_is_not_processed_and_sent_again() {
    let unavailable = (
        503,
        r#"{"errors":["The service is temporarily unavailable."]}"#.into(),
    );
    let w = scenario(None, &[42, 45], &[unavailable, created()]).await;
    let r = w.run().await.unwrap();
    w.assert_all().await;
    assert_eq!(r.quantity, 45);
}

#[tokio::test]
async fn thread_limit_on_the_post_is_waited_out() {
    let w = scenario(
        None,
        &[42, 45],
        &[(429, fixture("error_thread_limit.json")), created()],
    )
    .await;
    let r = w.run().await.unwrap();
    w.assert_all().await;
    assert_eq!(r.quantity, 45);
}

#[tokio::test]
async fn nothing_is_posted_when_already_at_the_desired_units() {
    let w = scenario(None, &[45], &[]).await;
    let r = w.run().await.unwrap();
    w.assert_all().await;
    assert_eq!(
        r,
        WriteReceipt {
            quantity: 45,
            request_id: None
        }
    );
}

#[tokio::test]
async fn a_line_without_a_current_period_is_not_written() {
    let mut fx = Fx::new().await;
    let _zone = fx.zone_mock("/atservicesrest/").create_async().await;
    let m = fx.query("ContractServiceUnits", units_query());
    let _u = fx
        .reply(m, 200, fixture("empty_page.json"))
        .create_async()
        .await;
    let post = fx.api("POST", ADJUST).expect(0).create_async().await;
    let err = fx.client.set_quantity(&line(), 45).await.unwrap_err();
    post.assert_async().await;
    assert!(
        matches!(&err, PsaError::Rejected { message, .. } if message.contains("No billing period")),
        "{err:?}"
    );
}

#[tokio::test]
async fn negative_or_foreign_lines_are_refused_before_any_request() {
    let fx = Fx::new().await;
    assert!(matches!(
        fx.client.set_quantity(&line(), -1).await,
        Err(PsaError::Rejected { .. })
    ));
    let cw = BillingLine {
        key: LineKey::Connectwise {
            agreement_id: 1,
            addition_id: 2,
        },
        ..line()
    };
    assert!(matches!(
        fx.client.set_quantity(&cw, 3).await,
        Err(PsaError::InvalidConfig(_))
    ));
}

#[tokio::test]
async fn prices_come_from_the_billing_read() {
    let mut fx = Fx::new().await;
    let _b = super::billing::billing_mocks(&mut fx, "contract_service_units.json").await;
    fx.client
        .read_billing(&super::billing::companies(), &super::billing::products())
        .await
        .unwrap();
    let m = fx.query("ContractServiceUnits", units_query());
    let _r1 = fx.reply(m, 200, units(42)).expect(1).create_async().await;
    let m = fx.query("ContractServiceUnits", units_query());
    let _r2 = fx.reply(m, 200, units(45)).expect(1).create_async().await;
    let price = fx
        .api("GET", "/V1.0/ContractServices/29684410")
        .expect(0)
        .create_async()
        .await;
    let m = fx
        .api("POST", ADJUST)
        .match_body(Matcher::Json(adjustment("2025-06-17T12:00:00Z")));
    let post = fx
        .reply(m, 200, fixture("adjustment_created.json"))
        .expect(1)
        .create_async()
        .await;
    fx.client.set_quantity(&line(), 45).await.unwrap();
    price.assert_async().await;
    post.assert_async().await;
    fx.validate();
}
