//! The money tests: `psa-bridge sync` through the CLI against the sandbox, for both PSAs, with the
//! real keychain. Every customer workspace and every Coro service is mapped; then
//!
//! - `sync --dry-run` writes nothing and plans exactly what the sandbox data implies: each pair
//!   with exactly one billing line moves to Coro's count, the awkward customers (two agreements,
//!   a duplicated line, no agreement, an archived workspace) are skipped with their reasons;
//! - `sync --approve-held` makes every one-line pair hold exactly Coro's count, one write per
//!   change, and touches nothing else; `run show` lists the items with before/after/outcome;
//! - a second sync writes nothing.
//!
//! And the Autotask double-billing fault: the responses of adjustments are lost (504, then a
//! truncated 200) after the server applied them; the sync must not post them again, so every
//! contract service ends at Coro's count with at most one adjustment and the adjustments sum to
//! exactly the change.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::path::Path;

use psa_bridge::sandbox::seed::{Quirk, SERVICES};
use psa_bridge::sandbox::Sandbox;
use psa_bridge_e2e::sandbox_cli::{
    clear_requests, customer_with, expected, json_ok, parse, single, stderr, stdout, truth_lines,
    writes, Psa, TruthLine,
};
use psa_bridge_e2e::sync_setup::{all_quantities, Setup};
use psa_bridge_e2e::{cli, require_desktop_session};
use serde_json::Value;

type Truth = BTreeMap<(usize, usize), Vec<TruthLine>>;

/// Coro's count per (customer, service): the world's, except where a test changed it.
#[derive(Default)]
struct Coro {
    overrides: HashMap<(usize, usize), i64>,
}

impl Coro {
    fn count(&self, sb: &Sandbox, c: usize, s: usize) -> i64 {
        self.overrides
            .get(&(c, s))
            .copied()
            .unwrap_or_else(|| expected(&sb.world, c, s))
    }

    /// Sets a count in the sandbox and remembers it.
    fn set(&mut self, sb: &Sandbox, c: usize, s: usize, count: u32) {
        let ws = &sb.world.customers[c].workspace_id;
        if let Err(e) = sb.coro.set_usage(ws, SERVICES[s].key, count) {
            panic!("set_usage {ws}: {e}");
        }
        self.overrides.insert((c, s), i64::from(count));
    }
}

/// The one plan (or run) item of a workspace × service.
fn item<'a>(items: &'a [Value], ws: &str, key: &str) -> &'a Value {
    items
        .iter()
        .find(|i| i["workspace_id"] == ws && i["service_key"] == key)
        .unwrap_or_else(|| panic!("no item for {ws} / {key}"))
}

/// The action the plan must take for a one-line pair (`--approve-held` not given).
fn want_action(before: i64, after: i64) -> &'static str {
    if after == before {
        "unchanged"
    } else if held_by_guards(before, after) {
        "hold"
    } else if after > before {
        "increase"
    } else {
        "decrease"
    }
}

fn reason(i: &Value) -> String {
    i["reason"].as_str().unwrap_or_default().to_string()
}

