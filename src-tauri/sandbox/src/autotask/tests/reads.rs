//! Reads: zone discovery, paging, fields, the seeded awkward cases, and the line index.

use super::*;

#[tokio::test]
async fn zone_discovery_and_version() {
    let srv = start().await;
    let zone_url = format!(
        "{}/atservicesrest/V1.0/zoneInformation?user={}",
        srv.base, DEMO_USERNAME
    );
    let r = srv.http.get(&zone_url).send().await.unwrap();
    assert_eq!(r.status(), 200);
    let z: Value = r.json().await.unwrap();
    assert_eq!(z["url"], json!(srv.handle.demo.zone_url));
    assert!(z["url"].as_str().unwrap().ends_with("/ATServicesRest/"));
    assert!(z["ci"].as_i64().is_some() && z["zoneName"].is_string() && z["webUrl"].is_string());

    // Any casing works, as on the real API.
    let r = srv
        .http
        .get(format!(
            "{}/ATServicesRest/v1.0/ZONEINFORMATION?user=PSABRIDGE@brightpath.example",
            srv.base
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    for user in ["nobody@example.com", ""] {
        let r = srv
            .http
            .get(format!(
                "{}/atservicesrest/v1.0/zoneInformation?user={user}",
                srv.base
            ))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 500);
        let body: Value = r.json().await.unwrap();
        assert!(body["errors"][0].is_string());
    }

    let v: Value = srv
        .http
        .get(format!("{}/atservicesrest/versioninformation", srv.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["apiVersions"], json!(["1.0"]));
    let (status, version) = srv.get("Version").await;
    assert_eq!(status, 200);
    assert!(version["majorVersion"].is_number());

    // Discovery is logged relative to /ATServicesRest, without credentials.
    let log = srv.handle.gate.requests();
    assert_eq!(log[0].path, "/V1.0/zoneInformation");
    assert!(log[0].headers.is_empty());
}

#[tokio::test]
async fn move_zone_old_zone_answers_401_and_discovery_returns_new_url() {
    let srv = start().await;
    let filter = json!({"filter": [{"op": "eq", "field": "id", "value": 0}], "MaxRecords": 1});
    let (status, _) = srv.post("Companies/query", filter.clone()).await;
    assert_eq!(status, 200);

    let moved: Value = srv
        .http
        .post(format!("{}/_sandbox/move-zone", srv.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let new_zone = moved["url"].as_str().unwrap().to_string();
    assert_ne!(new_zone, srv.zone);

    let (status, body) = srv.post("Companies/query", filter.clone()).await;
    assert_eq!(status, 401);
    assert!(body["errors"][0].is_string());

    let z: Value = srv
        .http
        .get(format!(
            "{}/atservicesrest/v1.0/zoneInformation?user={DEMO_USERNAME}",
            srv.base
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(z["url"], json!(new_zone));
    let r = auth(srv.http.post(format!("{new_zone}V1.0/Companies/query")))
        .json(&filter)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let page: Value = r.json().await.unwrap();
    assert_eq!(page["items"][0]["id"], json!(0));
    // Logged paths stay relative to /ATServicesRest in the new zone too.
    assert_eq!(
        srv.handle.gate.requests().last().unwrap().path,
        "/V1.0/Companies/query"
    );
}

#[tokio::test]
async fn paging_follows_next_page_url_over_2500_companies() {
    let world = World::new(1, 14, 2500);
    let srv = start_with(&world, Behaviour::default()).await;
    let body = json!({"filter": [{"op": "exist", "field": "id"}], "MaxRecords": 500});
    let (status, count) = srv.post("Companies/query/count", body.clone()).await;
    assert_eq!(status, 200);
    let total = count["queryCount"].as_u64().unwrap() as usize;
    assert_eq!(
        total, 2501,
        "2,500 world companies plus the MSP's own company 0"
    );

    let mut ids = Vec::new();
    let mut url = srv.url("Companies/query");
    let mut pages = 0;
    loop {
        let r = auth(srv.http.post(&url)).json(&body).send().await.unwrap();
        assert_eq!(r.status(), 200, "{url}");
        let page: Value = r.json().await.unwrap();
        let items = page["items"].as_array().unwrap();
        assert_eq!(page["pageDetails"]["count"], json!(items.len()));
        assert_eq!(page["pageDetails"]["requestCount"], json!(500));
        assert!(items.len() <= 500);
        ids.extend(items.iter().map(|i| i["id"].as_i64().unwrap()));
        pages += 1;
        match page["pageDetails"]["nextPageUrl"].as_str() {
            Some(next) if !next.is_empty() => {
                assert!(next.starts_with(&srv.zone), "absolute, same zone: {next}");
                assert!(next.contains("/query/next?paging="));
                url = next.to_string();
            }
            _ => break,
        }
    }
    assert_eq!(pages, 6);
    assert_eq!(ids.len(), total);
    assert_eq!(
        ids.iter().collect::<HashSet<_>>().len(),
        total,
        "no page twice"
    );
    assert!(ids.windows(2).all(|w| w[0] < w[1]), "ordered by id");

    // GET on a POST-originated cursor is 405.
    let (_, first) = srv.post("Companies/query", body.clone()).await;
    let next = first["pageDetails"]["nextPageUrl"].as_str().unwrap();
    let r = auth(srv.http.get(next)).send().await.unwrap();
    assert_eq!(r.status(), 405);

    // The GET form carries the search in its cursor and is followed with GET.
    let search =
        json!({"filter": [{"op": "eq", "field": "isActive", "value": true}], "maxRecords": 400});
    let active = srv
        .handle
        .state
        .lock()
        .unwrap()
        .companies
        .values()
        .filter(|c| c["isActive"] == json!(true))
        .count();
    let mut url = reqwest::Url::parse(&srv.url("Companies/query")).unwrap();
    url.query_pairs_mut()
        .append_pair("search", &search.to_string());
    let mut url = url.to_string();
    let mut seen = 0;
    let mut prev_seen = false;
    loop {
        let page: Value = auth(srv.http.get(&url))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        seen += page["items"].as_array().unwrap().len();
        prev_seen |= page["pageDetails"]["prevPageUrl"].is_string();
        match page["pageDetails"]["nextPageUrl"].as_str() {
            Some(n) => url = n.to_string(),
            None => break,
        }
    }
    assert_eq!(seen, active);
    assert!(active < total && prev_seen);
}

#[tokio::test]
async fn include_fields_and_get_by_id() {
    let srv = start().await;
    let (status, page) = srv
        .post(
            "contracts/query",
            json!({"Filter": [{"op": "eq", "field": "contracttype", "value": "7"}], "IncludeFields": ["id", "CompanyID"]}),
        )
        .await;
    assert_eq!(status, 200);
    let first = &page["items"][0];
    assert_eq!(first.as_object().unwrap().len(), 2);
    assert!(
        first["companyID"].is_number(),
        "canonical casing in responses"
    );

    let id = first["id"].as_i64().unwrap();
    let (status, item) = srv.get(&format!("Contracts/{id}")).await;
    assert_eq!(status, 200);
    assert_eq!(item["item"]["contractType"], json!(7));
    let (status, missing) = srv.get("Contracts/1").await;
    assert_eq!((status, missing), (200, json!({"item": null})));

    let (status, bad) = srv
        .post(
            "Companies/query",
            json!({"filter": [{"op": "eq", "field": "nope", "value": 1}]}),
        )
        .await;
    assert_eq!(status, 500);
    assert!(bad["errors"][0].as_str().unwrap().contains("nope"));
    let (status, _) = srv
        .post("Companies/query", json!({"filter": [], "MaxRecords": 501}))
        .await;
    assert_eq!(status, 500);

    let (status, fields) = srv.get("Contracts/entityInformation/fields").await;
    assert_eq!(status, 200);
    let ct = fields["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "contractType")
        .unwrap();
    assert!(ct["picklistValues"]
        .as_array()
        .unwrap()
        .iter()
        .any(|p| p["value"] == "7" && p["label"] == "Recurring Service"));
    let (_, info) = srv
        .get("ContractServiceAdjustments/entityInformation")
        .await;
    assert_eq!(info["info"]["canCreate"], json!(true));
    assert_eq!(info["info"]["canQuery"], json!(false));
}

#[tokio::test]
async fn seeded_data_has_every_awkward_case() {
    let world = World::new(42, 14, 320);
    let srv = start_with(&world, Behaviour::default()).await;
    let s = srv.handle.state.lock().unwrap();
    let today = s.time_zone.today();
    let recurring = |company: i64| -> Vec<&Value> {
        s.contracts_of(company)
            .into_iter()
            .filter(|c| c["contractType"] == json!(CONTRACT_RECURRING))
            .collect()
    };
    assert!(s.companies.contains_key(&0));
    assert!(s.companies.values().any(|c| c["isActive"] == json!(false)));
    assert!(s.services.values().any(|v| v["isActive"] == json!(false)));
    let mut equal = 0;
    let mut different = 0;
    for (i, cust) in world.customers.iter().enumerate() {
        let company = s.company_id(&cust.name).unwrap();
        let contracts = recurring(company);
        match cust.quirk {
            Quirk::NoAgreement => assert!(s.contracts_of(company).is_empty()),
            Quirk::TwoAgreements => {
                let active: Vec<_> = contracts
                    .iter()
                    .filter(|c| c["status"] == json!(1))
                    .collect();
                assert_eq!(active.len(), 2);
                let services = |c: &Value| -> HashSet<i64> {
                    s.lines_of(c["id"].as_i64().unwrap())
                        .iter()
                        .map(|l| l["serviceID"].as_i64().unwrap())
                        .collect()
                };
                assert!(!services(active[0]).is_disjoint(&services(active[1])));
            }
            Quirk::DuplicatedLine => {
                let lines = s.lines_of(contracts[0]["id"].as_i64().unwrap());
                let ids: Vec<_> = lines
                    .iter()
                    .map(|l| l["serviceID"].as_i64().unwrap())
                    .collect();
                assert!(ids.len() > ids.iter().collect::<HashSet<_>>().len());
            }
            Quirk::CancelledLine => {
                assert!(contracts
                    .iter()
                    .any(|c| c["status"] == json!(STATUS_INACTIVE)
                        && time::stored_date(&c["endDate"]).unwrap() < today));
            }
            _ => {}
        }
        if i == 1 {
            assert!(s
                .contracts_of(company)
                .iter()
                .any(|c| c["contractType"] == json!(CONTRACT_BLOCK_HOURS)));
        }
        if cust.quirk == Quirk::None {
            let live = contracts[0]["id"].as_i64().unwrap();
            for l in s.lines_of(live) {
                let sid = l["serviceID"].as_i64().unwrap();
                let Some(k) = crate::seed::SERVICES
                    .iter()
                    .position(|x| s.services[&sid]["name"] == json!(format!("Coro {}", x.name)))
                else {
                    continue;
                };
                let units = s.units_on(l["id"].as_i64().unwrap(), today).unwrap();
                if units == i64::from(world.usage(i, k)) {
                    equal += 1;
                } else {
                    different += 1;
                }
            }
        }
    }
    assert!(
        equal > 0 && different > 0,
        "{equal} equal, {different} different"
    );
    // Past periods are approved & posted; the current one is not.
    assert!(s.units.values().any(|u| !u["approveAndPostDate"].is_null()));
    let (_, line) = {
        let company = s.company_id(&world.customers[0].name).unwrap();
        let c = s.contracts_of(company)[0]["id"].as_i64().unwrap();
        (c, s.lines_of(c)[0]["id"].as_i64().unwrap())
    };
    assert!(s.current_row(line, today).unwrap()["approveAndPostDate"].is_null());
}

#[tokio::test]
async fn sandbox_controls_are_not_logged() {
    let srv = start().await;
    srv.get("Companies/0").await;
    let log: Vec<Value> = srv
        .http
        .get(format!("{}/_sandbox/requests", srv.base))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(log.len(), 1);
    assert_eq!(log[0]["path"], json!("/V1.0/Companies/0"));
    assert_eq!(log[0]["headers"]["UserName"], json!(DEMO_USERNAME));
    let r = srv
        .http
        .delete(format!("{}/_sandbox/requests", srv.base))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert!(srv.handle.gate.requests().is_empty());
    srv.http
        .post(format!("{}/_sandbox/faults", srv.base))
        .json(&json!({"next": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(srv.get("Companies/0").await.0, 503);
    assert_eq!(srv.get("Companies/0").await.0, 200);
}

/// Unit queries naming lines are answered from the per-line index: the same rows, in the same
/// order, as filtering every row — also after adjustments have split periods into new rows.
#[tokio::test]
async fn unit_queries_by_line_match_a_full_scan() {
    let world = World::new(42, 14, 320);
    let srv = start_with(&world, Behaviour::default()).await;
    let (contract, line) = srv.first_line(&world);
    let today = srv.today();
    let (status, _) = srv
        .post(
            &format!("Contracts/{contract}/ServiceAdjustments"),
            json!({"contractID": contract, "contractServiceID": line, "unitChange": 2,
                   "effectiveDate": noon(today)}),
        )
        .await;
    assert_eq!(status, 200);
    let lines: Vec<i64> = {
        let s = srv.handle.state.lock().unwrap();
        let mut ids: Vec<i64> = s.contract_services.keys().copied().take(40).collect();
        ids.push(line);
        ids
    };
    let window = json!([
        {"op": "gte", "field": "endDate", "value": time::fmt_date(today - chrono::Duration::days(2))},
        {"op": "lte", "field": "startDate", "value": time::fmt_date(today + chrono::Duration::days(2))},
    ]);
    let mut filter = vec![json!({"op": "in", "field": "ContractServiceID", "value": lines})];
    filter.extend(window.as_array().unwrap().iter().cloned());
    let (status, page) = srv
        .post("ContractServiceUnits/query", json!({"filter": filter}))
        .await;
    assert_eq!(status, 200, "{page}");
    let got: Vec<i64> = page["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_i64().unwrap())
        .collect();
    let want: Vec<i64> = {
        let s = srv.handle.state.lock().unwrap();
        let (lo, hi) = (
            today - chrono::Duration::days(2),
            today + chrono::Duration::days(2),
        );
        s.units
            .values()
            .filter(|u| lines.contains(&u["contractServiceID"].as_i64().unwrap()))
            .filter(|u| {
                time::stored_date(&u["endDate"]).unwrap() >= lo
                    && time::stored_date(&u["startDate"]).unwrap() <= hi
            })
            .map(|u| u["id"].as_i64().unwrap())
            .collect()
    };
    assert!(
        want.len() > 40,
        "the query covers many rows: {}",
        want.len()
    );
    assert_eq!(got, want);
    // The adjusted line's split rows are among them, and today's units moved by 2.
    let s = srv.handle.state.lock().unwrap();
    assert!(s.unit_rows_of(line).count() >= 2);
}
