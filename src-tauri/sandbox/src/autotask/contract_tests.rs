//! The simulated Autotask answers in the shape of the contract fixtures
//! (`src-tauri/contract/autotask`), the ones the product's client tests are built on.

use serde_json::{json, Value};

use super::tests::start;
use crate::contract::{conforms, fixture};

fn all(max: u32) -> Value {
    json!({"MaxRecords": max, "filter": [{"op": "gte", "field": "id", "value": 0}]})
}

#[tokio::test]
async fn every_answer_has_the_fixtures_shape() {
    let srv = start().await;
    let mut cases: Vec<(&str, Value)> = Vec::new();
    // A first page with a next one, then whole lists in one page each.
    cases.push((
        "autotask/companies_page1.json",
        srv.post("Companies/query", all(3)).await.1,
    ));
    for (name, entity) in [
        ("autotask/contracts.json", "Contracts"),
        ("autotask/contract_services.json", "ContractServices"),
        ("autotask/services.json", "Services"),
        (
            "autotask/contract_service_units.json",
            "ContractServiceUnits",
        ),
    ] {
        cases.push((name, srv.post(&format!("{entity}/query"), all(500)).await.1));
    }
    let none = json!({"filter": [{"op": "eq", "field": "id", "value": -5}]});
    cases.push((
        "autotask/empty_page.json",
        srv.post("Companies/query", none).await.1,
    ));
    cases.push((
        "autotask/threshold_information.json",
        srv.get("ThresholdInformation").await.1,
    ));
    let (status, invalid) = srv.post("ContractServiceAdjustments", json!({})).await;
    assert_eq!(
        status, 500,
        "an invalid adjustment is refused the Autotask way"
    );
    cases.push(("autotask/error_validation.json", invalid));
    let mut problems = Vec::new();
    for (name, got) in &cases {
        for p in conforms(&fixture(name), got, &[]) {
            problems.push(format!("{name}: {p}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
