//! The simulated ConnectWise answers in the shape of the contract fixtures
//! (`src-tauri/contract/connectwise`), the ones the product's client tests are built on.

use serde_json::{json, Value};

use super::*;
use crate::contract::{conforms, fixture};

/// The additions of the first agreement that has a cancelled (history) line.
async fn additions_with_history(api: &Api) -> Value {
    let agreements = api.json("/finance/agreements?pageSize=1000").await;
    for a in agreements.as_array().into_iter().flatten() {
        let rows = api
            .json(&format!("/finance/agreements/{}/additions", a["id"]))
            .await;
        if rows
            .as_array()
            .is_some_and(|r| r.iter().any(|x| x["cancelledDate"].is_string()))
        {
            return rows;
        }
    }
    panic!("the demo world has a cancelled addition");
}

#[tokio::test]
async fn every_answer_has_the_fixtures_shape() {
    let api = small().await;
    let invalid: Value = api
        .req(reqwest::Method::POST, "/finance/agreements/2001/additions")
        .json(&json!({"product": {"id": 99999}, "billCustomer": "Billable"}))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let missing: Value = api
        .get("/finance/nothing")
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    let history = additions_with_history(&api).await;
    let cases = [
        (
            "connectwise/agreements.json",
            api.json("/finance/agreements").await,
        ),
        (
            "connectwise/catalog.json",
            api.json("/procurement/catalog").await,
        ),
        (
            "connectwise/companies_page1.json",
            api.json("/company/companies").await,
        ),
        ("connectwise/additions_1033.json", history),
        (
            "connectwise/addition_5521.json",
            api.json("/finance/agreements/2001/additions/5001").await,
        ),
        (
            "connectwise/system_info.json",
            api.json("/system/info").await,
        ),
        ("connectwise/error_invalid_object.json", invalid),
        ("connectwise/error_not_found.json", missing),
    ];
    let mut problems = Vec::new();
    for (name, got) in &cases {
        for p in conforms(&fixture(name), got, &[]) {
            problems.push(format!("{name}: {p}"));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}
