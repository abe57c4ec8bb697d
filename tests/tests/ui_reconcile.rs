//! The Reconcile page in the real app against the ConnectWise sandbox: every workspace and
//! service mapped through the CLI except customer 0 (so there is an unbilled customer and orphan
//! lines). The page starts with "no report yet", *Read now* shows a progress bar and then the
//! totals and every section; the totals on the page equal the JSON of the same report
//! (`report --last --json`), *Export CSV* saves a file whose rows match the page, and nothing was
//! written to the PSA. A screenshot lands in tests/results/.

use std::time::Duration;

use psa_bridge::sandbox::common::Behaviour;
use psa_bridge::sandbox::{self, SandboxOptions};
use psa_bridge_e2e::flows::{self, cli_json, tid, RunningApp, SHORT, WAIT};
use psa_bridge_e2e::sandbox_cli::{map_services, map_workspaces, writes, Psa};
use psa_bridge_e2e::{app_lock, require_desktop_session};

/// Cents as the page prints them ("1,234.50").
fn money(cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    let whole = (abs / 100).to_string();
    let mut grouped = String::new();
    for (i, ch) in whole.chars().enumerate() {
        if i > 0 && (whole.len() - i).is_multiple_of(3) {
            grouped.push(',');
        }
        grouped.push(ch);
    }
    format!("{sign}{grouped}.{:02}", abs % 100)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a desktop session: scripts/test.sh"]
async fn reconcile_page_reads_shows_and_exports_the_report() -> anyhow::Result<()> {
    require_desktop_session("reconcile_page_reads_shows_and_exports_the_report");
    let _lock = app_lock();
    // Some latency, so the read lasts long enough to see its progress bar.
    let sb = sandbox::start(SandboxOptions {
        behaviour: Behaviour {
            latency: Duration::from_millis(150),
            ..Behaviour::default()
        },
        ..SandboxOptions::default()
    })
    .await?;
    let data = tempfile::tempdir()?;
    let dir = data.path();
    flows::cli_connect_coro(dir, &sb.info.coro)?;
    let id = flows::cli_add_connectwise(dir, &sb.info.connectwise)?.to_string();
    map_services(dir, &id, &sb, Psa::Connectwise);
    map_workspaces(dir, &id, &sb, Psa::Connectwise);
    let unmapped = sb.world.customers[0].workspace_id.clone();
    cli_json(dir, &["unmap", "workspace", &id, &unmapped, "--json"], None)?;

    let ra = RunningApp::launch_with(data).await?;
    let app = &ra.app;
    flows::go(app, "reconcile", "Reconcile").await?;
    flows::wait_eval(app, &tid("reconcile-connector"), "el.value", &id, WAIT).await?;
    app.wait_for(&tid("reconcile-none"), WAIT).await?;

    app.click_css(&tid("reconcile-read")).await?;
    app.wait_for(&tid("reconcile-progress"), Duration::from_secs(5))
        .await?;
    app.wait_for(&tid("reconcile-totals"), Duration::from_secs(120))
        .await?;
    assert!(
        app.find_all(&tid("reconcile-progress")).await?.is_empty(),
        "the progress bar goes once the report is in"
    );

    // The page shows what the saved report says.
    let json = cli_json(ra.dir(), &["report", &id, "--last", "--json"], None)?;
    let r = &json[0];
    let text = |css: String| {
        let css = css.clone();
        async move { app.text(&app.find(&css).await?).await }
    };
    let under = r["totals"]["under_billed_cents"].as_i64().unwrap_or(-1);
    let over = r["totals"]["over_billed_cents"].as_i64().unwrap_or(-1);
    assert_eq!(text(tid("reconcile-total-under")).await?, money(under));
    assert_eq!(text(tid("reconcile-total-over")).await?, money(over));
    let unbilled = r["unbilled"].as_array().map_or(0, Vec::len);
    let orphans = r["orphans"].as_array().map_or(0, Vec::len);
    assert!(unbilled > 0 && orphans > 0, "{r}");
    assert_eq!(
        text(tid("reconcile-total-unbilled")).await?,
        unbilled.to_string()
    );
    assert_eq!(
        text(tid("reconcile-total-orphans")).await?,
        orphans.to_string()
    );
    assert_eq!(
        app.find_all(&tid("reconcile-unbilled-item")).await?.len(),
        unbilled
    );
    assert_eq!(app.find_all(&tid("reconcile-orphan")).await?.len(), orphans);
    let differing = r["rows"].as_array().map_or(0, |rows| {
        rows.iter().filter(|x| x["difference"] != 0).count()
    });
    assert!(differing > 0);
    assert_eq!(app.find_all(&tid("reconcile-row")).await?.len(), differing);
    assert!(!app
        .find_all(&tid("reconcile-skip-several_lines"))
        .await?
        .is_empty());
    assert!(!app.find_all(&tid("reconcile-print")).await?.is_empty());
    ra.shot("ui-reconcile-01-report").await;

    // Export CSV: the saved file holds the page's rows.
    app.click_css(&tid("reconcile-export")).await?;
    let path = app.wait_for(&tid("reconcile-export-path"), WAIT).await?;
    let path = app.text(&path).await?;
    let csv_text = std::fs::read_to_string(&path)?;
    let mut rd = csv::Reader::from_reader(csv_text.trim_start_matches('\u{feff}').as_bytes());
    let recs: Vec<csv::StringRecord> = rd.records().collect::<Result<_, _>>()?;
    let csv_differing = recs
        .iter()
        .filter(|x| &x[1] == "row" && &x[13] != "0")
        .count();
    assert_eq!(csv_differing, differing);
    assert_eq!(recs.iter().filter(|x| &x[1] == "orphan").count(), orphans);
    // Open folder: the file manager is asked for the folder the file is in.
    app.click_css(&tid("reconcile-export-open")).await?;
    let want = ra.dir().join("exports").display().to_string();
    let deadline = std::time::Instant::now() + SHORT;
    while ra.opened().as_deref() != Some(want.as_str()) {
        anyhow::ensure!(
            std::time::Instant::now() < deadline,
            "Open folder opened {:?}, not {want}",
            ra.opened()
        );
        tokio::time::sleep(Duration::from_millis(150)).await;
    }
    assert!(path.starts_with(&want), "{path} is in {want}");

    assert!(
        writes(&sb, Psa::Connectwise).is_empty(),
        "Reconcile wrote to the PSA"
    );

    // Trends: no run yet, so no chart; after a sync (through the CLI), the chart shows this
    // month's billed units per service, one line and legend entry per service the run billed.
    app.wait_for(&tid("trends-empty"), WAIT).await?;
    cli_json(ra.dir(), &["sync", &id, "--json"], None)?;
    let trends = cli_json(ra.dir(), &["runs", "--json"], None)?;
    assert!(trends.as_array().is_some_and(|r| !r.is_empty()), "{trends}");
    app.click_css(&tid("reconcile-read")).await?;
    app.wait_for(&tid("trends-chart"), Duration::from_secs(120))
        .await?;
    let series = app.find_all("[data-testid^='trends-series-']").await?.len();
    let legend = app
        .find_all(&format!("{} li", tid("trends-legend")))
        .await?
        .len();
    assert!(series > 0, "no service line in the chart");
    assert_eq!(series, legend, "one legend entry per line");
    let month = app.text(&app.find(&tid("trends-month")).await?).await?;
    let now = chrono::Utc::now();
    assert!(
        month.starts_with(&now.format("%b").to_string()),
        "{month} is this month"
    );
    let title = flows::eval_on(
        app,
        &tid("trends-chart"),
        "el.querySelector('title').textContent",
    )
    .await?;
    assert!(
        title
            .as_str()
            .is_some_and(|t| t.contains("per service and month")),
        "{title}"
    );
    // Each point says what it is.
    let point = flows::eval_on(
        app,
        &tid("trends-chart"),
        "el.querySelector('circle title').textContent",
    )
    .await?;
    assert!(point.as_str().is_some_and(|t| t.contains(':')), "{point}");
    flows::eval_on(
        app,
        &tid("trends"),
        "(el.scrollIntoView({block: 'center', behavior: 'instant'}), 'shown')",
    )
    .await?;
    ra.shot("ui-reconcile-02-trends").await;
    ra.close().await?;
    Ok(())
}
