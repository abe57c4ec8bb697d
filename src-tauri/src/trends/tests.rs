//! The monthly aggregation, case by case.

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
