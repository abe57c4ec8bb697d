//! Companies and catalog items: conditions, fields, paging, search escaping, permissions.

use mockito::Matcher;

use super::{fixture, query, Harness};
use crate::psa::{Psa, PsaError};

const COMPANY_FIELDS: &str = "id,identifier,name,status/name,deletedFlag";

fn link(next: Option<u32>) -> String {
    let base = "https://api-na.myconnectwise.net/v2025_1/apis/3.0/company/companies?pageSize=2";
    let mut parts = vec![format!("<{base}&page=1>; rel=\"first\"")];
    if let Some(n) = next {
        parts.push(format!("<{base}&page={n}>; rel=\"next\""));
    }
    parts.push(format!("<{base}&page=3>; rel=\"last\""));
    parts.join(", ")
}

#[tokio::test]
async fn companies_follow_three_pages() {
    let mut h = Harness::with_page_size(2).await;
    let _d = h.discovery().await;
    let pages = [
        ("1", fixture!("companies_page1.json"), link(Some(2))),
        ("2", fixture!("companies_page2.json"), link(Some(3))),
        ("3", fixture!("companies_page3.json"), link(None)),
    ];
    let mut mocks = Vec::new();
    for (page, body, link) in pages {
        let m = h
            .api("GET", "/company/companies")
            .match_query(query(&[
                ("conditions", "deletedFlag=false"),
                ("fields", COMPANY_FIELDS),
                ("orderBy", "id asc"),
                ("pageSize", "2"),
                ("page", page),
            ]))
            .with_header("link", &link)
            .with_body(body)
            .expect(1)
            .create_async()
            .await;
        mocks.push(m);
    }
    let companies = h
        .client
        .list_companies(None)
        .await
        .map_err(|e| e.to_string());
    let names: Vec<String> = companies
        .unwrap_or_default()
        .into_iter()
        .map(|c| c.name)
        .collect();
    assert_eq!(
        names,
        [
            "Acme Dental LLC",
            "Bay Clinic",
            "Cedar Law Group",
            "Delta Auto Repair",
            "Echo Veterinary"
        ]
    );
    for m in mocks {
        m.assert_async().await;
    }
    let sent = h.requests();
    assert_eq!(sent.len(), 3);
    for (i, req) in sent.iter().enumerate() {
        let keys: Vec<&String> = req["query"]
            .as_object()
            .map(|q| q.keys().collect())
            .unwrap_or_default();
        assert_eq!(
            keys.len(),
            5,
            "exactly conditions, fields, orderBy, pageSize, page: {req}"
        );
        assert_eq!(req["query"]["page"], (i + 1).to_string());
        assert_eq!(req["body"], serde_json::Value::Null);
    }
}

#[tokio::test]
async fn paging_stops_when_a_page_brings_nothing_new() {
    let mut h = Harness::with_page_size(2).await;
    let _d = h.discovery().await;
    // A broken server that always says "next" and always sends the same rows.
    let m = h
        .api("GET", "/company/companies")
        .match_query(Matcher::Any)
        .with_header("link", &link(Some(2)))
        .with_body(fixture!("companies_page1.json"))
        .expect(2)
        .create_async()
        .await;
    let got = h
        .client
        .list_companies(None)
        .await
        .map(|c| c.len())
        .map_err(|e| e.to_string());
    assert_eq!(got, Ok(2));
    m.assert_async().await;
}

#[tokio::test]
async fn without_link_header_a_short_page_is_the_last() {
    let mut h = Harness::with_page_size(2).await;
    let _d = h.discovery().await;
    let m = h
        .api("GET", "/company/companies")
        .match_query(query(&[("page", "1")]))
        .with_body(fixture!("companies_page3.json"))
        .expect(1)
        .create_async()
        .await;
    let got = h
        .client
        .list_companies(None)
        .await
        .map(|c| c.len())
        .map_err(|e| e.to_string());
    assert_eq!(got, Ok(1));
    m.assert_async().await;
}

