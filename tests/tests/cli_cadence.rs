//! Billing cadence and noise threshold through the CLI against the sandbox, with the real
//! keychain:
//!
//! - Autotask, monthly: on a day before the connector's billing day a sync writes nothing and
//!   shows every change as skipped with the day it will be written; on the day it writes each
//!   change once, as one adjustment effective on the 1st of the month (the tenant's day the
//!   sandbox stored), so the change counts from the period start; a later sync the same
//!   month writes nothing and names next month's day.
//! - ConnectWise, threshold: a change smaller than the threshold is shown as below threshold and
//!   not written; the others are.

use chrono::Datelike;
use psa_bridge::sandbox::seed::{Quirk, SERVICES};
use psa_bridge_e2e::require_desktop_session;
use psa_bridge_e2e::sandbox_cli::{clear_requests, json_ok, single, truth_lines, writes, Psa};
use psa_bridge_e2e::sync_setup::{all_quantities, Setup};
use serde_json::Value;

fn items(sync: &Value) -> Vec<Value> {
    sync[0]["plan"]["items"]
        .as_array()
        .cloned()
        .unwrap_or_default()
}

fn changing(items: &[Value]) -> Vec<&Value> {
    items
        .iter()
        .filter(|i| matches!(i["action"].as_str(), Some("increase" | "decrease" | "hold")))
        .collect()
}

#[test]
#[ignore = "needs a desktop session: scripts/test.sh"]
fn autotask_monthly_writes_nothing_until_its_day_then_once_from_the_period_start(
) -> anyhow::Result<()> {
    require_desktop_session(
        "autotask_monthly_writes_nothing_until_its_day_then_once_from_the_period_start",
    );
    let s = Setup::new(Psa::Autotask)?;
    let (sb, d, id) = (&s.sb, s.d(), s.id.as_str());
    let today = sb.autotask.state.lock().expect("state").time_zone.today();
    let first = today.with_day(1).expect("the 1st");
    let adjustments = || sb.autotask.state.lock().expect("state").adjustments.len();

    // Daily (the default) would write these.
    let preview = json_ok(d, &["sync", id, "--dry-run", "--json"], None);
    let want = changing(&items(&preview)).len();
    assert!(want > 0, "the seed leaves work for a sync");

    if today.day() < 28 {
        // The billing day is tomorrow: nothing is written, every change is shown deferred.
        let tomorrow = (today.day() + 1).to_string();
        let set = json_ok(
            d,
            &["connector", "billing", id, "--monthly", &tomorrow, "--json"],
            None,
        );
        assert_eq!(set["monthly_day"], today.day() + 1, "{set}");
        clear_requests(sb);
        let early = json_ok(d, &["sync", id, "--approve-held", "--json"], None);
        assert!(
            writes(sb, Psa::Autotask).is_empty(),
            "nothing before its day"
        );
        assert_eq!(adjustments(), 0);
        let deferred: Vec<Value> = items(&early)
            .into_iter()
            .filter(|i| i["flag"] == "deferred")
            .collect();
        assert_eq!(deferred.len(), want, "{early}");
        let next = today.with_day(today.day() + 1).expect("tomorrow");
        for i in &deferred {
            assert_eq!(i["action"], "skip", "{i}");
            let r = i["reason"].as_str().unwrap_or_default();
            assert!(
                r.contains(&format!("is written on {next}, effective {first}")),
                "{r}"
            );
        }
    }

    // Its day: each change written once, effective on the 1st.
    json_ok(
        d,
        &[
            "connector",
            "billing",
            id,
            "--monthly",
            &today.day().to_string(),
            "--json",
        ],
        None,
    );
    let plan = json_ok(d, &["sync", id, "--dry-run", "--json"], None);
    let targets: Vec<(i64, i64, i64)> = changing(&items(&plan))
        .iter()
        .filter_map(|i| {
            let line: i64 = i["line_ref"].as_str()?.rsplit(' ').next()?.parse().ok()?;
            Some((line, i["before"].as_i64()?, i["after"].as_i64()?))
        })
        .collect();
    // The units of the period-start day before the write (a line may have been split mid-month).
    let on_first: Vec<Option<i64>> = {
        let st = sb.autotask.state.lock().expect("state");
        targets.iter().map(|t| st.units_on(t.0, first)).collect()
    };
    assert_eq!(targets.len(), want, "{plan}");
    clear_requests(sb);
    let on_day = json_ok(d, &["sync", id, "--approve-held", "--json"], None);
    assert_eq!(on_day[0]["summary"]["status"], "succeeded", "{on_day}");
    {
        let st = sb.autotask.state.lock().expect("state");
        assert_eq!(st.adjustments.len(), want, "one adjustment per change");
        for a in &st.adjustments {
            assert_eq!(
                a.effective_local_date, first,
                "effective at the period start: {a:?}"
            );
        }
        for ((line, before, after), was) in targets.iter().zip(&on_first) {
            assert_eq!(st.units_on(*line, today), Some(*after), "line {line} today");
            // The change counts from the 1st: the period-start day moved by the same delta.
            assert_eq!(
                st.units_on(*line, first),
                was.map(|w| w + after - before),
                "line {line} from the 1st"
            );
        }
    }

    // Coro moves again this month: shown, not written until next month.
    let truth = truth_lines(sb, Psa::Autotask);
    let (&(c, svc), line) = truth
        .iter()
        .find_map(|(k, lines)| {
            let l = single(lines)?;
            (sb.world.customers[k.0].quirk == Quirk::None && l.quantity > 0).then_some((k, l))
        })
        .expect("a billed line");
    let ws = &sb.world.customers[c].workspace_id;
    sb.coro
        .set_usage(ws, SERVICES[svc].key, u32::try_from(line.quantity + 3)?)
        .map_err(anyhow::Error::msg)?;
    let before = all_quantities(sb, Psa::Autotask);
    clear_requests(sb);
    let later = json_ok(d, &["sync", id, "--approve-held", "--json"], None);
    assert!(writes(sb, Psa::Autotask).is_empty(), "written once a month");
    assert_eq!(all_quantities(sb, Psa::Autotask), before);
    let moved = items(&later)
        .into_iter()
        .find(|i| i["workspace_id"] == ws.as_str() && i["service_key"] == SERVICES[svc].key)
        .expect("the moved pair");
    assert_eq!(moved["flag"], "deferred", "{moved}");
    Ok(())
}

