//! Connection check: zone discovery, headers, and one distinct message per failure cause.

use serde_json::json;

use super::{fixture, Fx, USER};
use crate::psa::{Psa, PsaError};

fn companies_probe() -> serde_json::Value {
    json!({"filter":[{"op":"gte","field":"id","value":0}],"MaxRecords":1})
}

fn contracts_probe() -> serde_json::Value {
    json!({"filter":[{"op":"eq","field":"contractType","value":7}],"MaxRecords":1})
}

/// Zone + threshold + both probes answering `contracts_body` for the contract probe.
async fn healthy(
    fx: &mut Fx,
    contracts_status: usize,
    contracts_body: String,
) -> Vec<mockito::Mock> {
    let zone = fx
        .zone_mock("/atservicesrest/")
        .expect(1)
        .create_async()
        .await;
    let thr = fx.threshold_mock().expect(1).create_async().await;
    let m = fx.query("Companies", companies_probe());
    let body = fx.body("companies_page1.json");
    let comp = fx.reply(m, 200, body).expect(1).create_async().await;
    let m = fx.query("Contracts", contracts_probe());
    let con = fx
        .reply(m, contracts_status, contracts_body)
        .expect(1)
        .create_async()
        .await;
    vec![zone, thr, comp, con]
}

#[tokio::test]
async fn check_discovers_the_zone_and_reports_usage() {
    let mut fx = Fx::new().await;
    let mocks = healthy(&mut fx, 200, fixture("contracts.json")).await;
    let out = fx.client.check().await.unwrap();
    for m in &mocks {
        m.assert_async().await;
    }
    // 124 from the server reading + the two probes sent after it.
    assert_eq!(
        out.detail,
        "Connected to America East 3 (database 8812345). API usage: 126 of 10000 requests this hour."
    );
    assert!(fx.client.budget_usage().from_server);
    fx.validate();
}

#[tokio::test]
async fn unknown_user_fails_at_the_zone_lookup() {
    let mut fx = Fx::new().await;
    let m = fx
        .server
        .mock("GET", "/atservicesrest/v1.0/zoneInformation")
        .match_query(mockito::Matcher::Any);
    let zone = fx
        .reply(m, 500, fixture("zone_unknown_user.json"))
        .expect(1)
        .create_async()
        .await;
    let err = fx.client.check().await.unwrap_err();
    zone.assert_async().await;
    let PsaError::Unauthorized(msg) = err else {
        panic!("{err:?}")
    };
    assert!(
        msg.starts_with(&format!("Autotask does not know the API user '{USER}'")),
        "{msg}"
    );
}

#[tokio::test]
async fn wrong_secret_is_reported_after_one_rediscovery() {
    let mut fx = Fx::new().await;
    let zone = fx
        .zone_mock("/atservicesrest/")
        .expect(2)
        .create_async()
        .await;
    let m = fx.api("GET", "/V1.0/ThresholdInformation");
    let thr = fx
        .reply(m, 401, fixture("error_unauthorized.json"))
        .expect(1)
        .create_async()
        .await;
    let err = fx.client.check().await.unwrap_err();
    zone.assert_async().await;
    thr.assert_async().await;
    let PsaError::Unauthorized(msg) = &err else {
        panic!("{err:?}")
    };
    assert!(
        msg.starts_with("Autotask refused the API user's Secret (HTTP 401)"),
        "{msg}"
    );
    assert!(!msg.contains(super::SECRET));
}

#[tokio::test]
async fn disabled_tracking_identifier_is_named() {
    let mut fx = Fx::new().await;
    let _zone = fx
        .zone_mock("/atservicesrest/")
        .expect(2)
        .create_async()
        .await;
    let m = fx.api("GET", "/V1.0/ThresholdInformation");
    let _thr = fx
        .reply(m, 401, fixture("error_tracking_disabled.json"))
        .create_async()
        .await;
    let err = fx.client.check().await.unwrap_err();
    let PsaError::Unauthorized(msg) = &err else {
        panic!("{err:?}")
    };
    assert!(
        msg.starts_with("Autotask refused the API tracking identifier (ApiIntegrationCode)"),
        "{msg}"
    );
}

