//! Did an adjustment land on the day it was meant for? (reference §7: "after the first
//! adjustment, read back the new ContractServiceUnits `startDate` to verify").
//!
//! An adjustment splits the period covering its effective day: the database creates a units row
//! that starts on the day the `effectiveDate` landed on (or updates the row already starting on
//! that day, §4.5). A connector whose time zone is not the database's sends an instant that the
//! database truncates to the day before or after. Reading the line's rows back after the first
//! write of a run shows it: the newest row near the intended day starts on the day it landed on.
//! Judging is pure ([`judge_landing`]); [`AutotaskClient::check_landing`] reads the rows.

use chrono::{Duration, NaiveDate};

use super::client::AutotaskClient;
use super::models::ContractServiceUnit;
use super::query::Tally;
use super::tz::{parse_day, TenantZone};
use crate::psa::PsaError;

/// How far from the intended day a landing is looked for. A wrong zone moves the day by one
/// (offsets span 26 hours); two also matches the slack of the units read (`unit_periods`).
pub const LANDING_WINDOW_DAYS: i64 = 2;

/// Where an adjustment landed, as its line's units rows show.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Landing {
    /// The newest row near the intended day starts on it.
    Landed,
    /// The newest row near the intended day starts on this other day.
    LandedOn(NaiveDate),
    /// No row of the line starts near the intended day (nothing to judge by).
    Unknown,
}

/// Judges where an adjustment meant for `intended` landed on one line, from its
/// ContractServiceUnits rows read after the post (`after`) and, when the caller has them, the
/// same line's rows read before it (`before`). Rows of other lines and rows with unreadable dates
/// are ignored.
///
/// With `before`: a row that is new is the split the adjustment made, so it starts on the day the
/// adjustment landed on; with no new row the adjustment merged into the row already starting on
/// that day, which is the earliest row whose units moved (every later row moves by the same
/// delta). Nothing new and nothing moved: [`Landing::Unknown`] (the units may lag, §4.7).
///
/// Without `before`, ids tell the age of rows (period rows exist before any adjustment, and a
/// split row gets a higher id than what it split): a row starting on the intended day means it
/// landed there, unless a newer row starts after it; otherwise the newest row starting within
/// [`LANDING_WINDOW_DAYS`] shows the day. That cannot tell a landing on the day before a period
/// start from yesterday's split, so it says [`Landing::Landed`] there rather than stop a correct
/// run; pass `before` to judge exactly.
pub fn judge_landing(
    before: Option<&[ContractServiceUnit]>,
    after: &[ContractServiceUnit],
    contract_service_id: i64,
    intended: NaiveDate,
) -> Landing {
    let verdict = |start: NaiveDate| {
        if start == intended {
            Landing::Landed
        } else {
            Landing::LandedOn(start)
        }
    };
    let after = rows_of(after, contract_service_id);
    if let Some(before) = before {
        let before = rows_of(before, contract_service_id);
        let created = after
            .iter()
            .filter(|a| !before.iter().any(|b| b.id == a.id))
            .max_by_key(|a| a.id);
        if let Some(row) = created {
            return verdict(row.start);
        }
        let moved = after
            .iter()
            .filter(|a| before.iter().any(|b| b.id == a.id && b.units != a.units))
            .min_by_key(|a| (a.start, a.id));
        return moved.map_or(Landing::Unknown, |row| verdict(row.start));
    }
    let window = Duration::days(LANDING_WINDOW_DAYS);
    let near: Vec<&Row> = after
        .iter()
        .filter(|r| (r.start - intended).abs() <= window)
        .collect();
    let on_day = near
        .iter()
        .filter(|r| r.start == intended)
        .map(|r| r.id)
        .max();
    if let Some(on_day) = on_day {
        let later = near
            .iter()
            .filter(|r| r.start > intended && r.id > on_day)
            .max_by_key(|r| r.id);
        return later.map_or(Landing::Landed, |r| verdict(r.start));
    }
    near.iter()
        .max_by_key(|r| r.id)
        .map_or(Landing::Unknown, |r| verdict(r.start))
}

/// The parts of a units row that judging needs.
struct Row {
    id: i64,
    start: NaiveDate,
    units: Option<i64>,
}

fn rows_of(rows: &[ContractServiceUnit], contract_service_id: i64) -> Vec<Row> {
    rows.iter()
        .filter(|r| {
            r.contract_service_id
                .is_none_or(|id| id == contract_service_id)
        })
        .filter_map(|r| {
            Some(Row {
                id: r.id?,
                start: parse_day(r.start_date.as_deref()?)?,
                units: r.units,
            })
        })
        .collect()
}