/// Checks the dry-run plan against the sandbox truth, pair by pair.
fn check_plan(sb: &Sandbox, psa: Psa, truth: &Truth, coro: &Coro, plan: &Value) {
    let items = plan["items"].as_array().cloned().unwrap_or_default();
    let w = &sb.world;
    for (c, cust) in w.customers.iter().enumerate() {
        for (s, svc) in SERVICES.iter().enumerate() {
            let i = item(&items, &cust.workspace_id, svc.key);
            let lines = &truth[&(c, s)];
            let what = format!(
                "{} customer {c} ({:?}) / {}: {i}",
                psa.name(),
                cust.quirk,
                svc.key
            );
            if cust.quirk == Quirk::Archived {
                // A workspace that left Coro: ending what the PSA still bills is proposed, held.
                let want = match single(lines) {
                    Some(l) if l.quantity > 0 => "hold",
                    Some(_) => "unchanged",
                    None => "skip",
                };
                assert_eq!(i["action"], want, "{what}");
                assert!(reason(i).contains("archived"), "{what}");
                continue;
            }
            match single(lines) {
                Some(line) => {
                    let after = coro.count(sb, c, s);
                    assert_eq!(i["before"], line.quantity, "{what}");
                    assert_eq!(i["after"], after, "{what}");
                    assert_eq!(i["action"], want_action(line.quantity, after), "{what}");
                    assert!(
                        i["line_ref"]
                            .as_str()
                            .unwrap_or_default()
                            .contains(&line.id.to_string()),
                        "{what}"
                    );
                }
                None => {
                    assert_eq!(i["action"], "skip", "{what}");
                    let r = reason(i);
                    if lines.len() > 1 {
                        assert!(r.contains(&format!("{} lines bill", lines.len())), "{what}");
                        assert!(r.contains("will not guess"), "{what}");
                    } else {
                        assert!(r.contains("No agreement/contract line bills"), "{what}");
                    }
                }
            }
        }
    }
    // The awkward customers, by name.
    let two = customer_with(w, Quirk::TwoAgreements);
    let dup = customer_with(w, Quirk::DuplicatedLine);
    let none = customer_with(w, Quirk::NoAgreement);
    let subscribed = |c: usize| (0..SERVICES.len()).filter(move |&s| w.subscribes(c, s));
    for s in subscribed(two) {
        let i = item(&items, &w.customers[two].workspace_id, SERVICES[s].key);
        assert!(reason(i).contains("2 lines bill"), "two agreements: {i}");
    }
    let first = subscribed(dup).next().expect("a subscribed service");
    let i = item(&items, &w.customers[dup].workspace_id, SERVICES[first].key);
    assert!(reason(i).contains("2 lines bill"), "duplicated line: {i}");
    for svc in SERVICES {
        let i = item(&items, &w.customers[none].workspace_id, svc.key);
        let r = reason(i);
        let why = match psa {
            Psa::Connectwise => "has no active agreement",
            Psa::Autotask => "no Recurring Service contract",
        };
        assert!(r.contains(why), "no agreement: {i}");
    }
    let t = &plan["totals"];
    assert!(t["increase"].as_u64() > Some(0), "{t}");
    assert!(
        t["decrease"].as_u64().unwrap_or(0) + t["hold"].as_u64().unwrap_or(0) > 0,
        "{t}"
    );
    assert!(t["skip"].as_u64() > Some(0), "{t}");
}

/// Pairs with one line whose quantity differs from Coro's count: (line id, before, after).
fn changes(sb: &Sandbox, truth: &Truth, coro: &Coro) -> HashMap<i64, (i64, i64)> {
    let mut out = HashMap::new();
    for (c, cust) in sb.world.customers.iter().enumerate() {
        for s in 0..SERVICES.len() {
            if let Some(line) = single(&truth[&(c, s)]) {
                // An archived workspace's billing ends (held until approved).
                let after = if cust.quirk == Quirk::Archived {
                    0
                } else {
                    coro.count(sb, c, s)
                };
                if after != line.quantity {
                    out.insert(line.id, (line.quantity, after));
                }
            }
        }
    }
    out
}

/// Whether the default guards hold a change (before → after) for approval: a decrease by more
/// than half or to zero, an increase to more than 2× by at least 10 units; every change of a
/// workspace that left Coro ends at 0, so it is held as a decrease to zero.
fn held_by_guards(before: i64, after: i64) -> bool {
    if after < before {
        after == 0 || (before - after) * 2 > before
    } else {
        after > 2 * before && after - before >= 10
    }
}

/// After an apply: every one-line pair holds Coro's count and nothing else moved.
fn check_converged(
    sb: &Sandbox,
    psa: Psa,
    coro: &Coro,
    before_all: &HashMap<i64, i64>,
    want: &HashMap<i64, (i64, i64)>,
) {
    let after_all = all_quantities(sb, psa);
    for (id, q) in &after_all {
        match want.get(id) {
            Some((_, after)) => {
                assert_eq!(q, after, "{}: line {id} holds Coro's count", psa.name())
            }
            None => assert_eq!(
                Some(q),
                before_all.get(id),
                "{}: line {id} was not to be touched",
                psa.name()
            ),
        }
    }
    // And by pair, from a fresh read of the truth.
    let truth = truth_lines(sb, psa);
    for (c, cust) in sb.world.customers.iter().enumerate() {
        let archived = cust.quirk == Quirk::Archived;
        for s in 0..SERVICES.len() {
            if let Some(line) = single(&truth[&(c, s)]) {
                assert_eq!(
                    line.quantity,
                    if archived { 0 } else { coro.count(sb, c, s) },
                    "{} customer {c} / {}",
                    psa.name(),
                    SERVICES[s].key
                );
            }
        }
    }
}

