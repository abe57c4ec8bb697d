//! The monthly aggregation: pure, so every edge (months without runs, unpriced lines, a pair
//! written twice in a month) has a table test.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, NaiveDate, Utc};

use super::{Billed, TrendMonth, TrendPoint};
use crate::model::{CompanyRef, ProductRef};

/// The PSA line of a journal item: (company, product).
type Line = (CompanyRef, ProductRef);

/// The first day of `d`'s month.
fn month_of(d: NaiveDate) -> NaiveDate {
    d.with_day(1).unwrap_or(d)
}

fn next_month(d: NaiveDate) -> NaiveDate {
    d.checked_add_months(chrono::Months::new(1)).unwrap_or(d)
}

/// Months from the first run's (but at most `max_months` back from `now`) to `now`'s, each
/// with every pair's last known quantity at its end, summed per service.
pub fn monthly(
    journal: &[Billed],
    prices: &HashMap<(CompanyRef, ProductRef), i64>,
    now: DateTime<Utc>,
    max_months: u32,
) -> Vec<TrendMonth> {
    let Some(first) = journal.iter().map(|b| b.run_started).min() else {
        return Vec::new();
    };
    let last = month_of(now.date_naive());
    let earliest = last
        .checked_sub_months(chrono::Months::new(max_months.saturating_sub(1)))
        .unwrap_or(last);
    let mut month = month_of(first.date_naive()).max(earliest);
    // (workspace, service) → (line, quantity), as of the end of the month being built.
    let mut state: HashMap<(&str, &str), (Option<Line>, i64)> = HashMap::new();
    let mut items = journal.iter().peekable();
    let mut out = Vec::new();
    while month <= last {
        let end = next_month(month);
        let mut runs: Vec<DateTime<Utc>> = Vec::new();
        while let Some(b) = items.next_if(|b| b.run_started.date_naive() < end) {
            if b.run_started.date_naive() >= month && !runs.contains(&b.run_started) {
                runs.push(b.run_started);
            }
            state.insert(
                (b.workspace_id.as_str(), b.service_key.as_str()),
                (b.line, b.quantity),
            );
        }
        let mut per: BTreeMap<&str, TrendPoint> = BTreeMap::new();
        for (&(_, key), &(line, qty)) in &state {
            let p = per.entry(key).or_insert_with(|| TrendPoint {
                service_key: key.to_string(),
                units: 0,
                value_cents: 0,
                unpriced_lines: 0,
            });
            p.units += qty;
            match line.and_then(|l| prices.get(&l)) {
                Some(price) => p.value_cents += qty * price,
                None if qty != 0 => p.unpriced_lines += 1,
                None => {}
            }
        }
        out.push(TrendMonth {
            month: month.format("%Y-%m").to_string(),
            runs: runs.len() as u32,
            points: per.into_values().collect(),
        });
        month = end;
    }
    out
}
