//! `psa-bridge report` against the ConnectWise sandbox, with the real keychain. Every workspace
//! and service is mapped, then the all-services customer (0) is unmapped, so the demo world has
//! every section: differences, an unbilled customer, orphan lines (its company, and the former
//! Coro customers the tenant still bills), and skipped lines (two agreements, a duplicated line,
//! no agreement, services a customer does not subscribe to).
//!
//! Every expectation is computed from the sandbox's own state (the world's usage, the additions
//! as stored with their prices), never from the report code. The CSV must hold the JSON's rows;
//! `--last` must show the same report with its age, without a request to the PSA; and the
//! report must write nothing to the PSA.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use psa_bridge::sandbox::coro::UNKNOWN_SERVICE_KEY;
use psa_bridge::sandbox::seed::{Quirk, SERVICES};
use psa_bridge_e2e::sandbox_cli::{
    clear_requests, expected, json_ok, product_ids, requests, single, stderr, stdout, truth_lines,
    writes, Psa,
};
use psa_bridge_e2e::sync_setup::Setup;
use psa_bridge_e2e::{cli, require_desktop_session};
use serde_json::Value;

/// The price of a ConnectWise addition as the sandbox stores it, in cents.
fn price_cents(sb: &psa_bridge::sandbox::Sandbox, addition: i64) -> i64 {
    let st = sb.connectwise.state.lock().expect("state");
    let a = st
        .additions
        .iter()
        .find(|a| a["id"] == addition)
        .unwrap_or_else(|| panic!("addition {addition}"));
    (a["unitPrice"].as_f64().expect("unitPrice") * 100.0).round() as i64
}