/// The PSA writes since the last clear are exactly one per line of `want`, each setting the line
/// to its target (ConnectWise: a PATCH replacing `quantity` only; Autotask: an adjustment of the
/// difference).
fn check_writes(sb: &Sandbox, psa: Psa, want: &HashMap<i64, (i64, i64)>) {
    let w = writes(sb, psa);
    assert_eq!(w.len(), want.len(), "exactly one write per change: {w:?}");
    let mut seen = HashSet::new();
    for r in &w {
        let line = match psa {
            Psa::Connectwise => {
                assert_eq!(r.method, "PATCH", "{r:?}");
                let ops = r.body.as_array().cloned().unwrap_or_default();
                assert_eq!(ops.len(), 1, "only quantity is replaced: {r:?}");
                assert_eq!(ops[0]["path"], "quantity");
                let line: i64 = r
                    .path
                    .rsplit('/')
                    .next()
                    .and_then(|n| n.parse().ok())
                    .unwrap_or_default();
                let (_, a) = want
                    .get(&line)
                    .copied()
                    .unwrap_or_else(|| panic!("unexpected write {r:?}"));
                assert_eq!(ops[0]["value"], a, "{r:?}");
                line
            }
            Psa::Autotask => {
                assert!(
                    r.path.to_ascii_lowercase().contains("serviceadjustments"),
                    "{r:?}"
                );
                let line = r.body["contractServiceID"].as_i64().unwrap_or_default();
                let (b, a) = want
                    .get(&line)
                    .copied()
                    .unwrap_or_else(|| panic!("unexpected adjustment {r:?}"));
                assert_eq!(r.body["unitChange"], a - b, "{r:?}");
                line
            }
        };
        assert!(seen.insert(line), "line {line} written twice");
    }
}

/// `run show ID --json`: the applied items are exactly `want`, with its before/after.
fn check_run(d: &Path, run_id: &str, want: &HashMap<i64, (i64, i64)>) -> Vec<Value> {
    let detail = json_ok(d, &["run", "show", run_id, "--json"], None);
    let items = detail["items"].as_array().cloned().unwrap_or_default();
    let applied: Vec<&Value> = items.iter().filter(|i| i["outcome"] == "applied").collect();
    assert_eq!(applied.len(), want.len(), "{detail}");
    for i in &applied {
        let line: i64 = i["line_ref"]
            .as_str()
            .and_then(|r| r.rsplit(' ').next())
            .and_then(|n| n.parse().ok())
            .unwrap_or_else(|| panic!("line_ref of {i}"));
        let (b, a) = want[&line];
        assert_eq!(
            (i["before"].as_i64(), i["after"].as_i64()),
            (Some(b), Some(a)),
            "{i}"
        );
        assert!(
            matches!(i["action"].as_str(), Some("increase" | "decrease")),
            "{i}"
        );
    }
    items
}

fn sync_json(d: &Path, args: &[&str]) -> (Option<i32>, Value) {
    let o = cli(d, args, None);
    let v = parse(&o, args);
    (o.status.code(), v)
}

