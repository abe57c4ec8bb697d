//! Contract service adjustments: periods, validation, missing lines, lost answers, dates.

use super::*;

#[tokio::test]
async fn adjustment_applies_a_delta_to_the_period_covering_the_date() {
    let world = World::new(42, 14, 320);
    let srv = start_with(&world, Behaviour::default()).await;
    let (contract, line) = srv.first_line(&world);
    let today = srv.today();
    let next_month = time::add_months(today, 1);
    let (before, before_next, rows_before) = {
        let s = srv.handle.state.lock().unwrap();
        (
            s.units_on(line, today).unwrap(),
            s.units_on(line, next_month).unwrap(),
            s.units.len(),
        )
    };
    let (status, created) = srv
        .post(
            &format!("Contracts/{contract}/ServiceAdjustments"),
            json!({"contractID": contract, "contractServiceID": line, "unitChange": 3,
                   "effectiveDate": noon(today), "adjustedUnitPrice": 6.5, "allowRepeatService": false}),
        )
        .await;
    assert_eq!(status, 200, "{created}");
    assert!(created["itemId"].as_i64().is_some());

    // Read back through the API like a client: the row covering today now holds +3.
    let (_, page) = srv
        .post(
            "ContractServiceUnits/query",
            json!({"filter": [{"op": "eq", "field": "contractServiceID", "value": line}]}),
        )
        .await;
    let covering: Vec<&Value> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|u| {
            let s = time::stored_date(&u["startDate"]).unwrap();
            let e = time::stored_date(&u["endDate"]).unwrap();
            s <= today && today <= e
        })
        .collect();
    let current = covering
        .iter()
        .max_by_key(|u| {
            (
                u["startDate"].as_str().unwrap().to_string(),
                u["id"].as_i64(),
            )
        })
        .unwrap();
    assert_eq!(current["units"].as_i64().unwrap(), before + 3);
    assert_eq!(current["startDate"], json!(time::fmt_date(today)));
    {
        let s = srv.handle.state.lock().unwrap();
        assert_eq!(
            s.units_on(line, next_month),
            Some(before_next + 3),
            "later periods move too"
        );
        assert!(s.units.len() <= rows_before + 1);
        assert_eq!(s.adjustments.len(), 1);
        assert_eq!(s.adjustments[0].effective_local_date, today);
        assert!(s.adjustments[0].via_parent_url);
    }

    // The root URL works as well; same-day adjustments merge into the same row.
    let (status, _) = srv
        .post(
            "ContractServiceAdjustments",
            json!({"contractID": contract, "contractServiceID": line, "unitChange": -1, "effectiveDate": noon(today)}),
        )
        .await;
    assert_eq!(status, 200);
    let s = srv.handle.state.lock().unwrap();
    assert_eq!(s.units_on(line, today), Some(before + 2));
    assert_eq!(s.adjustments.len(), 2);
}

#[tokio::test]
async fn adjustment_validation_errors_are_500_with_errors() {
    let world = World::new(42, 14, 320);
    let srv = start_with(&world, Behaviour::default()).await;
    let (contract, line) = srv.first_line(&world);
    let today = srv.today();
    let units = srv
        .handle
        .state
        .lock()
        .unwrap()
        .units_on(line, today)
        .unwrap();
    let posted = time::add_months(today, -3) + chrono::Duration::days(3);
    let cases = [
        json!({"contractID": contract, "contractServiceID": line, "unitChange": 1,
               "effectiveDate": noon(today + chrono::Duration::days(900))}),
        json!({"contractID": contract, "contractServiceID": line, "unitChange": -(units + 1),
               "effectiveDate": noon(today)}),
        json!({"contractID": contract, "contractServiceID": line, "unitChange": 1, "effectiveDate": noon(posted)}),
        json!({"contractID": contract, "contractServiceID": line, "unitChange": 1}),
        json!({"contractID": contract, "contractServiceID": line, "unitChange": "3", "effectiveDate": noon(today)}),
        json!({"contractID": contract + 1, "contractServiceID": line, "unitChange": 1, "effectiveDate": noon(today)}),
        json!({"contractID": contract, "unitChange": 1, "effectiveDate": noon(today)}),
    ];
    for body in cases {
        let (status, e) = srv
            .post(
                &format!("Contracts/{contract}/ServiceAdjustments"),
                body.clone(),
            )
            .await;
        assert_eq!(status, 500, "{body}");
        assert!(e["errors"][0].is_string(), "{body}: {e}");
    }
    let s = srv.handle.state.lock().unwrap();
    assert!(s.adjustments.is_empty());
    assert_eq!(s.units_on(line, today), Some(units));
}

