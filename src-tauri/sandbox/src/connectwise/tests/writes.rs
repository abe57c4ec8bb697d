//! Writes (PATCH/PUT/POST/DELETE), the seeded awkward cases, and the test controls.

use reqwest::StatusCode;
use serde_json::{json, Value};

use super::*;
use crate::seed::{Quirk, SERVICES};

#[tokio::test]
async fn patch_updates_quantity_and_refuses_plain_objects() {
    let api = small().await;
    let adds = api
        .json("/finance/agreements/2001/additions?conditions=cancelledDate%3Dnull")
        .await;
    let first = &adds[0];
    let id = first["id"].as_i64().expect("id");
    let path = format!("/finance/agreements/2001/additions/{id}");
    let r = api
        .req(reqwest::Method::PATCH, &path)
        .json(&json!([{"op": "replace", "path": "quantity", "value": 4242}]))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    let body: Value = r.json().await.expect("json");
    assert_eq!(body["quantity"], 4242);
    assert_eq!(body["_info"]["updatedBy"], "ApiMember1");
    assert_eq!(
        api.json(&path).await["quantity"],
        4242,
        "a second read shows the change"
    );
    let r = api
        .req(reqwest::Method::PATCH, &path)
        .json(&json!({"quantity": 5}))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::BAD_REQUEST);
    for (op, want) in [
        (
            json!([{"op": "replace", "path": "Quantity", "value": 5}]),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!([{"op": "replace", "path": "quantity", "value": "5"}]),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!([{"op": "replace", "path": "extPrice", "value": 5}]),
            StatusCode::BAD_REQUEST,
        ),
        (
            json!([{"op": "replace", "path": "product/id", "value": 801}]),
            StatusCode::OK,
        ),
        (
            json!([{"op": "replace", "path": "/quantity", "value": 7}]),
            StatusCode::OK,
        ),
    ] {
        let r = api
            .req(reqwest::Method::PATCH, &path)
            .json(&op)
            .send()
            .await
            .expect("send");
        assert_eq!(r.status(), want, "{op}");
    }
    let after = api.json(&path).await;
    assert_eq!(after["quantity"], 7);
    assert_eq!(
        after["product"]["id"], first["product"]["id"],
        "sub-path PATCH is a false 200"
    );
    let views = api.handle.state.lock().expect("lock").snapshot(None);
    let v = views
        .iter()
        .flat_map(|a| &a.additions)
        .find(|x| x.id == id)
        .expect("view");
    assert_eq!(v.quantity, 7.0);
    let logged = api.handle.gate.requests();
    assert!(logged
        .iter()
        .any(|r| r.method == "PATCH" && r.path == path && r.body.is_array()));
}

#[tokio::test]
async fn post_put_delete_additions() {
    let api = small().await;
    let r = api.req(reqwest::Method::POST, "/finance/agreements/2001/additions")
        .json(&json!({"product": {"id": 803}, "billCustomer": "Billable", "quantity": 17, "effectiveDate": "2025-06-01T00:00:00Z"}))
        .send().await.expect("send");
    assert_eq!(r.status(), StatusCode::CREATED);
    let created: Value = r.json().await.expect("json");
    assert_eq!(created["quantity"], 17);
    assert_eq!(
        created["unitPrice"], 4.25,
        "price defaults from the catalog"
    );
    let path = format!("/finance/agreements/2001/additions/{}", created["id"]);
    let r = api
        .req(reqwest::Method::POST, "/finance/agreements/2001/additions")
        .json(&json!({"product": {"id": 831}, "billCustomer": "Billable"}))
        .send()
        .await
        .expect("send");
    assert_eq!(
        r.status(),
        StatusCode::BAD_REQUEST,
        "bundles cannot be additions"
    );
    let r = api
        .req(reqwest::Method::POST, "/finance/agreements/2001/additions")
        .json(&json!({"product": {"id": 99999}, "billCustomer": "Billable"}))
        .send()
        .await
        .expect("send");
    let err: Value = r.json().await.expect("json");
    assert_eq!(err["errors"][0]["code"], "NotFound");
    let r = api
        .req(reqwest::Method::PUT, &path)
        .json(&json!({"product": {"id": 803}, "billCustomer": "NoCharge"}))
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::OK);
    let put: Value = r.json().await.expect("json");
    assert!(put["quantity"].is_null(), "PUT resets omitted fields");
    let r = api
        .req(reqwest::Method::DELETE, &path)
        .send()
        .await
        .expect("send");
    assert_eq!(r.status(), StatusCode::NO_CONTENT);
    assert_eq!(
        api.get(&path).send().await.expect("send").status(),
        StatusCode::NOT_FOUND
    );
    let r = api.get("/finance/nothing").send().await.expect("send");
    assert_eq!(r.status(), StatusCode::NOT_FOUND);
    assert_eq!(
        r.json::<Value>().await.expect("json")["message"],
        "The endpoint does not exist."
    );
}

