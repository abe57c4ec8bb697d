//! `psa-bridge run undo` through the CLI against the sandbox, for both PSAs, with the real
//! keychain: a full sync (held changes approved), then someone edits one of the lines it wrote;
//! the undo's preview writes nothing and names that line "Changed since: now 14"; the undo puts
//! every other line the sync wrote back to what it held before, with exactly one write each
//! (ConnectWise: a PATCH of the quantity; Autotask: one reversing adjustment), leaves the edited
//! line alone and every other line untouched; History links the two runs both ways; a second undo
//! and an undo of the undo are refused (exit 2) and write nothing.

use std::collections::HashMap;

use psa_bridge::sandbox::Sandbox;
use psa_bridge_e2e::sandbox_cli::{clear_requests, json_ok, parse, stderr, writes, Psa};
use psa_bridge_e2e::sync_setup::{all_quantities, Setup};
use psa_bridge_e2e::{cli, require_desktop_session};
use serde_json::Value;

/// Someone edits a line in the PSA: a ConnectWise addition's quantity, or the units of the
/// Autotask contract service's period covering today.
fn edit_line(sb: &Sandbox, psa: Psa, id: i64, quantity: i64) {
    match psa {
        Psa::Connectwise => {
            let mut st = sb.connectwise.state.lock().expect("state");
            let a = st
                .additions
                .iter_mut()
                .find(|a| a["id"].as_i64() == Some(id))
                .expect("the addition");
            a["quantity"] = serde_json::json!(quantity as f64);
        }
        Psa::Autotask => {
            let mut st = sb.autotask.state.lock().expect("state");
            let today = st.time_zone.today();
            let row = st
                .current_row(id, today)
                .and_then(|r| r["id"].as_i64())
                .expect("the units row covering today");
            let r = st.units.get_mut(&row).expect("the row");
            r["units"] = serde_json::json!(quantity);
        }
    }
}

fn run_json(d: &std::path::Path, args: &[&str]) -> (Option<i32>, Value, String) {
    let o = cli(d, args, None);
    let code = o.status.code();
    let err = stderr(&o);
    let v = if code == Some(0) {
        parse(&o, args)
    } else {
        Value::Null
    };
    (code, v, err)
}