#[tokio::test]
async fn adjustment_by_service_id_creates_a_missing_line() {
    let world = World::new(42, 14, 320);
    let srv = start_with(&world, Behaviour::default()).await;
    let (contract, _) = srv.first_line(&world);
    let today = srv.today();
    let backup = {
        let s = srv.handle.state.lock().unwrap();
        s.services
            .values()
            .find(|v| v["name"].as_str().unwrap().starts_with("Managed Backup"))
            .unwrap()["id"]
            .as_i64()
            .unwrap()
    };
    let (status, _) = srv
        .post(
            &format!("Contracts/{contract}/ServiceAdjustments"),
            json!({"contractID": contract, "serviceID": backup, "unitChange": 4, "effectiveDate": noon(today)}),
        )
        .await;
    assert_eq!(status, 200);
    let s = srv.handle.state.lock().unwrap();
    let a = &s.adjustments[0];
    assert!(a.created_line);
    assert_eq!(s.units_on(a.contract_service_id, today), Some(4));
}

#[tokio::test]
async fn dropped_adjustment_response_is_applied_but_the_client_sees_a_failure() {
    let world = World::new(42, 14, 320);
    let srv = start_with(&world, Behaviour::default()).await;
    let (contract, line) = srv.first_line(&world);
    let today = srv.today();
    let before = srv
        .handle
        .state
        .lock()
        .unwrap()
        .units_on(line, today)
        .unwrap();
    let body = json!({"contractID": contract, "contractServiceID": line, "unitChange": 2, "effectiveDate": noon(today)});

    let r = srv
        .http
        .post(format!(
            "{}/_sandbox/drop-next-adjustment-response",
            srv.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = auth(
        srv.http
            .post(srv.url(&format!("Contracts/{contract}/ServiceAdjustments"))),
    )
    .json(&body)
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), 504);
    assert!(r.json::<Value>().await.is_err(), "no usable body");
    {
        let s = srv.handle.state.lock().unwrap();
        assert_eq!(
            s.units_on(line, today),
            Some(before + 2),
            "the write happened"
        );
        assert_eq!(s.adjustments.len(), 1);
        assert!(s.adjustments[0].response_dropped);
    }

    srv.http
        .post(format!(
            "{}/_sandbox/drop-next-adjustment-response",
            srv.base
        ))
        .json(&json!({"mode": "truncated"}))
        .send()
        .await
        .unwrap();
    let r = auth(srv.http.post(srv.url("ContractServiceAdjustments")))
        .json(&body)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert!(r.json::<Value>().await.is_err());
    let state: Value = srv
        .http
        .get(format!("{}/_sandbox/state", srv.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(state["adjustments"].as_array().unwrap().len(), 2);
    let line_state = state["contractServices"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["id"] == json!(line))
        .unwrap();
    assert_eq!(line_state["currentUnits"], json!(before + 4));

    // The next adjustment answers normally again.
    let (status, ok) = srv.post("ContractServiceAdjustments", body).await;
    assert_eq!(status, 200);
    assert!(ok["itemId"].is_number());
}

#[tokio::test]
async fn midnight_utc_effective_date_lands_on_the_previous_local_day() {
    let world = World::new(42, 14, 320);
    let srv = start_with(&world, Behaviour::default()).await;
    let (contract, line) = srv.first_line(&world);
    let today = srv.today();
    let tomorrow = today + chrono::Duration::days(1);
    let (status, _) = srv
        .post(
            "ContractServiceAdjustments",
            json!({"contractID": contract, "contractServiceID": line, "unitChange": 1,
                   "effectiveDate": format!("{tomorrow}T00:00:00Z")}),
        )
        .await;
    assert_eq!(status, 200);
    let s = srv.handle.state.lock().unwrap();
    assert_eq!(s.adjustments[0].effective_local_date, today);
}