#[tokio::test]
async fn a_moved_zone_is_followed_once() {
    let mut fx = Fx::new().await;
    // First lookup: the old zone; second: the new one.
    let old = fx
        .zone_mock("/old/atservicesrest/")
        .expect(1)
        .create_async()
        .await;
    let new = fx
        .zone_mock("/atservicesrest/")
        .expect(1)
        .create_async()
        .await;
    let m = fx.api_at("/old/atservicesrest", "GET", "/V1.0/ThresholdInformation");
    let old_thr = fx
        .reply(m, 401, fixture("error_unauthorized.json"))
        .expect(1)
        .create_async()
        .await;
    let thr = fx.threshold_mock().expect(1).create_async().await;
    let m = fx.query("Companies", companies_probe());
    let b = fx.body("companies_page1.json");
    let _c = fx.reply(m, 200, b).create_async().await;
    let m = fx.query("Contracts", contracts_probe());
    let _k = fx
        .reply(m, 200, fixture("contracts.json"))
        .create_async()
        .await;
    fx.client.check().await.unwrap();
    for m in [&old, &new, &old_thr, &thr] {
        m.assert_async().await;
    }
}

#[tokio::test]
async fn a_zone_override_skips_discovery_and_is_named_on_401() {
    let mut fx = Fx::with(|c, url| c.zone_url = Some(format!("{url}/atservicesrest"))).await;
    let zone = fx
        .zone_mock("/atservicesrest/")
        .expect(0)
        .create_async()
        .await;
    let m = fx.api("GET", "/V1.0/ThresholdInformation");
    let thr = fx
        .reply(m, 401, fixture("error_unauthorized.json"))
        .expect(1)
        .create_async()
        .await;
    let err = fx.client.check().await.unwrap_err();
    zone.assert_async().await;
    thr.assert_async().await;
    let PsaError::Unauthorized(msg) = &err else {
        panic!("{err:?}")
    };
    assert!(msg.contains("A zone URL override is set"), "{msg}");
}

#[tokio::test]
async fn security_level_problems_name_the_fix() {
    // 403 on contracts.
    let mut fx = Fx::new().await;
    let _m = healthy(&mut fx, 403, json!({"errors":["Forbidden"]}).to_string()).await;
    let err = fx.client.check().await.unwrap_err();
    assert!(
        matches!(&err, PsaError::Forbidden(m) if m.contains("not allowed to read contracts (HTTP 403)") && m.contains("Security Levels")),
        "{err:?}"
    );

    // 500 with the permission text.
    let mut fx = Fx::new().await;
    let _m = healthy(&mut fx, 500, fixture("error_permission.json")).await;
    let err = fx.client.check().await.unwrap_err();
    assert!(
        matches!(&err, PsaError::Forbidden(m) if m.contains("adequate permissions")),
        "{err:?}"
    );

    // No contracts visible: connected, with a warning.
    let mut fx = Fx::new().await;
    let _m = healthy(&mut fx, 200, fixture("empty_page.json")).await;
    let out = fx.client.check().await.unwrap();
    assert!(
        out.detail
            .contains("No Recurring Service contracts are visible"),
        "{}",
        out.detail
    );

    // No companies at all: the security level hides them.
    let mut fx = Fx::new().await;
    let _zone = fx.zone_mock("/atservicesrest/").create_async().await;
    let _thr = fx.threshold_mock().create_async().await;
    let m = fx.query("Companies", companies_probe());
    let _c = fx
        .reply(m, 200, fixture("empty_page.json"))
        .create_async()
        .await;
    let err = fx.client.check().await.unwrap_err();
    assert!(
        matches!(&err, PsaError::Forbidden(m) if m.contains("can see no companies")),
        "{err:?}"
    );
}

/// A zone lookup answer naming a host outside autotask.net (or plain http) is refused before any
/// authenticated request: the Secret never goes to it.
#[tokio::test]
async fn zone_answer_naming_a_foreign_host_is_refused() {
    for foreign in [
        "https://webservices3.autotask.net.evil.example/atservicesrest/",
        "http://webservices3.autotask.net/atservicesrest/",
        "https://user:pw@webservices3.autotask.net/atservicesrest/",
    ] {
        let mut fx = Fx::new().await;
        let body = json!({"zoneName": "Elsewhere", "url": foreign, "ci": 1});
        let m = fx
            .server
            .mock("GET", "/atservicesrest/v1.0/zoneInformation")
            .match_query(mockito::Matcher::Any);
        let zone = fx
            .reply(m, 200, body.to_string())
            .expect(1)
            .create_async()
            .await;
        let err = fx.client.check().await.unwrap_err();
        zone.assert_async().await;
        let msg = err.to_string();
        assert!(msg.contains("outside Autotask"), "{foreign}: {msg}");
        assert!(!msg.contains("pw@"), "{msg}");
    }
}