#[test]
#[ignore = "needs a desktop session: scripts/test.sh"]
fn connectwise_report_matches_the_sandbox() -> anyhow::Result<()> {
    require_desktop_session("connectwise_report_matches_the_sandbox");
    let psa = Psa::Connectwise;
    let s = Setup::new(psa)?;
    let sb = &s.sb;
    let world = &sb.world;
    let unmapped = &world.customers[0];
    json_ok(
        s.d(),
        &[
            "unmap",
            "workspace",
            &s.id,
            &unmapped.workspace_id,
            "--json",
        ],
        None,
    );
    clear_requests(sb);

    let o = cli(s.d(), &["report", &s.id, "--json"], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(stderr(&o).contains("reading Coro usage"), "{}", stderr(&o));
    let reports: Value = serde_json::from_str(&stdout(&o))?;
    let r = &reports[0];
    assert!(writes(sb, psa).is_empty(), "the report wrote to the PSA");
    assert!(r["age_seconds"].is_null());

    // Per company × service: Coro's count, the one line's quantity and price, and its value.
    let truth = truth_lines(sb, psa);
    let rows = r["rows"].as_array().expect("rows");
    let mut want_rows = BTreeSet::new();
    let (mut under, mut over) = (0i64, 0i64);
    for ((c, svc), lines) in &truth {
        if *c == 0 {
            continue;
        }
        let Some(line) = single(lines) else { continue };
        let cust = &world.customers[*c];
        let coro = if cust.quirk == Quirk::Archived {
            0
        } else {
            expected(world, *c, *svc)
        };
        let diff = coro - line.quantity;
        let value = diff * price_cents(sb, line.id);
        if diff > 0 {
            under += value;
        } else {
            over -= value;
        }
        want_rows.insert((
            cust.workspace_id.clone(),
            SERVICES[*svc].key.to_string(),
            coro,
            line.quantity,
            value,
        ));
    }
    let got_rows: BTreeSet<_> = rows
        .iter()
        .map(|x| {
            (
                x["workspace_id"].as_str().unwrap_or_default().to_string(),
                x["service_key"].as_str().unwrap_or_default().to_string(),
                x["coro_count"].as_i64().unwrap_or(-1),
                x["psa_quantity"].as_i64().unwrap_or(-1),
                x["monthly_value_cents"].as_i64().unwrap_or(i64::MIN),
            )
        })
        .collect();
    assert_eq!(got_rows, want_rows);
    assert!(!want_rows.is_empty());
    assert_eq!(r["totals"]["under_billed_cents"], under);
    assert_eq!(r["totals"]["over_billed_cents"], over);
    assert!(under > 0 && over > 0, "under {under}, over {over}");

    // Unbilled: customer 0, with every service it uses, at Coro's count.
    let unbilled = r["unbilled"].as_array().expect("unbilled");
    assert_eq!(unbilled.len(), 1, "{unbilled:?}");
    assert_eq!(unbilled[0]["workspace_id"], unmapped.workspace_id.as_str());
    let got: BTreeMap<String, i64> = unbilled[0]["counts"]
        .as_array()
        .expect("counts")
        .iter()
        .map(|c| {
            (
                c["service_key"].as_str().unwrap_or_default().to_string(),
                c["count"].as_i64().unwrap_or(-1),
            )
        })
        .collect();
    let mut want: BTreeMap<String, i64> = (0..SERVICES.len())
        .map(|svc| (SERVICES[svc].key.to_string(), expected(world, 0, svc)))
        .filter(|(_, n)| *n > 0)
        .collect();
    // The sandbox's Coro also reports a service the app does not know on every third customer
    // (customer 0 included), counted in users: half of the customer's users, at least 1.
    want.insert(
        UNKNOWN_SERVICE_KEY.to_string(),
        i64::from((unmapped.users / 2).max(1)),
    );
    // Customer 0 also has the Coro Complete bundle, a billable source of its own: Coro bills it
    // on protected users (coro.md §3).
    assert_eq!(
        psa_bridge::sandbox::coro::demo_bundles(0),
        vec!["coroComplete".to_string()]
    );
    want.insert("bundle:coroComplete".to_string(), i64::from(unmapped.users));
    assert_eq!(got, want);

    // Orphans: every billing line of a mapped product on a company no workspace maps to.
    let products: HashSet<i64> = product_ids(sb, psa).into_iter().collect();
    let mapped: HashSet<i64> = {
        let st = sb.connectwise.state.lock().expect("state");
        world.customers[1..]
            .iter()
            .filter_map(|c| st.company_id(&c.name))
            .collect()
    };
    let want_orphans: BTreeSet<(i64, i64)> = {
        let st = sb.connectwise.state.lock().expect("state");
        st.snapshot(None)
            .iter()
            .filter(|a| !mapped.contains(&a.company_id))
            .flat_map(|a| a.additions.iter())
            .filter(|x| x.active && products.contains(&x.product_id) && x.quantity.round() > 0.0)
            .map(|x| (x.id, x.quantity.round() as i64))
            .collect()
    };
    let got_orphans: BTreeSet<(i64, i64)> = r["orphans"]
        .as_array()
        .expect("orphans")
        .iter()
        .map(|o| {
            let line_ref = o["line_ref"].as_str().unwrap_or_default();
            let id = line_ref
                .rsplit(' ')
                .next()
                .and_then(|n| n.parse().ok())
                .unwrap_or(-1);
            (id, o["quantity"].as_i64().unwrap_or(-1))
        })
        .collect();
    assert_eq!(got_orphans, want_orphans);
    assert!(want_orphans.len() > SERVICES.len() / 2, "{want_orphans:?}");

    // Skipped, by reason: no line, several lines.
    let groups = r["skipped"].as_array().expect("skipped");
    let group = |kind: &str| -> BTreeSet<(String, String)> {
        groups
            .iter()
            .filter(|g| g["kind"] == kind)
            .flat_map(|g| g["lines"].as_array().cloned().unwrap_or_default())
            .map(|l| {
                (
                    l["workspace_id"].as_str().unwrap_or_default().to_string(),
                    l["service_key"].as_str().unwrap_or_default().to_string(),
                )
            })
            .collect()
    };
    let want_of = |n: fn(usize) -> bool| -> BTreeSet<(String, String)> {
        truth
            .iter()
            .filter(|((c, _), lines)| {
                *c != 0 && world.customers[*c].quirk != Quirk::Archived && n(lines.len())
            })
            .map(|((c, svc), _)| {
                (
                    world.customers[*c].workspace_id.clone(),
                    SERVICES[*svc].key.to_string(),
                )
            })
            .collect()
    };
    assert_eq!(group("no_line"), want_of(|n| n == 0));
    assert_eq!(group("several_lines"), want_of(|n| n > 1));
    assert!(!group("several_lines").is_empty());
    for g in groups {
        assert!(g["fix_text"].as_str().is_some_and(|t| !t.is_empty()), "{g}");
    }

    // The CSV holds the same rows, one per entry of each section.
    let o = cli(s.d(), &["report", &s.id, "--csv", "--last"], None);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let text = stdout(&o);
    let mut rd = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let recs: Vec<csv::StringRecord> = rd.records().collect::<Result<_, _>>()?;
    let section = |name: &str| recs.iter().filter(|x| &x[1] == name).count();
    assert_eq!(section("row"), rows.len());
    assert_eq!(section("unbilled"), want.len());
    assert_eq!(section("orphan"), want_orphans.len());
    let skipped: usize = groups
        .iter()
        .map(|g| g["lines"].as_array().map_or(0, Vec::len))
        .sum();
    assert_eq!(
        recs.iter().filter(|x| x[1].starts_with("skipped:")).count(),
        skipped
    );
    for row in rows {
        let ws = row["workspace_id"].as_str().unwrap_or_default();
        let key = row["service_key"].as_str().unwrap_or_default();
        let rec = recs
            .iter()
            .find(|x| &x[1] == "row" && &x[2] == ws && &x[6] == key)
            .unwrap_or_else(|| panic!("no CSV row for {ws} / {key}"));
        assert_eq!(
            rec[11].parse::<i64>()?,
            row["coro_count"].as_i64().unwrap_or(-1)
        );
        assert_eq!(
            rec[12].parse::<i64>()?,
            row["psa_quantity"].as_i64().unwrap_or(-1)
        );
        let value = row["monthly_value_cents"].as_i64().unwrap_or_default();
        let cents = (rec[15].parse::<f64>()? * 100.0).round() as i64;
        assert_eq!(cents, value, "{ws} / {key}");
    }

    // --last: the same report, its age said, no PSA request.
    clear_requests(sb);
    let last = json_ok(s.d(), &["report", &s.id, "--json", "--last"], None);
    assert!(requests(sb, psa).is_empty(), "--last read the PSA");
    assert!(last[0]["age_seconds"].as_i64().is_some_and(|a| a >= 0));
    assert_eq!(last[0]["rows"], r["rows"]);
    assert_eq!(last[0]["totals"], r["totals"]);
    let o = cli(s.d(), &["report", &s.id, "--last"], None);
    assert!(
        stdout(&o).contains("ago; run without --last"),
        "{}",
        stdout(&o)
    );
    Ok(())
}

#[test]
#[ignore = "needs a desktop session: scripts/test.sh"]
fn report_last_without_a_report_says_how_to_get_one() -> anyhow::Result<()> {
    require_desktop_session("report_last_without_a_report_says_how_to_get_one");
    let s = Setup::new(Psa::Connectwise)?;
    let o = cli(s.d(), &["report", &s.id, "--last"], None);
    assert_eq!(o.status.code(), Some(1), "{}", stdout(&o));
    assert!(
        stderr(&o).contains("run `psa-bridge report`"),
        "{}",
        stderr(&o)
    );
    Ok(())
}