#[tokio::test]
async fn company_search_is_server_side_with_safe_quotes() {
    let cases = [
        (
            "O'Brien",
            "deletedFlag=false and (name contains \"O'Brien\" or identifier contains \"O'Brien\")",
            // Raw form: spaces as %20 (never +), quotes and parentheses percent-encoded.
            "conditions=deletedFlag%3Dfalse%20and%20%28name%20contains%20%22O%27Brien%22%20or%20identifier%20contains%20%22O%27Brien%22%29",
        ),
        (
            "The \"Best\" MSP",
            "deletedFlag=false and (name contains 'The \"Best\" MSP' or identifier contains 'The \"Best\" MSP')",
            "conditions=deletedFlag%3Dfalse%20and%20%28name%20contains%20%27The%20%22Best%22%20MSP%27",
        ),
    ];
    for (term, conditions, raw) in cases {
        let mut h = Harness::new().await;
        let _d = h.discovery().await;
        let m = h
            .api("GET", "/company/companies")
            .match_query(Matcher::AllOf(vec![
                query(&[
                    ("conditions", conditions),
                    ("pageSize", "1000"),
                    ("page", "1"),
                ]),
                Matcher::Regex(regex_escape(raw)),
            ]))
            .with_body("[]")
            .expect(1)
            .create_async()
            .await;
        let got = h
            .client
            .list_companies(Some(term))
            .await
            .map_err(|e| e.to_string());
        assert_eq!(got, Ok(Vec::new()), "{term}");
        m.assert_async().await;
    }
}

fn regex_escape(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '%' || c == '=' || c == '&' {
                c.to_string()
            } else {
                format!("\\{c}")
            }
        })
        .collect()
}

#[tokio::test]
async fn catalog_lists_active_non_bundle_items() {
    let mut h = Harness::new().await;
    let _d = h.discovery().await;
    let m = h
        .api("GET", "/procurement/catalog")
        .match_query(query(&[
            ("conditions", "inactiveFlag=false and productClass!=\"Bundle\" and (description contains \"SEAT\" or identifier contains \"SEAT\")"),
            ("fields", "id,identifier,description,productClass,inactiveFlag"),
            ("orderBy", "id asc"),
            ("pageSize", "1000"),
            ("page", "1"),
        ]))
        .with_body(fixture!("catalog.json"))
        .expect(1)
        .create_async()
        .await;
    let got = h
        .client
        .list_products(Some(" SEAT "))
        .await
        .map_err(|e| e.to_string());
    let got: Vec<(i64, String, Option<String>)> = got
        .unwrap_or_default()
        .into_iter()
        .map(|p| (p.id.0, p.name, p.identifier))
        .collect();
    // The server searched; the client re-applies the term (only EDR-SEAT contains "seat").
    assert_eq!(
        got,
        vec![(
            812,
            "Endpoint protection - per device".to_string(),
            Some("EDR-SEAT".to_string())
        )]
    );
    m.assert_async().await;
}

#[tokio::test]
async fn browse_403s_name_the_missing_permission() {
    let cases = [
        (
            "/company/companies",
            "Companies > Company Maintenance: Inquire Level All",
        ),
        ("/procurement/catalog", "Procurement > Product Catalog"),
    ];
    for (path, needle) in cases {
        let mut h = Harness::new().await;
        let _d = h.discovery().await;
        let _m = h
            .api("GET", path)
            .match_query(Matcher::Any)
            .with_status(403)
            .with_body(fixture!("error_security.json"))
            .expect(1)
            .create_async()
            .await;
        let err = if path.contains("company") {
            h.client.list_companies(None).await.map(|_| ())
        } else {
            h.client.list_products(None).await.map(|_| ())
        };
        match err {
            Err(PsaError::Forbidden(msg)) => assert!(msg.contains(needle), "{path}: {msg}"),
            other => panic!("{path}: {other:?}"),
        }
    }
}