/// An adjustment that Autotask stored on another day than the one it was sent for.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "An Autotask adjustment meant for {intended} landed on {landed} (contract service \
     {contract_service_id}), so writing stopped: check the connector's time zone{zone_note}. It \
     must be the Autotask database's time zone; change it with `psa-bridge connector \
     set-time-zone` or in the connector's settings, then correct that line in Autotask."
)]
pub struct LandedElsewhere {
    pub contract_service_id: i64,
    pub intended: NaiveDate,
    pub landed: NaiveDate,
    /// " (now America/New_York)", or empty when the connector has none.
    zone_note: String,
}

impl LandedElsewhere {
    pub fn new(
        contract_service_id: i64,
        intended: NaiveDate,
        landed: NaiveDate,
        zone: Option<TenantZone>,
    ) -> LandedElsewhere {
        LandedElsewhere {
            contract_service_id,
            intended,
            landed,
            zone_note: zone.map(|z| format!(" (now {z})")).unwrap_or_default(),
        }
    }
}

/// Not retryable, and the run fails with the message: the adjustment itself was stored (on the
/// wrong day), so it must never be sent again.
impl From<LandedElsewhere> for PsaError {
    fn from(e: LandedElsewhere) -> PsaError {
        PsaError::LandedElsewhere {
            message: e.to_string(),
            request_id: None,
        }
    }
}

impl AutotaskClient {
    /// Reads the units rows of one contract service around `intended` (one query) and judges
    /// where the adjustment just posted for it landed; `before` are that line's rows read before
    /// the post, when the caller kept them (see [`judge_landing`]).
    pub async fn check_landing(
        &self,
        contract_service_id: i64,
        intended: NaiveDate,
        before: Option<&[ContractServiceUnit]>,
        tally: &Tally,
    ) -> Result<Landing, PsaError> {
        let rows = self
            .unit_periods(&[contract_service_id], intended, tally)
            .await?;
        Ok(judge_landing(before, &rows, contract_service_id, intended))
    }