#[test]
#[ignore = "needs a desktop session: scripts/test.sh"]
fn connectwise_threshold_shows_small_changes_and_writes_only_the_rest() -> anyhow::Result<()> {
    require_desktop_session("connectwise_threshold_shows_small_changes_and_writes_only_the_rest");
    let s = Setup::new(Psa::Connectwise)?;
    let (sb, d, id) = (&s.sb, s.d(), s.id.as_str());
    // One pair moves by one unit (noise under a 2-unit threshold).
    let truth = truth_lines(sb, Psa::Connectwise);
    let (&(c, svc), line) = truth
        .iter()
        .find_map(|(k, lines)| {
            let l = single(lines)?;
            (sb.world.customers[k.0].quirk == Quirk::None && l.quantity >= 2).then_some((k, l))
        })
        .expect("a billed line");
    let ws = sb.world.customers[c].workspace_id.clone();
    sb.coro
        .set_usage(&ws, SERVICES[svc].key, u32::try_from(line.quantity + 1)?)
        .map_err(anyhow::Error::msg)?;
    let set = json_ok(
        d,
        &[
            "connector",
            "billing",
            id,
            "--threshold-units",
            "2",
            "--json",
        ],
        None,
    );
    assert_eq!(
        set["threshold"],
        serde_json::json!({"kind": "units", "value": 2})
    );

    let preview = json_ok(d, &["sync", id, "--dry-run", "--json"], None);
    let all = items(&preview);
    let below: Vec<&Value> = all
        .iter()
        .filter(|i| i["flag"] == "below_threshold")
        .collect();
    assert!(!below.is_empty(), "{preview}");
    for i in &below {
        let (b, a) = (
            i["before"].as_i64().unwrap_or(0),
            i["after"].as_i64().unwrap_or(0),
        );
        assert_eq!((a - b).abs(), 1, "{i}");
        assert_eq!(i["action"], "skip", "{i}");
        assert!(
            i["reason"]
                .as_str()
                .unwrap_or_default()
                .starts_with("Below threshold"),
            "{i}"
        );
    }
    assert!(
        below
            .iter()
            .any(|i| i["workspace_id"] == ws.as_str() && i["service_key"] == SERVICES[svc].key),
        "the one-unit move is below the threshold"
    );
    let written: Vec<&Value> = changing(&all);
    assert!(written.iter().all(|i| {
        (i["after"].as_i64().unwrap_or(0) - i["before"].as_i64().unwrap_or(0)).abs() >= 2
            || i["before"] == 0
            || i["after"] == 0
    }));

    clear_requests(sb);
    let before = all_quantities(sb, Psa::Connectwise);
    let done = json_ok(d, &["sync", id, "--approve-held", "--json"], None);
    assert_eq!(done[0]["summary"]["status"], "succeeded", "{done}");
    assert_eq!(writes(sb, Psa::Connectwise).len(), written.len());
    let after = all_quantities(sb, Psa::Connectwise);
    assert_eq!(after[&line.id], before[&line.id], "noise is not written");
    Ok(())
}
