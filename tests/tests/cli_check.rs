//! `psa-bridge check` against both PSAs' sandboxes, with the real keychain: every workspace and
//! service mapped. Each pre-flight case the demo world carries is reported for its customer
//! (and nothing else is), the command exits 3; a company made inactive through the sandbox's
//! control appears; then each case is fixed through the sandbox's controls (as an operator would
//! in the PSA, or Coro usage ending) and its problem disappears. The checks never write.

use std::collections::BTreeSet;

use psa_bridge::sandbox::seed::{Quirk, SERVICES};
use psa_bridge_e2e::sandbox_cli::{
    clear_requests, company_id, customer_with, expected, stderr, stdout, writes, Psa,
};
use psa_bridge_e2e::sync_setup::Setup;
use psa_bridge_e2e::{cli, require_desktop_session};
use serde_json::{json, Value};

/// `POST {url}/_sandbox/{control}` with `body`; panics unless it succeeded.
fn control(s: &Setup, url: &str, control: &str, body: Value) {
    let resp = s.rt.block_on(async {
        reqwest::Client::new()
            .post(format!("{url}/_sandbox/{control}"))
            .json(&body)
            .send()
            .await
    });
    match resp {
        Ok(r) if r.status().is_success() => {}
        Ok(r) => panic!("{control} {body}: {}", r.status()),
        Err(e) => panic!("{control} {body}: {e}"),
    }
}

/// (customer index, kind, service key) of every problem `check --json` reports, and its exit code.
fn check(s: &Setup) -> (Option<i32>, BTreeSet<(usize, String, String)>) {
    let o = cli(s.d(), &["check", &s.id, "--json"], None);
    let v: Value = serde_json::from_str(&stdout(&o))
        .unwrap_or_else(|e| panic!("{e}: {} / {}", stdout(&o), stderr(&o)));
    let mut out = BTreeSet::new();
    for p in v[0]["problems"].as_array().expect("problems") {
        let ws = p["workspace_id"].as_str().unwrap_or_default();
        let c =
            s.sb.world
                .customers
                .iter()
                .position(|c| c.workspace_id == ws)
                .unwrap_or(usize::MAX);
        assert!(!p["reason"].as_str().unwrap_or_default().is_empty(), "{p}");
        out.insert((
            c,
            p["kind"].as_str().unwrap_or_default().to_string(),
            p["service_key"].as_str().unwrap_or("").to_string(),
        ));
    }
    (o.status.code(), out)
}

fn p(c: usize, kind: &str, service: &str) -> (usize, String, String) {
    (c, kind.to_string(), service.to_string())
}

/// The services Coro counts for customer `c` (the mapped ones: every service is mapped).
fn used(s: &Setup, c: usize) -> Vec<usize> {
    (0..SERVICES.len())
        .filter(|&svc| expected(&s.sb.world, c, svc) > 0)
        .collect()
}

/// What the demo world is built to show, whichever PSA: customer 6's agreement / contract ends
/// in 20 days; two candidate lines for every service of the two-agreements customer and for
/// the first service of the duplicated-line customer; no line for what the no-agreement
/// customer uses; and `closed` customers whose closed agreement / contract holds products.
fn demo_cases(s: &Setup, closed: &[usize]) -> BTreeSet<(usize, String, String)> {
    let w = &s.sb.world;
    let mut want = BTreeSet::from([p(6, "ends_soon", "")]);
    for &c in closed {
        want.insert(p(c, "closed_holds_product", ""));
    }
    let two = customer_with(w, Quirk::TwoAgreements);
    for svc in (0..SERVICES.len()).filter(|&svc| w.subscribes(two, svc)) {
        want.insert(p(two, "several_lines", SERVICES[svc].key));
    }
    let dup = customer_with(w, Quirk::DuplicatedLine);
    let first = (0..SERVICES.len()).find(|&svc| w.subscribes(dup, svc));
    want.insert(p(
        dup,
        "several_lines",
        SERVICES[first.expect("a service")].key,
    ));
    let none = customer_with(w, Quirk::NoAgreement);
    for svc in used(s, none) {
        want.insert(p(none, "no_line", SERVICES[svc].key));
    }
    want
}

/// Usage of every service of the no-agreement customer set to 0 in Coro: nothing left to bill.
fn end_usage(s: &Setup) {
    let none = customer_with(&s.sb.world, Quirk::NoAgreement);
    let ws = s.sb.world.customers[none].workspace_id.clone();
    for svc in used(s, none) {
        control(
            s,
            &s.sb.info.coro.url,
            "usage",
            json!({"workspaceId": ws, "service": SERVICES[svc].key, "count": 0}),
        );
    }
}

fn in_a_year() -> String {
    (chrono::Utc::now() + chrono::Duration::days(400))
        .format("%Y-%m-%d")
        .to_string()
}

