//! Issue 13, "bill what Coro bills", through the CLI against the sandbox with the real keychain:
//!
//! - a usage answer in an unexpected shape skips that workspace only, never billed from a
//!   fallback total;
//! - unknown Coro keys show as new with their counts and are never written until mapped;
//! - a `max` mapping bills the larger of protected users and devices;
//! - a mapped bundle syncs its quantity, and a bundle billed beside a module it includes holds
//!   both lines.

use std::path::Path;

use psa_bridge::coro::shape::UNEXPECTED_USAGE_SHAPE;
use psa_bridge::sandbox::seed::{Quirk, SERVICES};
use psa_bridge_e2e::sandbox_cli::{json_ok, parse, single, truth_lines, Psa};
use psa_bridge_e2e::sync_setup::{all_quantities, Setup};
use psa_bridge_e2e::{cli, require_desktop_session};
use serde_json::{json, Value};

/// The plan items of the first connector in `sync --json` output.
fn items(out: &Value) -> Vec<Value> {
    out[0]["plan"]["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn sync(d: &Path, id: &str, extra: &[&str]) -> (Option<i32>, Value) {
    let mut args = vec!["sync", id, "--json"];
    args.extend_from_slice(extra);
    let o = cli(d, &args, None);
    (o.status.code(), parse(&o, &args))
}

/// `POST {url}/_sandbox/{control}` with `body`; panics unless it succeeded.
pub fn control(s: &Setup, url: &str, control: &str, body: Value) {
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

#[test]
#[ignore = "needs a desktop session: scripts/test.sh"]
fn a_malformed_usage_answer_skips_only_that_workspace() -> anyhow::Result<()> {
    require_desktop_session("a_malformed_usage_answer_skips_only_that_workspace");
    let psa = Psa::Connectwise;
    let s = Setup::new(psa)?;
    let (sb, d, id) = (&s.sb, s.d(), s.id.as_str());
    let truth = truth_lines(sb, psa);
    // A plain customer with at least one line the sync would change.
    let w = &sb.world;
    let target = (0..w.customers.len())
        .find(|&c| {
            w.customers[c].quirk == Quirk::None
                && (0..SERVICES.len()).any(|s| {
                    single(&truth[&(c, s)]).is_some_and(|l| {
                        l.quantity != psa_bridge_e2e::sandbox_cli::expected(w, c, s)
                    })
                })
        })
        .expect("a plain customer needing a change");
    let ws = w.customers[target].workspace_id.clone();
    control(
        &s,
        &sb.info.coro.url,
        "usage-shape",
        json!({"workspaceId": ws, "shape": "malformed"}),
    );

    let (_, plan) = sync(d, id, &["--dry-run"]);
    let all = items(&plan);
    let mine: Vec<&Value> = all
        .iter()
        .filter(|i| i["workspace_id"] == ws.as_str() && i["service_key"] != "")
        .collect();
    assert_eq!(mine.len(), SERVICES.len(), "{mine:?}");
    for i in &mine {
        assert_eq!(i["action"], "skip", "{i}");
        assert_eq!(i["flag"], "read_failed", "{i}");
        let reason = i["reason"].as_str().unwrap_or_default();
        assert!(reason.contains(UNEXPECTED_USAGE_SHAPE), "{i}");
        assert!(
            i["after"].is_null(),
            "no count was taken from a fallback: {i}"
        );
    }
    // Every other workspace is planned as usual: none failed its read.
    let others_failed = all
        .iter()
        .filter(|i| i["workspace_id"] != ws.as_str() && i["flag"] == "read_failed")
        .count();
    assert_eq!(others_failed, 0, "{}", plan[0]["summary"]);
    assert!(
        all.iter().any(|i| i["workspace_id"] != ws.as_str()
            && (i["action"] == "increase" || i["action"] == "decrease")),
        "the others still have work: {}",
        plan[0]["summary"]
    );

    let before = all_quantities(sb, psa);
    let (code, run) = sync(d, id, &["--approve-held"]);
    assert_eq!(
        code,
        Some(1),
        "a run with a skipped workspace ends partial: {}",
        run[0]["summary"]
    );
    let after = all_quantities(sb, psa);
    let lines_of_target: Vec<i64> = (0..SERVICES.len())
        .flat_map(|s| truth[&(target, s)].iter().map(|l| l.id))
        .collect();
    for line in &lines_of_target {
        assert_eq!(before.get(line), after.get(line), "line {line} of {ws}");
    }
    let changed = before
        .iter()
        .filter(|(k, v)| after.get(k) != Some(v))
        .count();
    assert!(changed > 0, "the other workspaces were synced");
    let summary = json_ok(d, &["runs", "--connector", id, "--json"], None);
    assert_eq!(summary[0]["status"], "partial", "{summary}");
    Ok(())
}

#[test]
#[ignore = "needs a desktop session: scripts/test.sh"]
fn an_unknown_key_shows_as_new_with_its_counts_and_is_not_written() -> anyhow::Result<()> {
    require_desktop_session("an_unknown_key_shows_as_new_with_its_counts_and_is_not_written");
    let psa = Psa::Connectwise;
    let s = Setup::new(psa)?;
    let (sb, d, id) = (&s.sb, s.d(), s.id.as_str());
    let key = psa_bridge::sandbox::coro::UNKNOWN_SERVICE_KEY;
    // What Coro bills for the new key in the billable workspaces, straight from the sandbox.
    let (mut workspaces, mut count) = (0u64, 0u64);
    {
        let st = sb.coro.state.lock().expect("coro state");
        for c in sb
            .world
            .customers
            .iter()
            .filter(|c| c.quirk != Quirk::Archived)
        {
            let ws = st.workspace(&c.workspace_id).expect("workspace");
            if let Some(svc) = ws.services.get(key).filter(|s| s.enabled) {
                workspaces += 1;
                count += u64::from(svc.quantity());
            }
        }
    }
    assert!(workspaces > 0, "the sandbox bills the new key somewhere");

    for args in [
        vec!["services", "--json"],
        vec!["services", "--connector", id, "--json"],
    ] {
        let rows = json_ok(d, &args, None);
        let row = rows
            .as_array()
            .and_then(|r| {
                r.iter()
                    .find(|r| r["key"] == key || r["service_key"] == key)
            })
            .unwrap_or_else(|| panic!("{args:?} lists no {key}: {rows}"));
        assert_eq!(row["known"], false, "{row}");
        assert_eq!(row["in_use"]["workspaces"], workspaces, "{row}");
        assert_eq!(row["in_use"]["count"], count, "{row}");
        assert!(row["product"].is_null(), "{row}");
    }
    let o = cli(d, &["services", "--connector", id], None);
    let table = psa_bridge_e2e::sandbox_cli::stdout(&o);
    let line = table
        .lines()
        .find(|l| l.starts_with(key))
        .unwrap_or_default();
    assert!(line.contains("(new)"), "{table}");
    assert!(
        line.contains(&format!("{count} in {workspaces} workspaces")),
        "{table}"
    );
    assert!(line.contains("not billed"), "{table}");

    let (_, run) = sync(d, id, &["--approve-held"]);
    let all = items(&run);
    let unknown: Vec<&Value> = all.iter().filter(|i| i["service_key"] == key).collect();
    assert_eq!(unknown.len() as u64, workspaces, "one hint per workspace");
    for i in &unknown {
        assert_eq!(i["action"], "skip", "{i}");
        assert!(i["product_id"].is_null(), "{i}");
        assert!(i["after"].as_i64().is_some_and(|n| n > 0), "{i}");
        let reason = i["reason"].as_str().unwrap_or_default();
        assert!(reason.contains("not mapped"), "{i}");
    }
    // Every write of the run was for a mapped key.
    let mapped: Vec<&str> = SERVICES.iter().map(|s| s.key).collect();
    let writes = all.iter().filter(|i| {
        i["action"] == "increase" || i["action"] == "decrease" || i["action"] == "hold"
    });
    for i in writes {
        let k = i["service_key"].as_str().unwrap_or_default();
        assert!(mapped.contains(&k), "{i}");
    }
    let written = psa_bridge_e2e::sandbox_cli::writes(sb, psa).len();
    assert!(written > 0, "the mapped keys were synced");
    Ok(())
}

#[test]
#[ignore = "needs a desktop session: scripts/test.sh"]
fn a_max_unit_mapping_bills_the_larger_of_users_and_devices() -> anyhow::Result<()> {
    require_desktop_session("a_max_unit_mapping_bills_the_larger_of_users_and_devices");
    let psa = Psa::Connectwise;
    let s = Setup::new(psa)?;
    let (sb, d, id) = (&s.sb, s.d(), s.id.as_str());
    let key = "edr";
    let si = SERVICES.iter().position(|s| s.key == key).expect("edr");
    let rows = json_ok(d, &["services", "--connector", id, "--json"], None);
    let product = rows
        .as_array()
        .and_then(|r| r.iter().find(|r| r["service_key"] == key))
        .and_then(|r| r["product"]["id"].as_i64())
        .expect("edr is mapped");
    let row = json_ok(
        d,
        &[
            "map",
            "service",
            id,
            key,
            &product.to_string(),
            "--unit",
            "max",
            "--json",
        ],
        None,
    );
    assert_eq!(row["unit"], "max", "{row}");
    // What max(users, devices) is per customer, straight from the sandbox; and at least one
    // customer where it is the users (so device billing would be wrong).
    let want: Vec<Option<(u64, u64)>> = {
        let st = sb.coro.state.lock().expect("coro state");
        sb.world
            .customers
            .iter()
            .map(|c| {
                let ws = st.workspace(&c.workspace_id)?;
                let svc = ws.services.get(key).filter(|s| s.enabled)?;
                Some((
                    u64::from(svc.protected_users),
                    u64::from(svc.protected_devices),
                ))
            })
            .collect()
    };
    // Make one customer's users outnumber its devices, so `max` differs from the default unit.
    let c0 = (0..sb.world.customers.len())
        .find(|&c| sb.world.customers[c].quirk == Quirk::None && want[c].is_some())
        .expect("a plain customer with edr");
    let (_, devices) = want[c0].unwrap_or_default();
    {
        let mut st = sb.coro.state.lock().expect("coro state");
        let ws = &sb.world.customers[c0].workspace_id;
        let w = st.workspaces.iter_mut().find(|w| &w.id == ws).expect("ws");
        if let Some(svc) = w.services.get_mut(key) {
            svc.protected_users = u32::try_from(devices + 7).unwrap_or(u32::MAX);
        }
    }
    let mut want = want;
    want[c0] = Some((devices + 7, devices));

    let (_, run) = sync(d, id, &["--approve-held"]);
    let all = items(&run);
    let truth = truth_lines(sb, psa);
    let now = all_quantities(sb, psa);
    let mut checked = 0;
    for (c, cust) in sb.world.customers.iter().enumerate() {
        if cust.quirk == Quirk::Archived {
            continue;
        }
        let Some(line) = single(&truth[&(c, si)]) else {
            continue;
        };
        let i = all
            .iter()
            .find(|i| i["workspace_id"] == cust.workspace_id.as_str() && i["service_key"] == key)
            .expect("an item");
        let expect = want[c].map_or(0, |(u, dv)| u.max(dv)) as i64;
        assert_eq!(i["after"], expect, "{i}");
        assert_eq!(now.get(&line.id), Some(&expect), "{} {i}", cust.name);
        if let Some((u, dv)) = want[c] {
            let reason = i["reason"].as_str().unwrap_or_default();
            if i["action"] != "hold" && i["flag"].is_null() {
                let used = if dv >= u { "devices" } else { "users" };
                assert!(reason.contains(&format!("Billed on {used}")), "{i}");
                assert!(
                    reason.contains(&format!("{u} protected users and {dv} protected devices")),
                    "{i}"
                );
            }
        }
        checked += 1;
    }
    assert!(checked >= 5, "only {checked} customers checked");
    let c0_item = all
        .iter()
        .find(|i| {
            i["workspace_id"] == sb.world.customers[c0].workspace_id.as_str()
                && i["service_key"] == key
        })
        .expect("c0");
    assert_eq!(
        c0_item["after"],
        (devices + 7) as i64,
        "users counted: {c0_item}"
    );
    Ok(())
}