fn dry_run_apply_and_converge(psa: Psa) -> anyhow::Result<()> {
    let s = Setup::new(psa)?;
    let (sb, d, id) = (&s.sb, s.d(), s.id.as_str());
    let truth = truth_lines(sb, psa);
    let before_all = all_quantities(sb, psa);
    // Two large decreases the safety guard holds: one to zero, one by more than half.
    let mut coro = Coro::default();
    let mut big = truth.iter().filter_map(|(&(c, s), lines)| {
        let line = single(lines)?;
        (sb.world.customers[c].quirk != Quirk::Archived && line.quantity >= 4).then_some((c, s))
    });
    let (to_zero, to_one) = (
        big.next().expect("a line to zero"),
        big.next().expect("a line to cut"),
    );
    coro.set(sb, to_zero.0, to_zero.1, 0);
    coro.set(sb, to_one.0, to_one.1, 1);
    let want = changes(sb, &truth, &coro);
    assert!(!want.is_empty(), "the seed leaves work for a sync");

    // Dry run: the plan, and not one write.
    clear_requests(sb);
    let (code, out) = sync_json(d, &["sync", id, "--dry-run", "--json"]);
    assert_eq!(code, Some(0), "{out}");
    let run = &out[0];
    assert_eq!(run["summary"]["dry_run"], true, "{run}");
    assert!(
        writes(sb, psa).is_empty(),
        "a dry run writes nothing: {:?}",
        writes(sb, psa)
    );
    assert_eq!(
        all_quantities(sb, psa),
        before_all,
        "a dry run changes no quantity"
    );
    check_plan(sb, psa, &truth, &coro, &run["plan"]);
    let items = run["plan"]["items"].as_array().cloned().unwrap_or_default();
    for (c, s) in [to_zero, to_one] {
        let i = item(&items, &sb.world.customers[c].workspace_id, SERVICES[s].key);
        assert_eq!(i["action"], "hold", "{i}");
        assert!(reason(i).contains("held for approval"), "{i}");
    }
    eprintln!(
        "{}: dry run totals {}; {} one-line changes expected",
        psa.name(),
        run["plan"]["totals"],
        want.len()
    );
    assert!(!sb.coro.gate.requests().is_empty(), "the dry run read Coro");

    // The two decreases above, and whatever else the seed holds (an archived customer's lines,
    // a spike).
    let held_lines: HashSet<i64> = want
        .iter()
        .filter(|(_, (b, a))| held_by_guards(*b, *a))
        .map(|(id, _)| *id)
        .collect();
    for k in [to_zero, to_one] {
        let id = single(&truth[&k]).map(|l| l.id).unwrap_or_default();
        assert!(held_lines.contains(&id), "line {id} is held");
    }

    // A plain sync: every change but the two held decreases, one write each.
    clear_requests(sb);
    let (code, out) = sync_json(d, &["sync", id, "--json"]);
    assert_eq!(code, Some(0), "{out}");
    let summary = &out[0]["summary"];
    assert_eq!(summary["counts"]["failed"], 0, "{summary}");
    assert_eq!(
        summary["counts"]["held"].as_u64(),
        Some(held_lines.len() as u64),
        "{summary}"
    );
    assert_eq!(
        summary["counts"]["applied"].as_u64(),
        Some((want.len() - held_lines.len()) as u64),
        "{summary}"
    );
    let unheld: HashMap<i64, (i64, i64)> = want
        .iter()
        .filter(|(k, _)| !held_lines.contains(k))
        .map(|(k, v)| (*k, *v))
        .collect();
    check_writes(sb, psa, &unheld);
    let now = all_quantities(sb, psa);
    for line in &held_lines {
        assert_eq!(
            now[line], before_all[line],
            "a held decrease is not written without approval"
        );
    }
    let run_a = summary["run_id"].as_i64().expect("run id").to_string();

    // Approved: exactly the two held decreases are written; every one-line pair is at Coro's count.
    clear_requests(sb);
    let (code, out) = sync_json(d, &["sync", id, "--approve-held", "--json"]);
    assert_eq!(code, Some(0), "{out}");
    let summary = &out[0]["summary"];
    assert_eq!(summary["status"], "succeeded", "{summary}");
    assert_eq!(summary["counts"]["failed"], 0, "{summary}");
    assert_eq!(
        summary["counts"]["applied"].as_u64(),
        Some(held_lines.len() as u64),
        "{summary}"
    );
    let approved: HashMap<i64, (i64, i64)> = want
        .iter()
        .filter(|(k, _)| held_lines.contains(k))
        .map(|(k, v)| (*k, *v))
        .collect();
    check_writes(sb, psa, &approved);
    check_converged(sb, psa, &coro, &before_all, &want);
    let run_b = summary["run_id"].as_i64().expect("run id").to_string();

    // The runs' records: every item with before/after/outcome.
    let items_a = check_run(d, &run_a, &unheld);
    let held: Vec<&Value> = items_a.iter().filter(|i| i["outcome"] == "held").collect();
    assert_eq!(
        held.len(),
        held_lines.len(),
        "the held items are recorded as held"
    );
    assert!(
        held.iter()
            .all(|i| i["action"] == "hold" && reason(i).contains("held for approval")),
        "{held:?}"
    );
    assert!(
        items_a
            .iter()
            .any(|i| i["outcome"] == "skipped" && !reason(i).is_empty()),
        "skips are recorded with reasons"
    );
    let items_b = check_run(d, &run_b, &approved);
    assert!(
        items_b
            .iter()
            .filter(|i| i["outcome"] == "applied")
            .all(
                |i| matches!(i["action"].as_str(), Some("decrease" | "increase"))
                    && reason(i).contains("approved")
            ),
        "{items_b:?}"
    );
    let text = cli(d, &["run", "show", &run_a], None);
    assert!(text.status.success(), "{}", stderr(&text));
    assert!(
        stdout(&text).contains("OUTCOME") && stdout(&text).contains("applied"),
        "{}",
        stdout(&text)
    );
    // The CSV export: a header and one row per item, the applied rows with their quantities.
    let export = cli(d, &["run", "export", &run_a], None);
    assert!(export.status.success(), "{}", stderr(&export));
    let path = stdout(&export).trim().to_string();
    let csv = std::fs::read_to_string(&path)?;
    // UTF-8 with a byte-order mark, so Excel reads the names right.
    let csv = csv
        .strip_prefix('\u{feff}')
        .unwrap_or_else(|| panic!("the export starts with a UTF-8 BOM: {csv:?}"));
    let rows: Vec<&str> = csv.split("\r\n").filter(|l| !l.is_empty()).collect();
    assert!(rows[0].starts_with("run_id,workspace_id,"), "{}", rows[0]);
    assert_eq!(rows.len(), items_a.len() + 1, "one row per item");
    let applied_rows = rows.iter().filter(|r| r.contains(",applied,")).count();
    assert_eq!(applied_rows, unheld.len(), "{csv}");

    // A second sync finds nothing to do and writes nothing.
    clear_requests(sb);
    let (code, out) = sync_json(d, &["sync", id, "--json"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(
        writes(sb, psa).is_empty(),
        "nothing to write the second time: {:?}",
        writes(sb, psa)
    );
    let t = &out[0]["plan"]["totals"];
    assert_eq!(
        (
            t["increase"].as_u64(),
            t["decrease"].as_u64(),
            t["hold"].as_u64()
        ),
        (Some(0), Some(0), Some(0)),
        "{t}"
    );
    check_converged(sb, psa, &coro, &before_all, &want);

    let runs = json_ok(d, &["runs", "--json"], None);
    assert_eq!(runs.as_array().map(Vec::len), Some(4), "{runs}");
    drop(s);
    Ok(())
}

#[test]
#[ignore = "needs a desktop session: scripts/test.sh"]
fn connectwise_dry_run_apply_and_converge() -> anyhow::Result<()> {
    require_desktop_session("connectwise_dry_run_apply_and_converge");
    dry_run_apply_and_converge(Psa::Connectwise)
}

#[test]
#[ignore = "needs a desktop session: scripts/test.sh"]
fn autotask_dry_run_apply_and_converge() -> anyhow::Result<()> {
    require_desktop_session("autotask_dry_run_apply_and_converge");
    dry_run_apply_and_converge(Psa::Autotask)
}

async fn arm_drop(url: &str, mode: &str) -> anyhow::Result<Value> {
    let resp = reqwest::Client::new()
        .post(format!("{url}/_sandbox/drop-next-adjustment-response"))
        .json(&serde_json::json!({"mode": mode, "count": 1}))
        .send()
        .await?;
    anyhow::ensure!(
        resp.status().is_success(),
        "arming failed: {}",
        resp.status()
    );
    Ok(resp.json().await?)
}

#[test]
#[ignore = "needs a desktop session: scripts/test.sh"]
fn autotask_lost_adjustment_responses_are_not_double_billed() -> anyhow::Result<()> {
    require_desktop_session("autotask_lost_adjustment_responses_are_not_double_billed");
    let psa = Psa::Autotask;
    let s = Setup::new(psa)?;
    let (sb, d, id) = (&s.sb, s.d(), s.id.as_str());
    let truth = truth_lines(sb, psa);
    let before_all = all_quantities(sb, psa);
    let coro = Coro::default();
    let want = changes(sb, &truth, &coro);
    assert!(want.len() >= 2);

    // The next two adjustments are applied by the server, but their answers are lost: a 504
    // from a proxy, then a 200 with a truncated body.
    let url = sb.info.autotask.url.clone();
    s.rt.block_on(arm_drop(&url, "gatewayTimeout"))?;
    let armed = s.rt.block_on(arm_drop(&url, "truncated"))?;
    assert_eq!(armed["pending"], 2);

    // The client re-reads after a lost answer, so this run may succeed or report the item.
    let first = cli(d, &["sync", id, "--approve-held", "--json"], None);
    assert!(
        matches!(first.status.code(), Some(0 | 1)),
        "stdout: {}\nstderr: {}",
        stdout(&first),
        stderr(&first)
    );
    let first_code = first.status.code();
    let first = parse(&first, &["sync"]);
    eprintln!("first run exit {first_code:?}: {}", first[0]["summary"]);
    let second = cli(d, &["sync", id, "--approve-held", "--json"], None);
    assert_eq!(
        second.status.code(),
        Some(0),
        "stdout: {}\nstderr: {}",
        stdout(&second),
        stderr(&second)
    );

    // Both drops happened, on lines the sync had to change.
    let (adjustments, pending) = {
        let st = sb.autotask.state.lock().expect("state");
        (
            st.adjustments.clone(),
            st.drop_next_adjustment_responses.len(),
        )
    };
    assert_eq!(pending, 0, "both armed drops were used");
    let dropped: Vec<i64> = adjustments
        .iter()
        .filter(|a| a.response_dropped)
        .map(|a| a.contract_service_id)
        .collect();
    assert_eq!(dropped.len(), 2, "{adjustments:?}");

    // No double adjustment: per contract service at most one, summing to exactly the change.
    let after_all = all_quantities(sb, psa);
    let mut by_line: HashMap<i64, Vec<i64>> = HashMap::new();
    for a in &adjustments {
        by_line
            .entry(a.contract_service_id)
            .or_default()
            .push(a.unit_change);
    }
    for (line, changes) in &by_line {
        assert_eq!(
            changes.len(),
            1,
            "contract service {line} was adjusted {} times: {changes:?}",
            changes.len()
        );
        let sum: i64 = changes.iter().sum();
        let (b, a) = want
            .get(line)
            .copied()
            .unwrap_or_else(|| panic!("line {line} was not to be adjusted"));
        assert_eq!(
            sum,
            a - b,
            "contract service {line}: adjustments sum to the change"
        );
        assert_eq!(
            after_all.get(line).copied().unwrap_or_default() - before_all[line],
            sum
        );
    }
    for line in &dropped {
        assert_eq!(
            by_line[line].len(),
            1,
            "the line whose answer was lost got exactly one adjustment"
        );
    }
    assert_eq!(by_line.len(), want.len(), "every change made, once");
    assert!(
        !created_lines(&adjustments),
        "no adjustment created a new contract service"
    );
    check_converged(sb, psa, &coro, &before_all, &want);

    // The first run's record shows the dropped items settled (applied), or left for the next run
    // (pending) — never failed-and-resent.
    let run_id = first[0]["summary"]["run_id"]
        .as_i64()
        .expect("run id")
        .to_string();
    let detail = json_ok(d, &["run", "show", &run_id, "--json"], None);
    let items = detail["items"].as_array().cloned().unwrap_or_default();
    for line in &dropped {
        let i = items
            .iter()
            .find(|i| {
                i["line_ref"]
                    .as_str()
                    .is_some_and(|r| r.ends_with(&format!(" {line}")))
            })
            .unwrap_or_else(|| panic!("no item for line {line}: {detail}"));
        assert!(
            matches!(i["outcome"].as_str(), Some("applied" | "pending")),
            "{i}"
        );
        let (b, a) = want[line];
        assert_eq!(
            (i["before"].as_i64(), i["after"].as_i64()),
            (Some(b), Some(a)),
            "{i}"
        );
    }

    // A third sync: nothing left, nothing posted.
    clear_requests(sb);
    let (code, out) = sync_json(d, &["sync", id, "--json"]);
    assert_eq!(code, Some(0), "{out}");
    assert!(writes(sb, psa).is_empty(), "{:?}", writes(sb, psa));
    assert_eq!(
        sb.autotask.state.lock().expect("state").adjustments.len(),
        want.len()
    );
    let seen: HashSet<i64> = by_line.keys().copied().collect();
    assert_eq!(seen, want.keys().copied().collect::<HashSet<_>>());
    drop(s);
    Ok(())
}

fn created_lines(adjustments: &[psa_bridge::sandbox::autotask::Adjustment]) -> bool {
    adjustments.iter().any(|a| a.created_line)
}
