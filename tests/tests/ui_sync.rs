//! Syncing from the real app's UI against the sandbox: with Coro, a ConnectWise connector and a
//! few workspace and service mappings set up through the CLI, the Sync screen previews the plan
//! (before → after, totals), applies it with progress and a result, and the sandbox then bills
//! exactly Coro's usage on every line the plan could write; History shows the run and its items.
//! Finally a sync that fails (every ConnectWise call answers 503) notifies over D-Bus.

use std::collections::BTreeMap;
use std::time::Duration;

use psa_bridge::sandbox::connectwise::{product_identifier, FIRST_PRODUCT_ID};
use psa_bridge::sandbox::seed::{Quirk, SERVICES};
use psa_bridge::sandbox::{self, SandboxOptions};
use psa_bridge_e2e::flows::{self, cli_json, tid, NotificationWatch, RunningApp, SHORT, WAIT};
use psa_bridge_e2e::{app_lock, require_desktop_session};
use serde_json::{json, Value};

/// Services mapped for the test, by key.
const MAPPED_SERVICES: &[&str] = &["endpointSecurity", "edr", "emailSecurity"];

/// Live ConnectWise quantities per (customer, service) for the mapped pairs.
type Lines = BTreeMap<(usize, usize), Vec<f64>>;

fn live_lines(sb: &sandbox::Sandbox, customers: &[usize], services: &[usize]) -> Lines {
    let st = sb.connectwise.state.lock().expect("sandbox state");
    let mut out = Lines::new();
    for &c in customers {
        let live = st.live_quantities(&sb.world.customers[c].name);
        for &s in services {
            out.insert(
                (c, s),
                live.get(&product_identifier(s))
                    .cloned()
                    .unwrap_or_default(),
            );
        }
    }
    out
}

