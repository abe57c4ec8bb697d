//! Billing cadence and noise threshold, per connector (Autotask reference §10: daily syncing into
//! prorating contracts makes billing noise that can only be offset, never deleted).
//!
//! - *Daily* (the default): every run writes what the plan calls for.
//! - *Monthly on day D* (1–28): the plan is still made and shown every day, but its changes are
//!   written only by the first run on or after day D of the month (the connector's day: the
//!   Autotask database's time zone), once per month; Autotask adjustments then take effect on the
//!   1st of the month (the period start), so the month is billed at one quantity. Other runs show
//!   each change as *skipped* with the day it will be written.
//! - *Noise threshold* (default off): a change smaller than N units, or than N % of the current
//!   quantity, is shown as *below threshold* and not written. A change to or from 0 (a customer
//!   starting or leaving) is never below it.
//!
//! Applied to a finished plan ([`apply`]), so the planner's own table stays as it is; every
//! changed item keeps its before → after and says why it is not written. Settings live in
//! `settings` (`billing:<connector>`), the month last written in `billing_written:<connector>`.

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use ts_rs::TS;

use super::model::{Action, Flag, Plan, PlanTotals};
use crate::model::{Cause, ConnectorId};
use crate::psa::Psa;
use crate::store::runs::RunStatus;
use crate::store::{settings, Store, StoreError};

/// A change smaller than this is noise.
#[derive(Debug, Clone, Copy, PartialEq, Serialize, Deserialize, TS)]
#[serde(tag = "kind", content = "value", rename_all = "snake_case")]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub enum Threshold {
    Units(#[ts(type = "number")] i64),
    /// Percent of the current quantity.
    Percent(f64),
}

/// One connector's billing cadence and threshold.
#[derive(Debug, Clone, Copy, PartialEq, Default, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct Billing {
    /// `None`: daily. `Some(d)`: monthly, written by the first run on or after day `d` (1–28).
    pub monthly_day: Option<u8>,
    /// `None`: every change is written.
    pub threshold: Option<Threshold>,
    /// Propose creating a line where a mapped company's one active agreement / contract has none
    /// for a mapped product (always held for approval; see [`super::create`]). Off by default.
    #[serde(default)]
    pub create_missing: bool,
}

impl Billing {
    /// Refuses settings that cannot work, saying how to fix them.
    pub fn validate(&self) -> Result<(), String> {
        if let Some(d) = self.monthly_day {
            if !(1..=28).contains(&d) {
                return Err(format!(
                    "The monthly billing day must be 1–28 (every month has it); got {d}"
                ));
            }
        }
        match self.threshold {
            Some(Threshold::Units(n)) if n < 1 => Err(format!(
                "The threshold in units must be at least 1; got {n} (leave it off for none)"
            )),
            Some(Threshold::Percent(p)) if !(p > 0.0 && p <= 100.0) => Err(format!(
                "The threshold percent must be above 0 and at most 100; got {p}"
            )),
            _ => Ok(()),
        }
    }

    /// One line for lists: `daily`, `monthly on day 1, threshold 2 units`.
    pub fn describe(&self) -> String {
        let cadence = match self.monthly_day {
            None => "daily".to_string(),
            Some(d) => format!("monthly on day {d}"),
        };
        let text = match self.threshold {
            None => cadence,
            Some(Threshold::Units(n)) => format!("{cadence}, threshold {n} unit(s)"),
            Some(Threshold::Percent(p)) => format!("{cadence}, threshold {p} %"),
        };
        if self.create_missing {
            format!("{text}, creates missing lines (held for approval)")
        } else {
            text
        }
    }
}

fn key(connector: ConnectorId) -> String {
    format!("billing:{}", connector.0)
}

fn written_key(connector: ConnectorId) -> String {
    format!("billing_written:{}", connector.0)
}

pub fn load(conn: &Connection, connector: ConnectorId) -> Result<Billing, StoreError> {
    Ok(settings::get_json(conn, &key(connector))?.unwrap_or_default())
}

pub fn save(conn: &Connection, connector: ConnectorId, b: &Billing) -> Result<(), StoreError> {
    b.validate().map_err(StoreError::Invalid)?;
    crate::store::connectors::require(conn, connector)?;
    settings::set_json(conn, &key(connector), b)
}

fn month(day: NaiveDate) -> String {
    format!("{:04}-{:02}", day.year(), day.month())
}

/// The first day of `day`'s month: the period a monthly write takes effect from.
pub fn period_start(day: NaiveDate) -> NaiveDate {
    day.with_day(1).unwrap_or(day)
}

/// The month a monthly connector last wrote (`YYYY-MM`).
pub fn written(conn: &Connection, connector: ConnectorId) -> Result<Option<String>, StoreError> {
    settings::get(conn, &written_key(connector))
}

/// Whether a run on `today` writes: daily always; monthly from day D on, once per month.
pub fn due(b: &Billing, today: NaiveDate, written: Option<&str>) -> bool {
    match b.monthly_day {
        None => true,
        Some(d) => u32::from(d) <= today.day() && written != Some(month(today).as_str()),
    }
}