    /// `Ok` when the adjustment landed on `intended` (or nothing shows where it landed); the
    /// [`LandedElsewhere`] error, as a [`PsaError`], when it landed on another day.
    pub async fn ensure_landed(
        &self,
        contract_service_id: i64,
        intended: NaiveDate,
        before: Option<&[ContractServiceUnit]>,
        tally: &Tally,
    ) -> Result<Landing, PsaError> {
        match self
            .check_landing(contract_service_id, intended, before, tally)
            .await?
        {
            Landing::LandedOn(landed) => {
                Err(
                    LandedElsewhere::new(contract_service_id, intended, landed, self.time_zone())
                        .into(),
                )
            }
            other => Ok(other),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: i64 = 29684410;

    fn row(id: i64, line: Option<i64>, start: &str, end: &str) -> ContractServiceUnit {
        ContractServiceUnit {
            id: Some(id),
            contract_service_id: line,
            start_date: Some(start.into()),
            end_date: Some(end.into()),
            units: Some(1),
            ..Default::default()
        }
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn with_units(mut r: ContractServiceUnit, units: i64) -> ContractServiceUnit {
        r.units = Some(units);
        r
    }

    #[test]
    fn landing_from_the_rows_after_alone() {
        let june = row(
            10,
            Some(LINE),
            "2025-06-01T00:00:00Z",
            "2025-06-30T00:00:00Z",
        );
        let july = row(
            11,
            Some(LINE),
            "2025-07-01T00:00:00Z",
            "2025-07-31T00:00:00Z",
        );
        let split = |id, day: &str| row(id, Some(LINE), day, "2025-06-30T00:00:00Z");
        let cases: Vec<(&str, Vec<ContractServiceUnit>, &str, Landing)> = vec![
            (
                "split on the intended day",
                vec![june.clone(), split(20, "2025-06-17T00:00:00Z")],
                "2025-06-17",
                Landing::Landed,
            ),
            (
                "a +13 tenant sent noon UTC: the next day",
                vec![june.clone(), split(20, "2025-06-18T00:00:00Z")],
                "2025-06-17",
                Landing::LandedOn(d("2025-06-18")),
            ),
            (
                "a US tenant sent midnight UTC: the day before",
                vec![june.clone(), split(20, "2025-06-16T00:00:00")],
                "2025-06-17",
                Landing::LandedOn(d("2025-06-16")),
            ),
            (
                "merged into the period that starts on the day",
                vec![june.clone(), july.clone()],
                "2025-07-01",
                Landing::Landed,
            ),
            (
                "the first of the month after yesterday's split",
                vec![
                    june.clone(),
                    july.clone(),
                    split(20, "2025-06-30T00:00:00Z"),
                ],
                "2025-07-01",
                Landing::Landed,
            ),
            (
                "a day late on the first of the month",
                vec![
                    june.clone(),
                    july.clone(),
                    row(
                        20,
                        Some(LINE),
                        "2025-07-02T00:00:00Z",
                        "2025-07-31T00:00:00Z",
                    ),
                ],
                "2025-07-01",
                Landing::LandedOn(d("2025-07-02")),
            ),
            (
                "a period's last day, merged into the next period",
                vec![june.clone(), july.clone()],
                "2025-06-30",
                Landing::LandedOn(d("2025-07-01")),
            ),
            (
                "yesterday's split is older than today's",
                vec![
                    june.clone(),
                    split(20, "2025-06-16T00:00:00Z"),
                    split(21, "2025-06-17T00:00:00Z"),
                ],
                "2025-06-17",
                Landing::Landed,
            ),
            (
                "another line's row is not this line's landing",
                vec![
                    june.clone(),
                    row(30, Some(1), "2025-06-18T00:00:00Z", "2025-06-30T00:00:00Z"),
                ],
                "2025-06-17",
                Landing::Unknown,
            ),
            ("no rows", vec![], "2025-06-17", Landing::Unknown),
            (
                "only a far period start",
                vec![june.clone()],
                "2025-06-17",
                Landing::Unknown,
            ),
            (
                "unreadable dates are ignored",
                vec![june, row(40, Some(LINE), "garbage", "2025-06-30")],
                "2025-06-17",
                Landing::Unknown,
            ),
        ];
        for (name, rows, intended, want) in cases {
            assert_eq!(
                judge_landing(None, &rows, LINE, d(intended)),
                want,
                "{name}"
            );
        }
    }

    #[test]
    fn landing_from_the_rows_before_and_after() {
        let june = row(
            10,
            Some(LINE),
            "2025-06-01T00:00:00Z",
            "2025-06-30T00:00:00Z",
        );
        let july = row(
            11,
            Some(LINE),
            "2025-07-01T00:00:00Z",
            "2025-07-31T00:00:00Z",
        );
        let yesterday = row(
            20,
            Some(LINE),
            "2025-06-30T00:00:00Z",
            "2025-06-30T00:00:00Z",
        );
        let before = vec![june.clone(), yesterday.clone(), july.clone()];
        let cases: Vec<(&str, Vec<ContractServiceUnit>, &str, Landing)> = vec![
            (
                "merged into the period starting on the day",
                vec![june.clone(), yesterday.clone(), with_units(july.clone(), 4)],
                "2025-07-01",
                Landing::Landed,
            ),
            (
                "merged into yesterday's split: a day early",
                vec![
                    june.clone(),
                    with_units(yesterday.clone(), 4),
                    with_units(july.clone(), 4),
                ],
                "2025-07-01",
                Landing::LandedOn(d("2025-06-30")),
            ),
            (
                "a new split a day late",
                vec![
                    june.clone(),
                    yesterday.clone(),
                    row(
                        11,
                        Some(LINE),
                        "2025-07-01T00:00:00Z",
                        "2025-07-01T00:00:00Z",
                    ),
                    row(
                        22,
                        Some(LINE),
                        "2025-07-02T00:00:00Z",
                        "2025-07-31T00:00:00Z",
                    ),
                ],
                "2025-07-01",
                Landing::LandedOn(d("2025-07-02")),
            ),
            (
                "nothing moved yet",
                before.clone(),
                "2025-07-01",
                Landing::Unknown,
            ),
        ];
        for (name, after, intended, want) in cases {
            assert_eq!(
                judge_landing(Some(&before), &after, LINE, d(intended)),
                want,
                "{name}"
            );
        }
    }

    #[test]
    fn landed_elsewhere_says_to_check_the_time_zone() {
        let zone = TenantZone::parse("UTC").ok();
        let e = LandedElsewhere::new(LINE, d("2025-06-17"), d("2025-06-18"), zone);
        let msg = e.to_string();
        for needle in [
            "meant for 2025-06-17 landed on 2025-06-18",
            "check the connector's time zone (now UTC)",
            "set-time-zone",
        ] {
            assert!(msg.contains(needle), "{msg}");
        }
        let p: PsaError = e.into();
        assert!(matches!(p, PsaError::LandedElsewhere { ref message, .. } if *message == msg));
        let none = LandedElsewhere::new(LINE, d("2025-06-17"), d("2025-06-16"), None);
        assert!(none.to_string().contains("time zone. It must"), "{none}");
    }
}