#[test]
#[ignore = "needs a desktop session: scripts/test.sh"]
fn connectwise_checks_appear_and_clear() -> anyhow::Result<()> {
    require_desktop_session("connectwise_checks_appear_and_clear");
    let psa = Psa::Connectwise;
    let s = Setup::new(psa)?;
    let url = s.sb.info.connectwise.url.clone();
    let (code, got) = check(&s);
    // Customer 4's expired agreement and customer 7's cancelled one still hold products.
    assert_eq!(got, demo_cases(&s, &[4, 7]));
    assert_eq!(code, Some(3));

    let agreements = |c: usize| -> Vec<(i64, String)> {
        let company = company_id(&s.sb, psa, &s.sb.world.customers[c].name).expect("company");
        let st = s.sb.connectwise.state.lock().expect("state");
        st.agreements
            .iter()
            .filter(|a| a["company"]["id"] == company)
            .map(|a| {
                (
                    a["id"].as_i64().unwrap_or_default(),
                    a["agreementStatus"].to_string(),
                )
            })
            .collect()
    };
    // An inactive company appears.
    let company8 = company_id(&s.sb, psa, &s.sb.world.customers[8].name).expect("company");
    control(
        &s,
        &url,
        "company-status",
        json!({"id": company8, "active": false}),
    );
    clear_requests(&s.sb);
    let (_, got) = check(&s);
    assert!(got.contains(&p(8, "company_inactive", "")), "{got:?}");
    assert!(writes(&s.sb, psa).is_empty(), "the checks wrote to the PSA");

    // Fixes: the company active again, customer 6's agreement renewed, the closed agreements'
    // lines ended, the second agreement of the two-agreements customer cancelled with its
    // lines, and Coro usage of the no-agreement customer ended.
    control(
        &s,
        &url,
        "company-status",
        json!({"id": company8, "active": true}),
    );
    let today = chrono::Utc::now().format("%Y-%m-%d").to_string();
    let main6 = agreements(6)[0].0;
    control(
        &s,
        &url,
        "agreement",
        json!({"id": main6, "endDate": in_a_year()}),
    );
    for c in [4, 7] {
        for (id, status) in agreements(c) {
            if !status.contains("Active") {
                control(
                    &s,
                    &url,
                    "agreement",
                    json!({"id": id, "endAdditions": today}),
                );
            }
        }
    }
    let two = customer_with(&s.sb.world, Quirk::TwoAgreements);
    let second = agreements(two)
        .last()
        .map(|a| a.0)
        .expect("second agreement");
    control(
        &s,
        &url,
        "agreement",
        json!({"id": second, "status": "Cancelled", "endAdditions": today}),
    );
    end_usage(&s);
    let (code, got) = check(&s);
    // Left: the duplicated line, which no control here removes.
    let dup = customer_with(&s.sb.world, Quirk::DuplicatedLine);
    assert_eq!(
        got.iter().map(|x| x.0).collect::<BTreeSet<_>>(),
        BTreeSet::from([dup]),
        "{got:?}"
    );
    assert_eq!(code, Some(3));
    Ok(())
}

#[test]
#[ignore = "needs a desktop session: scripts/test.sh"]
fn autotask_checks_appear_and_clear() -> anyhow::Result<()> {
    require_desktop_session("autotask_checks_appear_and_clear");
    let psa = Psa::Autotask;
    let s = Setup::new(psa)?;
    let url = s.sb.info.autotask.url.clone();
    let cancelled = customer_with(&s.sb.world, Quirk::CancelledLine);
    let (code, got) = check(&s);
    // The cancelled-line customer's inactive previous-term contract still holds its services.
    assert_eq!(got, demo_cases(&s, &[cancelled]));
    assert_eq!(code, Some(3));

    let contracts = |c: usize| -> Vec<(i64, i64)> {
        let company = company_id(&s.sb, psa, &s.sb.world.customers[c].name).expect("company");
        let st = s.sb.autotask.state.lock().expect("state");
        st.contracts_of(company)
            .into_iter()
            .filter(|k| k["contractType"].as_i64() == Some(7))
            .map(|k| {
                (
                    k["id"].as_i64().unwrap_or_default(),
                    k["status"].as_i64().unwrap_or(1),
                )
            })
            .collect()
    };
    let company8 = company_id(&s.sb, psa, &s.sb.world.customers[8].name).expect("company");
    control(
        &s,
        &url,
        "company-status",
        json!({"id": company8, "active": false}),
    );
    clear_requests(&s.sb);
    let (_, got) = check(&s);
    assert!(got.contains(&p(8, "company_inactive", "")), "{got:?}");
    assert!(writes(&s.sb, psa).is_empty(), "the checks wrote to the PSA");

    control(
        &s,
        &url,
        "company-status",
        json!({"id": company8, "active": true}),
    );
    // Customer 6's contract past its end date while still active: "ended" instead of "ends
    // soon" (two days back: inside the read's slack whichever side of midnight New York is).
    let live6 = contracts(6)[0].0;
    let ended = (chrono::Utc::now() - chrono::Duration::days(2))
        .format("%Y-%m-%d")
        .to_string();
    control(&s, &url, "contract", json!({"id": live6, "endDate": ended}));
    let (_, got) = check(&s);
    assert!(got.contains(&p(6, "ended", "")), "{got:?}");
    assert!(!got.contains(&p(6, "ends_soon", "")), "{got:?}");
    control(
        &s,
        &url,
        "contract",
        json!({"id": live6, "endDate": in_a_year()}),
    );
    for (id, status) in contracts(cancelled) {
        if status == 0 {
            control(
                &s,
                &url,
                "contract",
                json!({"id": id, "removeServices": true}),
            );
        }
    }
    let two = customer_with(&s.sb.world, Quirk::TwoAgreements);
    let second = contracts(two)
        .iter()
        .map(|c| c.0)
        .max()
        .expect("second contract");
    control(
        &s,
        &url,
        "contract",
        json!({"id": second, "removeServices": true}),
    );
    end_usage(&s);
    let (code, got) = check(&s);
    let dup = customer_with(&s.sb.world, Quirk::DuplicatedLine);
    assert_eq!(
        got.iter().map(|x| x.0).collect::<BTreeSet<_>>(),
        BTreeSet::from([dup]),
        "{got:?}"
    );
    assert_eq!(code, Some(3));
    Ok(())
}