#[tokio::test]
async fn quirk_data_is_there() {
    let world = World::new(42, 14, 120);
    let api = start(&world, Behaviour::default()).await;
    let st = api.handle.state.lock().expect("lock");
    let name = |q: Quirk| {
        world
            .customers
            .iter()
            .find(|c| c.quirk == q)
            .map(|c| c.name.clone())
            .expect("quirk")
    };
    let agreements = |n: &str| st.snapshot(Some(n));
    let two = agreements(&name(Quirk::TwoAgreements));
    assert_eq!(
        two.iter()
            .filter(|a| a.agreement_status == "Active" && a.parent_agreement_id.is_none())
            .count(),
        2
    );
    let dup = st.live_quantities(&name(Quirk::DuplicatedLine));
    assert!(dup.values().any(|q| q.len() == 2));
    assert!(agreements(&name(Quirk::NoAgreement)).is_empty());
    let cancelled = agreements(&name(Quirk::CancelledLine));
    let lines: Vec<_> = cancelled.iter().flat_map(|a| &a.additions).collect();
    assert!(lines
        .iter()
        .any(|x| x.cancelled_date.is_some() && !x.active));
    let cancelled_product = lines
        .iter()
        .find(|x| x.cancelled_date.is_some())
        .map(|x| x.product_identifier.clone());
    assert!(lines
        .iter()
        .any(|x| Some(&x.product_identifier) == cancelled_product.as_ref() && x.active));
    assert!(agreements(&world.customers[1].name)
        .iter()
        .any(|a| a.parent_agreement_id.is_some() && !a.additions.is_empty()));
    assert!(agreements(&world.customers[3].name)
        .iter()
        .flat_map(|a| &a.additions)
        .any(|x| !x.active && x.cancelled_date.is_none()));
    assert!(agreements(&world.customers[4].name)
        .iter()
        .any(|a| a.agreement_status == "Expired"));
    // Quantities: some equal to Coro's usage, some not; one active product per service.
    let (mut equal, mut differ) = (0, 0);
    for (c, customer) in world.customers.iter().enumerate().take(9) {
        let live = st.live_quantities(&customer.name);
        for s in (0..SERVICES.len()).filter(|&s| world.subscribes(c, s)) {
            let q = live
                .get(&product_identifier(s))
                .and_then(|q| q.first())
                .copied()
                .expect("product billed");
            if q == world.usage(c, s) as f64 {
                equal += 1
            } else {
                differ += 1
            }
        }
    }
    assert!(equal > 5 && differ > 5, "equal {equal}, differ {differ}");
    let products: Vec<&Value> = st
        .catalog
        .iter()
        .filter(|p| p["inactiveFlag"] == false && p["productClass"] != "Bundle")
        .collect();
    for s in 0..SERVICES.len() {
        assert_eq!(
            products
                .iter()
                .filter(|p| p["identifier"] == product_identifier(s).as_str())
                .count(),
            1
        );
    }
    assert_eq!(product_identifier(1), "CORO-EDR");
    assert_eq!(
        st.companies
            .iter()
            .filter(|c| c["deletedFlag"] == true)
            .count(),
        3
    );
    assert!(st
        .companies
        .iter()
        .any(|c| c["deletedFlag"] == true && c["name"] == world.customers[1].name.as_str()));
}

#[tokio::test]
async fn controls_do_not_log_and_reset_restores() {
    let api = small().await;
    api.json("/system/info").await;
    let st: Value = api
        .http
        .get(format!("{}/_sandbox/state?company=1010", api.root))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert!(!st["agreements"].as_array().expect("agreements").is_empty());
    let log: Value = api
        .http
        .get(format!("{}/_sandbox/requests", api.root))
        .send()
        .await
        .expect("send")
        .json()
        .await
        .expect("json");
    assert_eq!(log.as_array().map(Vec::len), Some(1));
    assert_eq!(log[0]["path"], "/system/info");
    assert_eq!(log[0]["headers"]["Authorization"], "Basic ***");
    api.http
        .post(format!("{}/_sandbox/faults", api.root))
        .json(&json!({"next": 1}))
        .send()
        .await
        .expect("send");
    assert_eq!(
        api.get("/system/info").send().await.expect("send").status(),
        StatusCode::SERVICE_UNAVAILABLE
    );
    api.req(
        reqwest::Method::DELETE,
        "/finance/agreements/2001/additions/5001",
    )
    .send()
    .await
    .expect("send");
    api.http
        .post(format!("{}/_sandbox/reset", api.root))
        .send()
        .await
        .expect("send");
    assert_eq!(
        api.json("/finance/agreements/2001/additions/5001").await["id"],
        5001
    );
    api.http
        .delete(format!("{}/_sandbox/requests", api.root))
        .send()
        .await
        .expect("send");
    assert!(api.handle.gate.requests().is_empty());
}