/// What the plan should do with one pair: `Some((before, after))` when it can write (exactly
/// one line, Coro reports a count).
fn writable(sb: &sandbox::Sandbox, lines: &Lines, c: usize, s: usize) -> Option<(i64, i64)> {
    match lines.get(&(c, s)).map(Vec::as_slice) {
        Some([q]) if sb.world.subscribes(c, s) => Some((*q as i64, sb.world.usage(c, s) as i64)),
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a desktop session: scripts/test.sh"]
async fn preview_apply_history_and_failure_notice_in_the_ui() -> anyhow::Result<()> {
    require_desktop_session("preview_apply_history_and_failure_notice_in_the_ui");
    let _lock = app_lock();
    let sb = sandbox::start(SandboxOptions::default()).await?;
    let data = tempfile::tempdir()?;
    let dir = data.path();

    // Preconditions through the CLI: Coro, the connector, the mappings.
    flows::cli_connect_coro(dir, &sb.info.coro)?;
    let id = flows::cli_add_connectwise(dir, &sb.info.connectwise)?.to_string();
    // Three plain customers, and one with two agreements carrying every product (ambiguous lines
    // the plan must leave alone).
    let plain: Vec<usize> = (0..sb.world.customers.len())
        .filter(|&i| {
            sb.world.customers[i].quirk == Quirk::None && i % 4 != 3 && ![1, 2, 4].contains(&i)
        })
        .take(3)
        .collect();
    let two = (0..sb.world.customers.len())
        .find(|&i| sb.world.customers[i].quirk == Quirk::TwoAgreements)
        .expect("a customer with two agreements");
    let customers: Vec<usize> = plain.iter().copied().chain([two]).collect();
    for &c in &customers {
        let cust = &sb.world.customers[c];
        let company = sb
            .connectwise
            .state
            .lock()
            .expect("state")
            .company_id(&cust.name)
            .expect("company");
        cli_json(
            dir,
            &[
                "map",
                "workspace",
                &id,
                &cust.workspace_id,
                &company.to_string(),
                "--json",
            ],
            None,
        )?;
    }
    let services: Vec<usize> = MAPPED_SERVICES
        .iter()
        .map(|k| SERVICES.iter().position(|s| s.key == *k).expect("service"))
        .collect();
    for &s in &services {
        let product = FIRST_PRODUCT_ID + s as i64;
        cli_json(
            dir,
            &[
                "map",
                "service",
                &id,
                SERVICES[s].key,
                &product.to_string(),
                "--json",
            ],
            None,
        )?;
    }

    // What the plan should say, from the sandbox before anything runs.
    let before = live_lines(&sb, &customers, &services);
    let mut changes = Vec::new();
    for &c in &customers {
        for &s in &services {
            if let Some((b, a)) = writable(&sb, &before, c, s) {
                if a != b {
                    changes.push((c, s, b, a));
                }
            }
        }
    }
    assert!(
        !changes.is_empty(),
        "the seeded quantities leave work for the sync: {before:?}"
    );
    let increases = changes.iter().filter(|(_, _, b, a)| a > b).count();
    assert!(
        before.iter().any(|((c, _), l)| *c == two && l.len() > 1),
        "the two-agreement customer has ambiguous lines: {before:?}"
    );

    let ra = RunningApp::launch_with(data).await?;
    let app = &ra.app;

    // Preview.
    flows::go(app, "sync", "Sync").await?;
    // The connector list loads, then the first connector is chosen.
    flows::wait_eval(app, &tid("sync-connector"), "el.value", &id, WAIT).await?;
    app.click_css(&tid("sync-preview")).await?;
    app.wait_for(&tid("plan-totals"), Duration::from_secs(90))
        .await?;
    app.wait_for(&tid("plan-table"), WAIT).await?;
    for &(c, s, b, a) in &changes {
        let key = format!("{}-{}", sb.world.customers[c].workspace_id, SERVICES[s].key);
        let row = tid(&format!("plan-row-{key}"));
        app.wait_for(&row, SHORT).await?;
        let action = flows::eval_on(app, &row, "el.dataset.action").await?;
        let action = action.as_str().unwrap_or_default();
        if a > b {
            assert_eq!(action, "increase", "{key}");
        } else {
            assert!(action == "decrease" || action == "hold", "{key}: {action}");
        }
        let qty = flows::eval_on(app, &tid(&format!("plan-row-qty-{key}")), "el.innerText").await?;
        let qty = qty.as_str().unwrap_or_default();
        assert!(
            qty.contains(&format!("{b} → {a}")),
            "{key}: {qty:?} should read {b} → {a}"
        );
    }
    for &s in &services {
        let key = format!(
            "{}-{}",
            sb.world.customers[two].workspace_id, SERVICES[s].key
        );
        if before.get(&(two, s)).is_some_and(|l| l.len() > 1) {
            let row = tid(&format!("plan-row-{key}"));
            let action = flows::eval_on(app, &row, "el.dataset.action").await?;
            assert_eq!(
                action.as_str(),
                Some("skip"),
                "{key}: several lines are never guessed"
            );
        }
    }
    if increases > 0 {
        let chip = app
            .text(&app.find(&tid("plan-total-increase")).await?)
            .await?;
        assert!(
            chip.starts_with(&format!("{increases} increase")),
            "{chip} (want {increases})"
        );
    }
    let totals = app.text(&app.find(&tid("plan-totals")).await?).await?;
    assert!(
        totals.contains("skipped"),
        "the ambiguous lines are counted as skipped: {totals}"
    );
    // Skipped lines are grouped by reason: the ambiguous lines are one group with their count,
    // and its button narrows the table to exactly those lines.
    let group = "[data-testid=plan-table-skip-group][data-cause=many_lines]";
    let text = app.text(&app.find(group).await?).await?;
    assert!(
        text.contains("PSA Bridge will not guess") && text.contains("Keep one line in ConnectWise"),
        "{text}"
    );
    let count: usize = flows::eval_on(app, group, "el.dataset.count")
        .await?
        .as_str()
        .and_then(|n| n.parse().ok())
        .expect("the group's count");
    assert!(count >= 1, "{text}");
    app.click_css(&tid("plan-table-skip-show-many_lines"))
        .await?;
    flows::wait_eval(
        app,
        &tid("plan-table-count"),
        "el.innerText.split(' of ')[0]",
        &count.to_string(),
        SHORT,
    )
    .await?;
    let rows = app
        .find_all("[data-testid^=plan-row-][data-action]")
        .await?;
    assert_eq!(rows.len(), count, "only the group's lines are listed");
    for row in &rows {
        let row_text = app.text(row).await?;
        assert!(row_text.contains("will not guess"), "{row_text}");
    }
    ra.shot("ui-sync-01b-skipped-by-reason").await;
    app.click_css(&tid("plan-table-skip-show-many_lines"))
        .await?;
    ra.shot("ui-sync-01-preview").await;

    // Apply (approving held decreases, if any, so every change is written).
    if !app.find_all(&tid("sync-approve-held")).await?.is_empty() {
        app.click_css(&tid("sync-approve-held")).await?;
        let on = flows::eval_on(app, &tid("sync-approve-held"), "el.checked").await?;
        assert_eq!(on, Value::Bool(true));
    }
    let label = app.text(&app.find(&tid("sync-apply")).await?).await?;
    let n = changes.len();
    let want = if n == 1 {
        "Apply 1 change".to_string()
    } else {
        format!("Apply {n} changes")
    };
    assert_eq!(label.trim(), want);
    // Record whether the progress bar shows before the result does.
    app.execute(
        "window.__seen = {progress: null, result: null};
         const look = () => {
           const now = performance.now();
           if (window.__seen.progress === null && document.querySelector('[data-testid=sync-progress]')) window.__seen.progress = now;
           if (window.__seen.result === null && document.querySelector('[data-testid=sync-result]')) window.__seen.result = now;
         };
         new MutationObserver(look).observe(document.body, {childList: true, subtree: true, characterData: true});
         look();",
        json!([]),
    )
    .await?;
    app.click_css(&tid("sync-apply")).await?;
    let result = app
        .wait_for_text(&tid("sync-result"), "applied", Duration::from_secs(90))
        .await?;
    assert!(result.contains(&format!("{n} applied")), "{result}");
    let status = flows::eval_on(app, &tid("sync-result"), "el.dataset.status").await?;
    assert_eq!(status.as_str(), Some("succeeded"), "{result}");
    let seen = app.execute("return window.__seen;", json!([])).await?;
    let (p, r) = (seen["progress"].as_f64(), seen["result"].as_f64());
    assert!(
        p.is_some(),
        "the progress bar showed while applying: {seen}"
    );
    assert!(p < r, "progress came before the result: {seen}");
    let applied_label = app.text(&app.find(&tid("sync-apply")).await?).await?;
    assert_eq!(applied_label.trim(), "Applied", "a plan is applied once");
    ra.shot("ui-sync-02-applied").await;

    // The sandbox now bills Coro's usage on every line the plan could write; ambiguous lines are
    // untouched.
    let after = live_lines(&sb, &customers, &services);
    for &c in &customers {
        for &s in &services {
            let was = &before[&(c, s)];
            let now = &after[&(c, s)];
            if let Some((_, usage)) = writable(&sb, &before, c, s) {
                assert_eq!(now.len(), 1, "still one line for {c}/{s}: {now:?}");
                assert_eq!(
                    now[0] as i64, usage,
                    "customer {c} service {} bills Coro's usage",
                    SERVICES[s].key
                );
                assert_eq!(usage, sb.world.usage(c, s) as i64);
            } else {
                assert_eq!(
                    now, was,
                    "customer {c} service {} left alone",
                    SERVICES[s].key
                );
            }
        }
    }

    // History: the run, then its items.
    let link = app.text(&app.find(&tid("sync-result-link")).await?).await?;
    let run_id: i64 = link
        .split('#')
        .nth(1)
        .and_then(|t| t.split_whitespace().next())
        .and_then(|t| t.parse().ok())
        .unwrap_or_else(|| panic!("no run id in {link:?}"));
    flows::go(app, "history", "History").await?;
    app.wait_for(&tid("runs-table"), WAIT).await?;
    let run_row = tid(&format!("run-row-{run_id}"));
    app.wait_for(&run_row, WAIT).await?;
    let row_status = flows::eval_on(app, &run_row, "el.dataset.status").await?;
    assert_eq!(row_status.as_str(), Some("succeeded"));
    let row_text = flows::eval_on(app, &run_row, "el.innerText").await?;
    assert!(
        row_text
            .as_str()
            .unwrap_or_default()
            .contains(&format!("{n} applied")),
        "{row_text}"
    );
    ra.shot("ui-sync-03-history").await;
    app.click_css(&format!("{run_row} td:nth-child(2)")).await?;
    app.wait_for_text(&tid("page-title"), &format!("Run #{run_id}"), WAIT)
        .await?;
    app.wait_for_text(&tid("run-status"), "Succeeded", WAIT)
        .await?;
    app.wait_for(&tid("run-items"), WAIT).await?;
    let applied = app
        .find_all("[data-testid=run-items] tr[data-outcome=applied]")
        .await?
        .len();
    assert_eq!(applied, n, "every change is listed as applied");
    for &(c, s, b, a) in &changes {
        let key = format!("{}-{}", sb.world.customers[c].workspace_id, SERVICES[s].key);
        let row = tid(&format!("run-item-{key}"));
        let outcome = flows::eval_on(app, &row, "el.dataset.outcome").await?;
        assert_eq!(outcome.as_str(), Some("applied"), "{key}");
        let qty = flows::eval_on(app, &tid(&format!("run-item-qty-{key}")), "el.innerText").await?;
        assert!(
            qty.as_str()
                .unwrap_or_default()
                .contains(&format!("{b} → {a}")),
            "{key}: {qty}"
        );
    }
    ra.shot("ui-sync-04-run-items").await;
    let runs = cli_json(ra.dir(), &["runs", "--json"], None)?;
    assert!(
        runs.as_array()
            .is_some_and(|r| r.iter().any(|x| x["run_id"] == run_id)),
        "the CLI lists the run too: {runs}"
    );

    // A failing sync notifies: every ConnectWise call answers 503 from now on.
    sb.connectwise.gate.force_faults(100_000);
    let watch = NotificationWatch::start().await?;
    flows::go(app, "sync", "Sync").await?;
    app.click_css(&tid("sync-now")).await?;
    app.wait_for(&tid("sync-requested"), WAIT).await?;
    let title = watch
        .wait_for(
            |s| s.contains("PSA Bridge") && s.contains("sync"),
            Duration::from_secs(120),
        )
        .await?;
    assert!(
        title.contains("failed") || title.contains("problem"),
        "a failure notice: {title}"
    );
    eprintln!("notification seen: {title}");
    ra.shot("ui-sync-05-after-failed-sync").await;
    // Clicking the notification (dunst's default action) opens the failed run.
    let failed_run = cli_json(ra.dir(), &["runs", "--json"], None)?
        .as_array()
        .and_then(|r| {
            r.iter()
                .find(|x| x["status"] == "failed")
                .map(|x| x["run_id"].clone())
        })
        .unwrap_or_default();
    assert!(failed_run.is_i64(), "the failed run is recorded");
    let clicked = std::process::Command::new("dunstctl")
        .args(["action", "0"])
        .status()?;
    assert!(clicked.success(), "dunstctl action");
    app.wait_for(&tid("view-run"), WAIT).await?;
    let url = app
        .execute("return window.location.hash", serde_json::json!([]))
        .await?;
    assert_eq!(
        url.as_str().unwrap_or_default(),
        format!("#/history/{failed_run}"),
        "the notification opened the failed run"
    );
    ra.shot("ui-sync-06-run-opened-from-notification").await;
    // The quantities written before are untouched by the failed run.
    sb.connectwise.gate.force_faults(0);
    assert_eq!(
        live_lines(&sb, &customers, &services),
        after,
        "the failed run wrote nothing"
    );

    ra.close().await?;
    Ok(())
}
