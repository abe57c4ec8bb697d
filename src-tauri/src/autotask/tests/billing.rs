//! `read_billing` against fixtures: batched queries, the One / None / Many decisions, the request
//! count, and the security-level heuristic.

use mockito::Matcher;
use serde_json::json;

use super::{fixture, Fx};
use crate::model::{CompanyRef, ProductRef};
use crate::psa::{LineKey, LineLookup, Psa, PsaError};

const CONTOSO: i64 = 29683521;
const FABRIKAM: i64 = 29683522;
const NORTHWIND: i64 = 29683523;
const ADATUM: i64 = 29683524;
const EDR: i64 = 29684300;
const EMAIL: i64 = 29684301;

pub fn companies() -> Vec<CompanyRef> {
    [CONTOSO, FABRIKAM, NORTHWIND, ADATUM]
        .map(CompanyRef)
        .to_vec()
}

pub fn products() -> Vec<ProductRef> {
    [EDR, EMAIL].map(ProductRef).to_vec()
}

fn contracts_body() -> serde_json::Value {
    json!({"filter":[{"op":"eq","field":"contractType","value":7},
                     {"op":"in","field":"companyID","value":[CONTOSO, FABRIKAM, NORTHWIND, ADATUM]}],
           "MaxRecords":500})
}

fn lines_body() -> serde_json::Value {
    json!({"filter":[{"op":"in","field":"contractID","value":[29684183, 29684190, 29684191, 29684195]},
                     {"op":"in","field":"serviceID","value":[EDR, EMAIL]}],
           "MaxRecords":500})
}

fn units_body() -> serde_json::Value {
    json!({"filter":[{"op":"in","field":"contractServiceID","value":[29684410, 29684420, 29684421, 29684422, 29684430]},
                     {"op":"gte","field":"endDate","value":"2025-06-15T00:00:00Z"},
                     {"op":"lte","field":"startDate","value":"2025-06-19T00:00:00Z"}],
           "MaxRecords":500})
}

/// Mocks for a full read; `units` is the ContractServiceUnits answer.
pub async fn billing_mocks(fx: &mut Fx, units: &str) -> Vec<mockito::Mock> {
    let zone = fx
        .zone_mock("/atservicesrest/")
        .expect(1)
        .create_async()
        .await;
    let thr = fx.threshold_mock().expect(1).create_async().await;
    let m = fx.query("Contracts", contracts_body());
    let c = fx
        .reply(m, 200, fixture("contracts.json"))
        .expect(1)
        .create_async()
        .await;
    let m = fx.query("ContractServices", lines_body());
    let l = fx
        .reply(m, 200, fixture("contract_services.json"))
        .expect(1)
        .create_async()
        .await;
    let m = fx.query("ContractServiceUnits", units_body());
    let u = fx
        .reply(m, 200, fixture(units))
        .expect(1)
        .create_async()
        .await;
    vec![zone, thr, c, l, u]
}

fn summary(l: &LineLookup) -> String {
    match l {
        LineLookup::One { line } => format!(
            "one {} = {} [{}]",
            line.key.describe(),
            line.quantity,
            line.container_name
        ),
        LineLookup::None { reason } => format!("none: {reason}"),
        LineLookup::Many { lines } => {
            let parts: Vec<String> = lines
                .iter()
                .map(|l| format!("{}={}", l.key.describe(), l.quantity))
                .collect();
            format!("many {}", parts.join(", "))
        }
        LineLookup::Unreadable { reason } => format!("unreadable: {reason}"),
    }
}

#[tokio::test]
async fn one_none_and_many_from_fixtures_in_five_requests() {
    let mut fx = Fx::new().await;
    let mocks = billing_mocks(&mut fx, "contract_service_units.json").await;
    let state = fx
        .client
        .read_billing(&companies(), &products())
        .await
        .unwrap();
    for m in &mocks {
        m.assert_async().await;
    }
    assert_eq!(
        state.requests, 5,
        "zone + threshold + contracts + contract services + units"
    );
    assert_eq!(state.lines.len(), 8);
    let get = |c: i64, p: i64| summary(&state.lines[&(CompanyRef(c), ProductRef(p))]);
    let cases = [
        (CONTOSO, EDR, "one contract 29684183 / contract service 29684410 = 42 [Contoso – Managed Security]"),
        (CONTOSO, EMAIL, "none: The service is not on any of the company's Recurring Service contracts (Contoso – Managed Security)."),
        (FABRIKAM, EDR, "many contract 29684190 / contract service 29684420=5, contract 29684191 / contract service 29684421=7"),
        (FABRIKAM, EMAIL, "none: The service is on contract Fabrikam – Security, but no billing period covers 2025-06-17"),
        (NORTHWIND, EDR, "none: The service bills only on contract 'Northwind – Managed Security', which is inactive"),
        (NORTHWIND, EMAIL, "none: The service is not on any of the company's Recurring Service contracts"),
        (ADATUM, EDR, "none: The company has no Recurring Service contract"),
        (ADATUM, EMAIL, "none: The company has no Recurring Service contract"),
    ];
    for (c, p, want) in cases {
        assert!(get(c, p).starts_with(want), "{c}/{p}: {}", get(c, p));
    }
    let LineLookup::One { line } = &state.lines[&(CompanyRef(CONTOSO), ProductRef(EDR))] else {
        unreachable!()
    };
    assert_eq!(
        line.key,
        LineKey::Autotask {
            contract_id: 29684183,
            contract_service_id: 29684410
        }
    );
    fx.validate();
}

#[tokio::test]
async fn nothing_mapped_costs_no_request() {
    let fx = Fx::new().await;
    let state = fx.client.read_billing(&[], &products()).await.unwrap();
    assert_eq!((state.requests, state.lines.len()), (0, 0));
}

#[tokio::test]
async fn hidden_units_are_a_security_level_problem() {
    let mut fx = Fx::new().await;
    let _m = billing_mocks(&mut fx, "empty_page.json").await;
    let err = fx
        .client
        .read_billing(&companies(), &products())
        .await
        .unwrap_err();
    assert!(
        matches!(&err, PsaError::Forbidden(m) if m.contains("security level hides them") && m.contains("Security Levels")),
        "{err:?}"
    );
}

#[tokio::test]
async fn many_companies_are_chunked_within_the_in_limit() {
    let mut fx = Fx::new().await;
    let _zone = fx.zone_mock("/atservicesrest/").create_async().await;
    let _thr = fx.threshold_mock().create_async().await;
    let ids: Vec<i64> = (1..=900).collect();
    let mut mocks = Vec::new();
    for chunk in ids.chunks(400) {
        let body = json!({"filter":[{"op":"eq","field":"contractType","value":7},
                                    {"op":"in","field":"companyID","value":chunk}],"MaxRecords":500});
        let m = fx
            .api("POST", "/V1.0/Contracts/query")
            .match_body(Matcher::Json(body));
        mocks.push(
            fx.reply(m, 200, fixture("empty_page.json"))
                .expect(1)
                .create_async()
                .await,
        );
    }
    let companies: Vec<CompanyRef> = ids.iter().rev().map(|i| CompanyRef(*i)).collect();
    let state = fx
        .client
        .read_billing(&companies, &products())
        .await
        .unwrap();
    for m in &mocks {
        m.assert_async().await;
    }
    // zone + threshold + ⌈900/400⌉ contract queries; no contracts, so nothing else.
    assert_eq!(state.requests, 5);
    assert!(state
        .lines
        .values()
        .all(|l| matches!(l, LineLookup::None { .. })));
}