/// The day a write takes effect from, when not today (monthly: the period start).
pub fn effective_day(b: &Billing, today: NaiveDate) -> Option<NaiveDate> {
    b.monthly_day.map(|_| period_start(today))
}

/// The next day a monthly connector writes, after `today`'s month was written or before its day.
fn next_write(d: u8, today: NaiveDate, written: Option<&str>) -> NaiveDate {
    let this = today.with_day(u32::from(d)).unwrap_or(today);
    if today < this && written != Some(month(today).as_str()) {
        return this;
    }
    let (y, m) = if today.month() == 12 {
        (today.year() + 1, 1)
    } else {
        (today.year(), today.month() + 1)
    };
    NaiveDate::from_ymd_opt(y, m, u32::from(d)).unwrap_or(this)
}

fn below(threshold: Threshold, before: i64, after: i64) -> Option<String> {
    if before == 0 || after == 0 || before == after {
        return None;
    }
    let delta = (after - before).abs();
    let sign = if after > before { "+" } else { "−" };
    match threshold {
        Threshold::Units(n) if delta < n => Some(format!(
            "Below threshold: {before} → {after} ({sign}{delta}) is under the {n}-unit threshold; not written"
        )),
        Threshold::Percent(p) if (delta as f64) * 100.0 < p * before as f64 => Some(format!(
            "Below threshold: {before} → {after} ({sign}{delta}) is under {p} % of {before}; not written"
        )),
        _ => None,
    }
}

/// Marks the plan's changes that this connector's cadence or threshold keeps from being written
/// (action *skip*, with the reason and a flag); the totals are recounted.
pub fn apply(plan: &mut Plan, b: &Billing, today: NaiveDate, written: Option<&str>) {
    let due_now = due(b, today, written);
    for item in &mut plan.items {
        if !matches!(
            item.action,
            Action::Increase | Action::Decrease | Action::Hold
        ) {
            continue;
        }
        let (Some(before), Some(after)) = (item.before, item.after) else {
            continue;
        };
        if let Some(why) = b.threshold.and_then(|t| below(t, before, after)) {
            item.action = Action::Skip;
            item.reason = Some(why);
            item.flag = Some(Flag::BelowThreshold);
            item.cause = Some(Cause::BelowThreshold);
            continue;
        }
        if let (false, Some(d)) = (due_now, b.monthly_day) {
            let next = next_write(d, today, written);
            let was = match item.action {
                Action::Hold => format!(
                    " (then held for approval: {})",
                    item.reason.as_deref().unwrap_or("over a limit")
                ),
                _ => String::new(),
            };
            item.action = Action::Skip;
            item.reason = Some(format!(
                "Monthly billing: {before} → {after} is written on {next}, effective {}{was}",
                period_start(next)
            ));
            item.flag = Some(Flag::Deferred);
            item.cause = Some(Cause::Deferred);
        }
    }
    plan.totals = PlanTotals::of(&plan.items);
}

/// After a real run: a monthly connector's month counts as written once a run on or after its
/// day succeeds (a failed or partial run leaves it open, so the next run finishes the month).
pub fn record_run(
    conn: &Connection,
    connector: ConnectorId,
    b: &Billing,
    today: NaiveDate,
    status: RunStatus,
) -> Result<(), StoreError> {
    let written = written(conn, connector)?;
    if b.monthly_day.is_some()
        && due(b, today, written.as_deref())
        && status == RunStatus::Succeeded
    {
        settings::set(conn, &written_key(connector), &month(today))?;
    }
    Ok(())
}

/// The hook in the plan: this connector's cadence and threshold applied to `plan` as of `now`.
pub async fn shape<P: Psa>(
    store: &Store,
    psa: &P,
    plan: &mut Plan,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let connector = plan.connector_id;
    let (b, written) = store
        .call(move |conn| Ok((load(conn, connector)?, written(conn, connector)?)))
        .await?;
    if b == Billing::default() {
        return Ok(());
    }
    apply(plan, &b, psa.billing_day(now), written.as_deref());
    Ok(())
}

/// The hook before writing: a monthly connector's writes take effect from the period start.
pub async fn before_apply<P: Psa>(
    store: &Store,
    psa: &P,
    connector: ConnectorId,
    now: DateTime<Utc>,
) -> Result<(), StoreError> {
    let b = store.call(move |conn| load(conn, connector)).await?;
    psa.set_effective_day(effective_day(&b, psa.billing_day(now)));
    Ok(())
}

/// The hook after a real run (see [`record_run`]).
pub async fn after_run<P: Psa>(
    store: &Store,
    psa: &P,
    connector: ConnectorId,
    now: DateTime<Utc>,
    status: RunStatus,
) -> Result<(), StoreError> {
    let today = psa.billing_day(now);
    store
        .call(move |conn| {
            let b = load(conn, connector)?;
            record_run(conn, connector, &b, today, status)
        })
        .await
}
