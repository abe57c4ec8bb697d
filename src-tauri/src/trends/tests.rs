//! The monthly aggregation, case by case, and the journal query on a real SQLite file.

use std::collections::HashMap;

use chrono::{DateTime, TimeZone, Utc};

use super::aggregate::monthly;
use super::Billed;
use crate::model::{CompanyRef, ProductRef};

fn at(y: i32, m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(y, m, d, 6, 0, 0)
        .single()
        .expect("time")
}

fn billed(when: DateTime<Utc>, ws: &str, key: &str, product: i64, qty: i64) -> Billed {
    Billed {
        run_started: when,
        workspace_id: ws.into(),
        service_key: key.into(),
        line: Some((CompanyRef(1), ProductRef(product))),
        quantity: qty,
    }
}

fn units(m: &super::TrendMonth, key: &str) -> (i64, i64, u32) {
    m.points
        .iter()
        .find(|p| p.service_key == key)
        .map_or((0, 0, 0), |p| (p.units, p.value_cents, p.unpriced_lines))
}

#[test]
fn months_without_runs_carry_the_last_quantities() {
    let journal = vec![
        billed(at(2026, 8, 3), "a", "edr", 11, 10),
        billed(at(2026, 8, 3), "b", "edr", 11, 5),
        // September and October: no run.
        billed(at(2026, 11, 2), "a", "edr", 11, 12),
    ];
    let prices = HashMap::from([((CompanyRef(1), ProductRef(11)), 425)]);
    let months = monthly(&journal, &prices, at(2026, 12, 7), 12);
    let names: Vec<&str> = months.iter().map(|m| m.month.as_str()).collect();
    assert_eq!(
        names,
        ["2026-08", "2026-09", "2026-10", "2026-11", "2026-12"]
    );
    let runs: Vec<u32> = months.iter().map(|m| m.runs).collect();
    assert_eq!(runs, [1, 0, 0, 1, 0]);
    assert_eq!(units(&months[0], "edr"), (15, 15 * 425, 0));
    assert_eq!(units(&months[1], "edr"), (15, 15 * 425, 0), "carried");
    assert_eq!(units(&months[3], "edr"), (17, 17 * 425, 0));
    assert_eq!(units(&months[4], "edr"), (17, 17 * 425, 0));
}

#[test]
fn the_last_run_of_a_month_wins_and_values_come_from_unit_prices() {
    let journal = vec![
        billed(at(2026, 11, 2), "a", "edr", 11, 10),
        billed(at(2026, 11, 20), "a", "edr", 11, 14),
        billed(at(2026, 11, 20), "a", "mdm", 12, 3),
        billed(at(2026, 11, 20), "a", "ztna", 13, 0),
    ];
    // mdm's line has no price: counted in units, not valued; a 0 line is no unpriced line.
    let prices = HashMap::from([((CompanyRef(1), ProductRef(11)), 300)]);
    let months = monthly(&journal, &prices, at(2026, 11, 30), 12);
    assert_eq!(months.len(), 1);
    assert_eq!(months[0].runs, 2);
    assert_eq!(units(&months[0], "edr"), (14, 4200, 0));
    assert_eq!(units(&months[0], "mdm"), (3, 0, 1));
    assert_eq!(units(&months[0], "ztna"), (0, 0, 0));
}

#[test]
fn history_is_cut_to_the_last_months_but_keeps_what_was_billed() {
    let journal = vec![billed(at(2025, 1, 5), "a", "edr", 11, 9)];
    let months = monthly(&journal, &HashMap::new(), at(2026, 12, 7), 3);
    let names: Vec<&str> = months.iter().map(|m| m.month.as_str()).collect();
    assert_eq!(names, ["2026-10", "2026-11", "2026-12"]);
    assert_eq!(
        units(&months[0], "edr"),
        (9, 0, 1),
        "the 2025 run's quantity still billed"
    );
    assert!(monthly(&[], &HashMap::new(), at(2026, 12, 7), 12).is_empty());
}

/// The journal as the store keeps it (a real SQLite file): an applied write counts its new
/// quantity, a failed one and a skipped one what the line held; dry runs are left out.
#[test]
fn the_journal_reads_what_the_psa_bills_after_each_run() {
    use crate::model::PsaKind;
    use crate::store::runs::{
        add_items, create, finish, set_item_outcome, ItemAction, ItemOutcome, NewItem,
        OutcomeUpdate, RunStatus, RunTrigger,
    };
    use crate::store::testing::{at as minute, temp_store};

    let t = temp_store();
    let conn = t.store.conn().expect("conn");
    let c = crate::store::connectors::insert(
        &conn,
        PsaKind::Connectwise,
        "CW",
        &serde_json::json!({}),
        minute(0),
    )
    .expect("connector");
    let item = |ws: &str, action: ItemAction, before: i64, after: i64| NewItem {
        workspace_id: crate::model::WorkspaceId(ws.into()),
        workspace_name: None,
        service_key: "edr".into(),
        company_id: Some(CompanyRef(7)),
        product_id: Some(ProductRef(11)),
        line_ref: None,
        action,
        before_qty: Some(before),
        after_qty: Some(after),
        outcome: if action == ItemAction::Skip {
            ItemOutcome::Skipped
        } else {
            ItemOutcome::Planned
        },
        reason: None,
        cause: None,
    };
    let done = |outcome| OutcomeUpdate {
        outcome,
        reason: None,
        request_id: None,
        line_ref: None,
    };
    let run = create(&conn, c, RunTrigger::Cli, false, minute(1)).expect("run");
    let ids = add_items(
        &conn,
        run,
        &[
            item("a", ItemAction::Increase, 10, 12),
            item("b", ItemAction::Decrease, 8, 6),
            item("c", ItemAction::Skip, 3, 3),
        ],
        minute(1),
    )
    .expect("items");
    set_item_outcome(&conn, ids[0], &done(ItemOutcome::Applied), minute(2)).expect("applied");
    set_item_outcome(&conn, ids[1], &done(ItemOutcome::Failed), minute(2)).expect("failed");
    finish(&conn, run, RunStatus::Partial, None, minute(3)).expect("finish");
    let dry = create(&conn, c, RunTrigger::Cli, true, minute(4)).expect("dry run");
    add_items(
        &conn,
        dry,
        &[item("a", ItemAction::Increase, 12, 99)],
        minute(4),
    )
    .expect("items");
    finish(&conn, dry, RunStatus::Succeeded, None, minute(5)).expect("finish");

    let got: Vec<(String, i64)> = super::journal(&conn, c)
        .expect("journal")
        .into_iter()
        .map(|b| (b.workspace_id, b.quantity))
        .collect();
    assert_eq!(
        got,
        [("a".into(), 12), ("b".into(), 8), ("c".into(), 3)],
        "applied: the new quantity; failed and skipped: what the line held; no dry run"
    );
}
