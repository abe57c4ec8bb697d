//! Dates as the simulated Autotask tenant sees them: the API speaks UTC, but date-only fields
//! (ContractServiceAdjustments `effectiveDate`, contract and period bounds) are converted to the
//! tenant database's local zone and then truncated to a calendar day (reference §7, with the docs'
//! own example `2023-10-09T02:00:00` → `2023-10-08` for a US database).
//!
//! chrono-tz is not available, so the zone is a standard offset plus an optional US daylight-saving
//! rule, which covers the demo tenant (America/New_York) exactly.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Weekday};
use serde::Serialize;

/// The tenant database's time zone.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct TenantTimeZone {
    /// IANA name, informational only.
    pub name: String,
    /// Offset from UTC outside daylight-saving time, in minutes (New York: -300).
    pub standard_offset_minutes: i32,
    /// Apply the US rule: +1 h from the second Sunday of March 02:00 local to the first Sunday of
    /// November 02:00 local.
    pub us_dst: bool,
}

impl TenantTimeZone {
    pub fn new_york() -> Self {
        TenantTimeZone {
            name: "America/New_York".to_string(),
            standard_offset_minutes: -300,
            us_dst: true,
        }
    }

    /// A zone without daylight-saving time (tests use it to exercise east-of-UTC tenants).
    pub fn fixed(name: &str, offset_minutes: i32) -> Self {
        TenantTimeZone {
            name: name.to_string(),
            standard_offset_minutes: offset_minutes,
            us_dst: false,
        }
    }

    /// Offset from UTC in minutes at the UTC instant `utc`.
    pub fn offset_minutes_at(&self, utc: NaiveDateTime) -> i32 {
        let std = self.standard_offset_minutes;
        if !self.us_dst {
            return std;
        }
        let year = utc.year();
        // Both switches happen at 02:00 local time; expressed in UTC they depend on the offset in
        // force just before the switch (standard in March, daylight in November).
        let (Some(start_day), Some(end_day)) = (
            nth_weekday(year, 3, Weekday::Sun, 2),
            nth_weekday(year, 11, Weekday::Sun, 1),
        ) else {
            return std;
        };
        let two_am = NaiveTime::from_hms_opt(2, 0, 0).unwrap_or(NaiveTime::MIN);
        let start_utc = start_day.and_time(two_am) - Duration::minutes(i64::from(std));
        let end_utc = end_day.and_time(two_am) - Duration::minutes(i64::from(std + 60));
        if utc >= start_utc && utc < end_utc {
            std + 60
        } else {
            std
        }
    }

    /// The tenant-local calendar day of a UTC instant: what a date-only field stores.
    pub fn local_date(&self, utc: NaiveDateTime) -> NaiveDate {
        (utc + Duration::minutes(i64::from(self.offset_minutes_at(utc)))).date()
    }

    /// "Today" in the tenant's business sense.
    pub fn today(&self) -> NaiveDate {
        self.local_date(chrono::Utc::now().naive_utc())
    }
}

fn nth_weekday(year: i32, month: u32, weekday: Weekday, n: u8) -> Option<NaiveDate> {
    NaiveDate::from_weekday_of_month_opt(year, month, weekday, n)
}

/// Parses the date-time forms clients send: `YYYY-MM-DD`, `YYYY-MM-DDThh:mm[:ss[.fff]]`, with an
/// optional `Z` or `±hh:mm` suffix. Values without an offset are UTC, as the REST API documents.
pub fn parse_utc(s: &str) -> Option<NaiveDateTime> {
    let s = s.trim();
    if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return Some(d.and_time(NaiveTime::MIN));
    }
    if let Ok(dt) = chrono::DateTime::parse_from_rfc3339(s) {
        return Some(dt.naive_utc());
    }
    let bare = s
        .strip_suffix('Z')
        .or_else(|| s.strip_suffix('z'))
        .unwrap_or(s);
    for fmt in [
        "%Y-%m-%dT%H:%M:%S%.f",
        "%Y-%m-%dT%H:%M:%S",
        "%Y-%m-%dT%H:%M",
        "%Y-%m-%d %H:%M:%S%.f",
    ] {
        if let Ok(dt) = NaiveDateTime::parse_from_str(bare, fmt) {
            return Some(dt);
        }
    }
    None
}

/// Date-only values go out as midnight UTC, the shape of the reference's samples.
pub fn fmt_date(d: NaiveDate) -> String {
    format!("{}T00:00:00Z", d.format("%Y-%m-%d"))
}

/// Timestamps go out with milliseconds, like the samples' `createDate`.
pub fn fmt_timestamp(dt: NaiveDateTime) -> String {
    format!("{}Z", dt.format("%Y-%m-%dT%H:%M:%S%.3f"))
}

/// The calendar day of a stored date field (`"2025-06-01T00:00:00Z"`).
pub fn stored_date(v: &serde_json::Value) -> Option<NaiveDate> {
    v.as_str().and_then(parse_utc).map(|dt| dt.date())
}

/// First day of the month `months` after (or before, if negative) the month of `d`.
pub fn add_months(d: NaiveDate, months: i32) -> NaiveDate {
    let total = d.year() * 12 + d.month0() as i32 + months;
    let (y, m0) = (total.div_euclid(12), total.rem_euclid(12) as u32);
    NaiveDate::from_ymd_opt(y, m0 + 1, 1).unwrap_or(d)
}

pub fn last_of_month(d: NaiveDate) -> NaiveDate {
    add_months(d, 1).pred_opt().unwrap_or(d)
}