fn undo_restores_skips_the_changed_line_and_refuses_twice(psa: Psa) -> anyhow::Result<()> {
    let s = Setup::new(psa)?;
    let (sb, d, id) = (&s.sb, s.d(), s.id.as_str());
    let before_all = all_quantities(sb, psa);
    let synced = json_ok(d, &["sync", id, "--approve-held", "--json"], None);
    let run_id = synced[0]["summary"]["run_id"]
        .as_i64()
        .expect("run id")
        .to_string();
    let after_sync = all_quantities(sb, psa);
    let mut changed: Vec<i64> = after_sync
        .iter()
        .filter(|(line, q)| before_all.get(line) != Some(q))
        .map(|(line, _)| *line)
        .collect();
    changed.sort_unstable();
    assert!(changed.len() >= 3, "the sync changed lines: {changed:?}");
    // One of them is edited in the PSA after the sync.
    let touched = *changed
        .iter()
        .find(|l| after_sync[l] != 14)
        .expect("a line not at 14");
    edit_line(sb, psa, touched, 14);

    // The preview: one item per change, the edited one skipped with its reason; nothing written.
    clear_requests(sb);
    let preview = json_ok(d, &["run", "undo", &run_id, "--dry-run", "--json"], None);
    assert!(preview["summary"].is_null(), "{preview}");
    let items = preview["plan"]["items"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    assert_eq!(items.len(), changed.len(), "{preview}");
    let skipped: Vec<&Value> = items.iter().filter(|i| i["action"] == "skip").collect();
    assert_eq!(skipped.len(), 1, "{preview}");
    let reason = skipped[0]["reason"].as_str().unwrap_or_default();
    assert!(
        reason.starts_with(&format!(
            "Changed since: now 14 (the run left {})",
            after_sync[&touched]
        )),
        "{reason}"
    );
    assert!(writes(sb, psa).is_empty(), "a preview writes nothing");

    // The undo: every other changed line back to what it held, one write each.
    let undone = json_ok(d, &["run", "undo", &run_id, "--json"], None);
    let undo_run = undone["summary"]["run_id"].as_i64().expect("undo run id");
    assert_eq!(undone["summary"]["status"], "succeeded", "{undone}");
    assert_eq!(undone["summary"]["counts"]["applied"], changed.len() - 1);
    assert_eq!(undone["summary"]["counts"]["skipped"], 1);
    let now = all_quantities(sb, psa);
    for (line, q) in &now {
        if *line == touched {
            assert_eq!(*q, 14, "{}: the edited line is left alone", psa.name());
        } else {
            assert_eq!(
                Some(q),
                before_all.get(line),
                "{}: line {line} is back to what it held before the sync",
                psa.name()
            );
        }
    }
    let w = writes(sb, psa);
    assert_eq!(w.len(), changed.len() - 1, "one write per restored line");
    let mut per_line: HashMap<i64, u32> = HashMap::new();
    for r in &w {
        let line = match psa {
            Psa::Connectwise => {
                assert_eq!(r.method, "PATCH", "{r:?}");
                let ops = r.body.as_array().cloned().unwrap_or_default();
                assert_eq!(ops.len(), 1, "{r:?}");
                assert_eq!(ops[0]["path"], "quantity", "{r:?}");
                r.path
                    .rsplit('/')
                    .next()
                    .and_then(|n| n.parse().ok())
                    .unwrap_or_default()
            }
            Psa::Autotask => {
                let line = r.body["contractServiceID"].as_i64().unwrap_or_default();
                assert_eq!(
                    r.body["unitChange"].as_i64(),
                    Some(before_all[&line] - after_sync[&line]),
                    "one reversing adjustment: {r:?}"
                );
                line
            }
        };
        assert_ne!(line, touched, "the edited line is never written");
        *per_line.entry(line).or_default() += 1;
    }
    assert!(per_line.values().all(|n| *n == 1), "{per_line:?}");

    // Linked both ways in History.
    let shown = json_ok(d, &["run", "show", &run_id, "--json"], None);
    assert_eq!(shown["undone_by"], serde_json::json!([undo_run]), "{shown}");
    let undo_shown = json_ok(d, &["run", "show", &undo_run.to_string(), "--json"], None);
    assert_eq!(
        undo_shown["undo_of"].as_i64().map(|v| v.to_string()),
        Some(run_id.clone())
    );
    let text = cli(d, &["run", "show", &run_id], None);
    assert!(
        String::from_utf8_lossy(&text.stdout).contains(&format!("Undone by run {undo_run}.")),
        "{}",
        String::from_utf8_lossy(&text.stdout)
    );

    // A second undo, and an undo of the undo, are refused and write nothing.
    clear_requests(sb);
    let (code, _, err) = run_json(d, &["run", "undo", &run_id]);
    assert_eq!(code, Some(2), "{err}");
    assert!(
        err.contains(&format!(
            "Run {run_id} was already undone by run {undo_run}"
        )),
        "{err}"
    );
    let (code, _, err) = run_json(d, &["run", "undo", &undo_run.to_string(), "--dry-run"]);
    assert_eq!(code, Some(2), "{err}");
    assert!(err.contains("an undo is not undone"), "{err}");
    assert!(writes(sb, psa).is_empty());
    assert_eq!(all_quantities(sb, psa), now);
    Ok(())
}

#[test]
#[ignore = "needs a desktop session: scripts/test.sh"]
fn connectwise_undo_restores_skips_the_changed_line_and_refuses_twice() -> anyhow::Result<()> {
    require_desktop_session("connectwise_undo_restores_skips_the_changed_line_and_refuses_twice");
    undo_restores_skips_the_changed_line_and_refuses_twice(Psa::Connectwise)
}

#[test]
#[ignore = "needs a desktop session: scripts/test.sh"]
fn autotask_undo_restores_skips_the_changed_line_and_refuses_twice() -> anyhow::Result<()> {
    require_desktop_session("autotask_undo_restores_skips_the_changed_line_and_refuses_twice");
    undo_restores_skips_the_changed_line_and_refuses_twice(Psa::Autotask)
}
