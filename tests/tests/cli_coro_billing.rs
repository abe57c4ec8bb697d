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
