//! Billing reads: the agreements and additions requests (batched, chunked, trimmed with
//! `fields`), the request count, and the decisions on real-shaped fixtures.

use mockito::Matcher;

use super::{fixture, query, Harness};
use crate::model::{CompanyRef, ProductRef};
use crate::psa::{LineKey, LineLookup, Psa};

const AGREEMENT_FIELDS: &str = "id,name,company/id,parentAgreement/id,agreementStatus,\
    cancelledFlag,startDate,endDate,noEndingDateFlag";
const ADDITION_FIELDS: &str = "id,product/id,product/identifier,quantity,unitPrice,effectiveDate,\
    cancelledDate,agreementId,additionStatus";

#[tokio::test]
async fn read_billing_batches_agreements_then_reads_additions_per_agreement() {
    let mut h = Harness::new().await;
    let _d = h.discovery().await;
    let agreements = h
        .api("GET", "/finance/agreements")
        .match_query(query(&[
            (
                "conditions",
                "company/id in (250, 251) and agreementStatus=\"Active\" and cancelledFlag=false",
            ),
            ("fields", AGREEMENT_FIELDS),
            ("orderBy", "id asc"),
            ("pageSize", "1000"),
            ("page", "1"),
        ]))
        .with_body(fixture!("agreements.json"))
        .expect(1)
        .create_async()
        .await;
    let bodies = [
        (1033, fixture!("additions_1033.json")),
        (1034, fixture!("additions_1034.json")),
        (1040, fixture!("additions_1040.json")),
        (1041, fixture!("additions_1041.json")),
    ];
    let mut mocks = vec![agreements];
    for (id, body) in bodies {
        let m = h
            .api("GET", &format!("/finance/agreements/{id}/additions"))
            .match_query(query(&[
                ("conditions", "product/id in (812, 813)"),
                ("fields", ADDITION_FIELDS),
                ("orderBy", "id asc"),
                ("pageSize", "1000"),
                ("page", "1"),
            ]))
            .with_body(body)
            .expect(1)
            .create_async()
            .await;
        mocks.push(m);
    }
    let companies = [CompanyRef(251), CompanyRef(250)];
    let products = [ProductRef(813), ProductRef(812)];
    let state = match h.client.read_billing(&companies, &products).await {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    };
    for m in mocks {
        m.assert_async().await;
    }
    // 1 discovery + 1 agreements request + 4 additions requests.
    assert_eq!(state.requests, 6);
    assert_eq!(state.lines.len(), 4);
    let get = |c: i64, p: i64| state.lines.get(&(CompanyRef(c), ProductRef(p))).cloned();
    match get(250, 812) {
        Some(LineLookup::One { line }) => {
            assert_eq!(
                line.key,
                LineKey::Connectwise {
                    agreement_id: 1033,
                    addition_id: 5521
                }
            );
            assert_eq!(line.quantity, 37);
            assert_eq!(line.container_name, "Acme Dental - Managed Services");
        }
        other => panic!("{other:?}"),
    }
    match get(250, 813) {
        Some(LineLookup::None { reason }) => {
            assert!(
                reason.contains("addition 5400 was cancelled on 2025-05-31"),
                "{reason}"
            );
            assert!(
                reason.contains("addition 5530 starts on 2025-07-01"),
                "{reason}"
            );
            assert!(reason.contains("EMAIL-SEC"), "{reason}");
        }
        other => panic!("{other:?}"),
    }
    match get(251, 812) {
        Some(LineLookup::Many { lines }) => {
            let keys: Vec<LineKey> = lines.into_iter().map(|l| l.key).collect();
            assert_eq!(
                keys,
                vec![
                    LineKey::Connectwise {
                        agreement_id: 1040,
                        addition_id: 6001
                    },
                    LineKey::Connectwise {
                        agreement_id: 1041,
                        addition_id: 6101
                    },
                ]
            );
        }
        other => panic!("{other:?}"),
    }
    match get(251, 813) {
        Some(LineLookup::One { line }) => {
            // On a child agreement, cancelled only in the future: still billing.
            assert_eq!(
                line.key,
                LineKey::Connectwise {
                    agreement_id: 1041,
                    addition_id: 6102
                }
            );
            assert_eq!(
                line.container_name,
                "Bay Clinic - Security add-on (child of agreement 1040)"
            );
        }
        other => panic!("{other:?}"),
    }
}

#[tokio::test]
async fn many_companies_are_chunked_under_the_url_limit() {
    let mut h = Harness::new().await;
    let _d = h.discovery().await;
    let m = h
        .api("GET", "/finance/agreements")
        .match_query(Matcher::AllOf(vec![
            Matcher::Regex("conditions=company%2Fid%20in%20%28".into()),
            query(&[("fields", AGREEMENT_FIELDS), ("page", "1")]),
        ]))
        .with_body("[]")
        .expect_at_least(2)
        .create_async()
        .await;
    let companies: Vec<CompanyRef> = (10_000..10_400).map(CompanyRef).collect();
    let state = match h.client.read_billing(&companies, &[ProductRef(812)]).await {
        Ok(s) => s,
        Err(e) => panic!("{e}"),
    };
    m.assert_async().await;
    let sent = h.requests();
    assert!(sent.len() >= 2, "400 ids need several requests");
    assert_eq!(
        state.requests as usize,
        sent.len() + 1,
        "agreement requests + discovery"
    );
    let base_len = h.server.url().len();
    let mut ids = Vec::new();
    for req in &sent {
        let conditions = req["query"]["conditions"].as_str().unwrap_or_default();
        let encoded = crate::connectwise::query::encode(conditions);
        let url_len =
            base_len + "/v2025_1/apis/3.0/finance/agreements?".len() + encoded.len() + 120;
        assert!(url_len <= 2_000, "URL of ~{url_len} chars");
        let inner = conditions
            .strip_prefix("company/id in (")
            .and_then(|s| s.split(')').next())
            .unwrap_or_default();
        ids.extend(inner.split(", ").filter_map(|s| s.parse::<i64>().ok()));
    }
    assert_eq!(
        ids,
        (10_000..10_400).collect::<Vec<_>>(),
        "each company exactly once"
    );
    assert!(state.lines.values().all(
        |l| matches!(l, LineLookup::None { reason } if reason.contains("no active agreement"))
    ));
}

#[tokio::test]
async fn nothing_mapped_sends_nothing() {
    let h = Harness::new().await;
    let state = h
        .client
        .read_billing(&[], &[ProductRef(1)])
        .await
        .map_err(|e| e.to_string());
    assert_eq!(state.map(|s| (s.requests, s.lines.len())), Ok((0, 0)));
    let state = h
        .client
        .read_billing(&[CompanyRef(1)], &[])
        .await
        .map_err(|e| e.to_string());
    assert_eq!(state.map(|s| (s.requests, s.lines.len())), Ok((0, 0)));
}
