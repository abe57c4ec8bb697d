//! Billing reads: the agreements and additions requests (batched, chunked, trimmed with
//! `fields`), the request count, and the One / None / Many decisions.

use std::collections::HashMap;

use mockito::Matcher;

use super::{fixture, query, today, Harness};
use crate::connectwise::billing::resolve;
use crate::connectwise::models::{Addition, Agreement};
use crate::model::{CompanyRef, ProductRef};
use crate::psa::{LineKey, LineLookup, Psa};

const AGREEMENT_FIELDS: &str = "id,name,company/id,parentAgreement/id,agreementStatus,cancelledFlag";
const ADDITION_FIELDS: &str = "id,product/id,product/identifier,quantity,effectiveDate,cancelledDate,agreementId";

#[tokio::test]
async fn read_billing_batches_agreements_then_reads_additions_per_agreement() {
    let mut h = Harness::new().await;
    let _d = h.discovery().await;
    let agreements = h
        .api("GET", "/finance/agreements")
        .match_query(query(&[
            ("conditions", "company/id in (250, 251) and agreementStatus=\"Active\" and cancelledFlag=false"),
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
            assert_eq!(line.key, LineKey::Connectwise { agreement_id: 1033, addition_id: 5521 });
            assert_eq!(line.quantity, 37);
            assert_eq!(line.container_name, "Acme Dental - Managed Services");
        }
        other => panic!("{other:?}"),
    }
    match get(250, 813) {
        Some(LineLookup::None { reason }) => {
            assert!(reason.contains("addition 5400 was cancelled on 2025-05-31"), "{reason}");
            assert!(reason.contains("addition 5530 starts on 2025-07-01"), "{reason}");
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
                    LineKey::Connectwise { agreement_id: 1040, addition_id: 6001 },
                    LineKey::Connectwise { agreement_id: 1041, addition_id: 6101 },
                ]
            );
        }
        other => panic!("{other:?}"),
    }
    match get(251, 813) {
        Some(LineLookup::One { line }) => {
            // On a child agreement, cancelled only in the future: still billing.
            assert_eq!(line.key, LineKey::Connectwise { agreement_id: 1041, addition_id: 6102 });
            assert_eq!(line.container_name, "Bay Clinic - Security add-on (child of agreement 1040)");
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
    assert_eq!(state.requests as usize, sent.len() + 1, "agreement requests + discovery");
    let base_len = h.server.url().len();
    let mut ids = Vec::new();
    for req in &sent {
        let conditions = req["query"]["conditions"].as_str().unwrap_or_default();
        let encoded = crate::connectwise::query::encode(conditions);
        let url_len = base_len + "/v2025_1/apis/3.0/finance/agreements?".len() + encoded.len() + 120;
        assert!(url_len <= 2_000, "URL of ~{url_len} chars");
        let inner = conditions
            .strip_prefix("company/id in (")
            .and_then(|s| s.split(')').next())
            .unwrap_or_default();
        ids.extend(inner.split(", ").filter_map(|s| s.parse::<i64>().ok()));
    }
    assert_eq!(ids, (10_000..10_400).collect::<Vec<_>>(), "each company exactly once");
    assert!(state.lines.values().all(|l| matches!(l, LineLookup::None { reason } if reason.contains("no active agreement"))));
}

#[tokio::test]
async fn nothing_mapped_sends_nothing() {
    let h = Harness::new().await;
    let state = h.client.read_billing(&[], &[ProductRef(1)]).await.map_err(|e| e.to_string());
    assert_eq!(state.map(|s| (s.requests, s.lines.len())), Ok((0, 0)));
    let state = h.client.read_billing(&[CompanyRef(1)], &[]).await.map_err(|e| e.to_string());
    assert_eq!(state.map(|s| (s.requests, s.lines.len())), Ok((0, 0)));
}

fn agreement(id: i64, company: i64, parent: Option<i64>, status: &str) -> Agreement {
    let v = serde_json::json!({
        "id": id, "name": format!("A{id}"), "company": {"id": company},
        "parentAgreement": parent.map(|p| serde_json::json!({"id": p})),
        "agreementStatus": status, "cancelledFlag": status == "Cancelled",
    });
    serde_json::from_value(v).unwrap_or_default()
}

fn addition(id: i64, agreement: i64, product: i64, effective: Option<&str>, cancelled: Option<&str>) -> Addition {
    let v = serde_json::json!({
        "id": id, "product": {"id": product, "identifier": format!("P{product}")}, "quantity": 5.0,
        "effectiveDate": effective, "cancelledDate": cancelled, "agreementId": agreement,
    });
    serde_json::from_value(v).unwrap_or_default()
}

/// What a case expects: `One(addition id)`, `Many(addition ids)`, `None(reason fragment)`.
#[derive(Debug)]
enum Want {
    One(i64),
    Many(Vec<i64>),
    None(&'static str),
}

#[test]
fn line_decisions_table() {
    const PAST: Option<&str> = Some("2024-01-01T00:00:00Z");
    let cases: Vec<(&str, Vec<Agreement>, Vec<Addition>, Want)> = vec![
        ("single active line", vec![agreement(1, 7, None, "Active")], vec![addition(10, 1, 99, PAST, None)], Want::One(10)),
        ("no effective date counts as active", vec![agreement(1, 7, None, "Active")], vec![addition(10, 1, 99, None, None)], Want::One(10)),
        ("effective today is active", vec![agreement(1, 7, None, "Active")], vec![addition(10, 1, 99, Some("2025-06-15T00:00:00Z"), None)], Want::One(10)),
        ("future effective date", vec![agreement(1, 7, None, "Active")], vec![addition(10, 1, 99, Some("2025-06-16T00:00:00Z"), None)], Want::None("starts on 2025-06-16")),
        ("cancelled in the past", vec![agreement(1, 7, None, "Active")], vec![addition(10, 1, 99, PAST, Some("2025-01-31T00:00:00Z"))], Want::None("was cancelled on 2025-01-31")),
        ("cancelled today is no longer billing", vec![agreement(1, 7, None, "Active")], vec![addition(10, 1, 99, PAST, Some("2025-06-15T00:00:00Z"))], Want::None("was cancelled on 2025-06-15")),
        ("cancelled in the future still bills", vec![agreement(1, 7, None, "Active")], vec![addition(10, 1, 99, PAST, Some("2025-07-01T00:00:00Z"))], Want::One(10)),
        ("cancelled row plus its replacement", vec![agreement(1, 7, None, "Active")], vec![addition(10, 1, 99, PAST, Some("2025-01-31T00:00:00Z")), addition(11, 1, 99, Some("2025-02-01T00:00:00Z"), None)], Want::One(11)),
        ("duplicated product on one agreement", vec![agreement(1, 7, None, "Active")], vec![addition(10, 1, 99, PAST, None), addition(11, 1, 99, PAST, None)], Want::Many(vec![10, 11])),
        ("two agreements carry the product", vec![agreement(1, 7, None, "Active"), agreement(2, 7, None, "Active")], vec![addition(10, 1, 99, PAST, None), addition(20, 2, 99, PAST, None)], Want::Many(vec![10, 20])),
        ("child agreement carries the product", vec![agreement(1, 7, None, "Active"), agreement(2, 7, Some(1), "Active")], vec![addition(20, 2, 99, PAST, None)], Want::One(20)),
        ("parent and child both carry it", vec![agreement(1, 7, None, "Active"), agreement(2, 7, Some(1), "Active")], vec![addition(10, 1, 99, PAST, None), addition(20, 2, 99, PAST, None)], Want::Many(vec![10, 20])),
        ("other company's agreement is ignored", vec![agreement(1, 7, None, "Active"), agreement(2, 8, None, "Active")], vec![addition(10, 1, 99, PAST, None), addition(20, 2, 99, PAST, None)], Want::One(10)),
        ("cancelled agreement is ignored", vec![agreement(1, 7, None, "Active"), agreement(2, 7, None, "Cancelled")], vec![addition(10, 1, 99, PAST, None), addition(20, 2, 99, PAST, None)], Want::One(10)),
        ("other product only", vec![agreement(1, 7, None, "Active")], vec![addition(10, 1, 98, PAST, None)], Want::None("has an addition for catalog item 99")),
        ("no agreement at all", vec![], vec![], Want::None("has no active agreement")),
        ("unreadable cancelled date is not written", vec![agreement(1, 7, None, "Active")], vec![addition(10, 1, 99, PAST, Some("soon"))], Want::None("unreadable cancelled date")),
        ("lenient date spacing", vec![agreement(1, 7, None, "Active")], vec![addition(10, 1, 99, Some("2024-01-01 T00:00:00Z"), None)], Want::One(10)),
    ];
    for (name, agreements, additions, want) in cases {
        let mut by_agreement: HashMap<i64, Vec<Addition>> = HashMap::new();
        for a in additions {
            by_agreement.entry(a.agreement_id.unwrap_or_default()).or_default().push(a);
        }
        let lines = resolve(&[CompanyRef(7)], &[ProductRef(99)], &agreements, &by_agreement, today());
        let got = lines.get(&(CompanyRef(7), ProductRef(99))).cloned();
        let addition_id = |k: &LineKey| match k {
            LineKey::Connectwise { addition_id, .. } => *addition_id,
            LineKey::Autotask { .. } => -1,
        };
        match (&want, got) {
            (Want::One(id), Some(LineLookup::One { line })) => assert_eq!(addition_id(&line.key), *id, "{name}"),
            (Want::Many(ids), Some(LineLookup::Many { lines })) => {
                assert_eq!(&lines.iter().map(|l| addition_id(&l.key)).collect::<Vec<_>>(), ids, "{name}")
            }
            (Want::None(fragment), Some(LineLookup::None { reason })) => {
                assert!(reason.contains(fragment), "{name}: {reason}")
            }
            (want, got) => panic!("{name}: wanted {want:?}, got {got:?}"),
        }
    }
}

#[test]
fn addition_status_wins_when_the_model_has_it() {
    let mut a = addition(10, 1, 99, Some("2030-01-01T00:00:00Z"), None);
    a.addition_status = Some("Active".into());
    assert_eq!(crate::connectwise::activity(&a, today()), crate::connectwise::Activity::Active);
    a.addition_status = Some("Cancelled".into());
    assert_eq!(
        crate::connectwise::activity(&a, today()),
        crate::connectwise::Activity::Status("Cancelled".into())
    );
}
