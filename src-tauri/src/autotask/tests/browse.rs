//! Companies and services for mapping: query bodies, paging through `nextPageUrl`, retries and
//! error mapping of reads.

use mockito::Matcher;
use serde_json::json;

use super::{fixture, Fx};
use crate::psa::{Psa, PsaError};

fn active_companies() -> serde_json::Value {
    json!({"filter":[{"op":"eq","field":"isActive","value":true}],"MaxRecords":500})
}

fn active_services() -> serde_json::Value {
    json!({"filter":[{"op":"eq","field":"isActive","value":true}],"MaxRecords":500})
}

/// The cursor a fixture page hands out, decoded.
fn paging(last_id: i64) -> Matcher {
    Matcher::UrlEncoded(
        "paging".into(),
        format!(r#"{{"pageSize":500,"lastId":{last_id}}}"#),
    )
}

#[tokio::test]
async fn companies_are_read_across_three_pages() {
    let mut fx = Fx::new().await;
    let _zone = fx
        .zone_mock("/atservicesrest/")
        .expect(1)
        .create_async()
        .await;
    let m = fx.query("Companies", active_companies());
    let b = fx.body("companies_page1.json");
    let p1 = fx.reply(m, 200, b).expect(1).create_async().await;
    // The same body is POSTed to each absolute nextPageUrl.
    let m = fx
        .api("POST", "/V1.0/Companies/query/next")
        .match_query(paging(29683521))
        .match_body(Matcher::Json(active_companies()));
    let b = fx.body("companies_page2.json");
    let p2 = fx.reply(m, 200, b).expect(1).create_async().await;
    let m = fx
        .api("POST", "/V1.0/Companies/query/next")
        .match_query(paging(29683523))
        .match_body(Matcher::Json(active_companies()));
    let b = fx.body("companies_page3.json");
    let p3 = fx.reply(m, 200, b).expect(1).create_async().await;

    let got = fx.client.list_companies(None).await.unwrap();
    for m in [&p1, &p2, &p3] {
        m.assert_async().await;
    }
    let names: Vec<(i64, &str, Option<&str>)> = got
        .iter()
        .map(|c| (c.id.0, c.name.as_str(), c.identifier.as_deref()))
        .collect();
    assert_eq!(
        names,
        vec![
            (29683524, "adatum Vet", Some("AV-0311")),
            (0, "Brightpath IT", Some("0")),
            (29683521, "Contoso Dental", Some("CD-0042")),
            (29683522, "Fabrikam Law", Some("FL-0007")),
            (29683523, "Northwind Clinic", None),
        ]
    );
    fx.validate();
}

#[tokio::test]
async fn services_search_runs_on_the_server() {
    let mut fx = Fx::new().await;
    let _zone = fx.zone_mock("/atservicesrest/").create_async().await;
    let body = json!({"filter":[{"op":"eq","field":"isActive","value":true},
                                {"op":"contains","field":"name","value":"EDR"}],"MaxRecords":500});
    let m = fx.query("Services", body);
    let s = fx
        .reply(m, 200, fixture("services.json"))
        .expect(1)
        .create_async()
        .await;
    let got = fx.client.list_products(Some(" EDR ")).await.unwrap();
    s.assert_async().await;
    assert_eq!(got.len(), 2);
    assert_eq!(got[1].name, "Managed EDR – per endpoint");
    assert_eq!(got[1].identifier.as_deref(), Some("Managed EDR"));
    assert_eq!(got[0].identifier, None); // empty invoice description
    fx.validate();
}

#[tokio::test]
async fn paging_without_progress_stops_with_an_error() {
    let mut fx = Fx::new().await;
    let _zone = fx.zone_mock("/atservicesrest/").create_async().await;
    let m = fx.query("Companies", active_companies());
    let b = fx.body("companies_page1.json");
    let _p1 = fx.reply(m, 200, b.clone()).create_async().await;
    // The next page repeats page 1 and its cursor: nothing new.
    let m = fx
        .api("POST", "/V1.0/Companies/query/next")
        .match_query(Matcher::Any);
    let p2 = fx.reply(m, 200, b).expect(1).create_async().await;
    let err = fx.client.list_companies(None).await.unwrap_err();
    p2.assert_async().await;
    assert!(
        matches!(&err, PsaError::Remote { message, .. } if message.contains("paging made no progress")),
        "{err:?}"
    );
}

#[tokio::test]
async fn a_next_page_on_another_host_is_not_followed() {
    let mut fx = Fx::new().await;
    let _zone = fx.zone_mock("/atservicesrest/").create_async().await;
    let m = fx.query("Companies", active_companies());
    // Left pointing at the live origin: not the zone this client talks to.
    let _p1 = fx
        .reply(m, 200, fixture("companies_page1.json"))
        .create_async()
        .await;
    let err = fx.client.list_companies(None).await.unwrap_err();
    assert!(
        matches!(&err, PsaError::Remote { message, .. } if message.contains("outside its zone")),
        "{err:?}"
    );
}

#[tokio::test]
async fn reads_retry_transient_failures_and_rate_limits() {
    let mut fx = Fx::new().await;
    let _zone = fx.zone_mock("/atservicesrest/").create_async().await;
    let m = fx.query("Services", active_services());
    let busy = fx
        .reply(m, 503, "<html>Service Unavailable</html>".into())
        .expect(1)
        .create_async()
        .await;
    let m = fx
        .query("Services", active_services())
        .with_header("Retry-After", "1");
    let limited = fx
        .reply(m, 429, fixture("error_thread_limit.json"))
        .expect(1)
        .create_async()
        .await;
    // The thread-limit text can arrive with a non-429 status too.
    let m = fx.query("Services", active_services());
    let limited_500 = fx
        .reply(m, 500, fixture("error_thread_limit.json"))
        .expect(1)
        .create_async()
        .await;
    let m = fx.query("Services", active_services());
    let ok = fx
        .reply(m, 200, fixture("services.json"))
        .expect(1)
        .create_async()
        .await;
    let got = fx.client.list_products(None).await.unwrap();
    for m in [&busy, &limited, &limited_500, &ok] {
        m.assert_async().await;
    }
    assert_eq!(got.len(), 2);
}

#[tokio::test]
async fn a_cut_off_read_is_retried() {
    let mut fx = Fx::new().await;
    let _zone = fx.zone_mock("/atservicesrest/").create_async().await;
    let m = fx.query("Services", active_services());
    let cut = fx
        .reply(m, 200, r#"{"items":[{"id":1,"name":"Managed EDR""#.into())
        .expect(1)
        .create_async()
        .await;
    let m = fx.query("Services", active_services());
    let ok = fx
        .reply(m, 200, fixture("services.json"))
        .expect(1)
        .create_async()
        .await;
    let got = fx.client.list_products(None).await.unwrap();
    cut.assert_async().await;
    ok.assert_async().await;
    assert_eq!(got.len(), 2);
}

#[tokio::test]
async fn validation_errors_are_not_retried() {
    let mut fx = Fx::new().await;
    let _zone = fx.zone_mock("/atservicesrest/").create_async().await;
    let m = fx.query("Services", active_services());
    let bad = fx
        .reply(m, 500, fixture("error_validation.json"))
        .expect(1)
        .create_async()
        .await;
    let err = fx.client.list_products(None).await.unwrap_err();
    bad.assert_async().await;
    assert!(
        matches!(&err, PsaError::Rejected { message, .. } if message.contains("approved and posted")),
        "{err:?}"
    );

    // errors[] inside a 200 is a failure too.
    let mut fx = Fx::new().await;
    let _zone = fx.zone_mock("/atservicesrest/").create_async().await;
    let m = fx.query("Services", active_services());
    let _e = fx
        .reply(m, 200, fixture("error_validation.json"))
        .expect(1)
        .create_async()
        .await;
    assert!(matches!(
        fx.client.list_products(None).await,
        Err(PsaError::Rejected { .. })
    ));
}

#[tokio::test]
async fn persistent_outages_give_up_after_four_attempts() {
    let mut fx = Fx::new().await;
    let _zone = fx.zone_mock("/atservicesrest/").create_async().await;
    let m = fx.query("Services", active_services());
    let down = fx
        .reply(m, 502, "<html>Bad Gateway</html>".into())
        .expect(4)
        .create_async()
        .await;
    let err = fx.client.list_products(None).await.unwrap_err();
    down.assert_async().await;
    assert!(
        matches!(
            &err,
            PsaError::Remote {
                status: Some(502),
                ..
            }
        ),
        "{err:?}"
    );

    let mut fx = Fx::new().await;
    let _zone = fx.zone_mock("/atservicesrest/").create_async().await;
    let m = fx.query("Services", active_services());
    let limited = fx
        .reply(m, 429, fixture("error_thread_limit.json"))
        .expect(4)
        .create_async()
        .await;
    let err = fx.client.list_products(None).await.unwrap_err();
    limited.assert_async().await;
    assert!(matches!(&err, PsaError::RateLimited { .. }), "{err:?}");
}
