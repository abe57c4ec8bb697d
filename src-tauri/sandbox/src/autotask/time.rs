//! Dates as the simulated Autotask tenant sees them: the API speaks UTC, but date-only fields
//! (ContractServiceAdjustments `effectiveDate`, contract and period bounds) are converted to the
//! tenant database's local zone and then truncated to a calendar day (reference §7, with the docs'
//! own example `2023-10-09T02:00:00` → `2023-10-08` for a US database).
//!
//! The zone is an IANA zone (chrono-tz, daylight saving included) or a fixed offset such as
//! `+13:00`, chosen with `psa-bridge sandbox --autotask-time-zone` or `POST /_sandbox/time-zone`;
//! the demo tenant is in America/New_York.

use chrono::{Datelike, Duration, NaiveDate, NaiveDateTime, NaiveTime, Offset, TimeZone};
use chrono_tz::Tz;
use serde::{Serialize, Serializer};

/// The tenant database's time zone.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TenantTimeZone {
    Named(Tz),
    /// Minutes east of UTC, no daylight saving.
    Fixed(i32),
}

impl TenantTimeZone {
    pub fn new_york() -> Self {
        TenantTimeZone::Named(Tz::America__New_York)
    }

    /// `America/New_York`, `UTC`, or a fixed offset: `+13`, `+13:00`, `-0530`, `UTC+13`.
    pub fn parse(s: &str) -> Result<TenantTimeZone, String> {
        let t = s.trim();
        if let Ok(tz) = t.parse::<Tz>() {
            return Ok(TenantTimeZone::Named(tz));
        }
        let bad = || {
            format!(
                "{t} is not a time zone: give an IANA name (Pacific/Tongatapu) or an offset from \
                 UTC between -12:00 and +14:00 (+13, -05:30)"
            )
        };
        let o = t
            .strip_prefix("UTC")
            .or_else(|| t.strip_prefix("GMT"))
            .unwrap_or(t);
        let (sign, rest) = match o.chars().next() {
            Some('+') => (1, &o[1..]),
            Some(c @ ('-' | '−')) => (-1, &o[c.len_utf8()..]),
            _ => return Err(bad()),
        };
        let (h, m) = match rest.split_once(':') {
            Some((h, m)) => (h, m),
            None if rest.len() == 4 => rest.split_at(2),
            None => (rest, "0"),
        };
        let (Ok(h), Ok(m)) = (h.parse::<i32>(), m.parse::<i32>()) else {
            return Err(bad());
        };
        let minutes = sign * (h * 60 + m);
        if !(0..60).contains(&m) || !(-12 * 60..=14 * 60).contains(&minutes) {
            return Err(bad());
        }
        Ok(TenantTimeZone::Fixed(minutes))
    }

    /// A fixed offset in minutes (tests use it for east-of-UTC tenants).
    pub fn fixed(offset_minutes: i32) -> Self {
        TenantTimeZone::Fixed(offset_minutes)
    }

    /// The IANA name, or `UTC+13:00` for a fixed offset.
    pub fn name(&self) -> String {
        match self {
            TenantTimeZone::Named(tz) => tz.name().to_string(),
            TenantTimeZone::Fixed(m) => {
                let sign = if *m < 0 { '-' } else { '+' };
                format!("UTC{sign}{:02}:{:02}", m.abs() / 60, m.abs() % 60)
            }
        }
    }

    /// Offset from UTC in minutes at the UTC instant `utc`.
    pub fn offset_minutes_at(&self, utc: NaiveDateTime) -> i32 {
        match self {
            TenantTimeZone::Named(tz) => {
                tz.offset_from_utc_datetime(&utc).fix().local_minus_utc() / 60
            }
            TenantTimeZone::Fixed(m) => *m,
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

/// `{"name": "Pacific/Tongatapu", "offsetMinutes": 780}` (the offset in force now).
impl Serialize for TenantTimeZone {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut st = s.serialize_struct("TenantTimeZone", 2)?;
        st.serialize_field("name", &self.name())?;
        st.serialize_field(
            "offsetMinutes",
            &self.offset_minutes_at(chrono::Utc::now().naive_utc()),
        )?;
        st.end()
    }
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

#[cfg(test)]
mod tests {
    use super::*;

    fn utc(s: &str) -> NaiveDateTime {
        parse_utc(s).unwrap()
    }

    fn day(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn zones_by_name_or_offset() {
        let cases = [
            ("Pacific/Tongatapu", "Pacific/Tongatapu"),
            ("UTC", "UTC"),
            ("+13", "UTC+13:00"),
            ("+13:00", "UTC+13:00"),
            ("UTC+14", "UTC+14:00"),
            ("-0530", "UTC-05:30"),
            ("−10", "UTC-10:00"),
        ];
        for (given, name) in cases {
            assert_eq!(
                TenantTimeZone::parse(given).unwrap().name(),
                name,
                "{given}"
            );
        }
        for bad in ["", "Europe/Berln", "+15", "-13", "+13:75", "13"] {
            let err = TenantTimeZone::parse(bad).unwrap_err();
            assert!(err.contains("is not a time zone"), "{bad}: {err}");
        }
    }

    #[test]
    fn stored_day_is_the_local_day_truncated() {
        // (zone, sent instant, day the database stores)
        let cases = [
            ("America/New_York", "2023-10-09T02:00:00", "2023-10-08"), // the docs' example
            ("Pacific/Tongatapu", "2025-06-17T12:00:00Z", "2025-06-18"), // noon UTC is 01:00 +13
            ("Pacific/Tongatapu", "2025-06-16T23:00:00Z", "2025-06-17"), // local noon in UTC
            ("+13", "2025-06-17T10:59:00Z", "2025-06-17"),
            ("+13", "2025-06-17T11:00:00Z", "2025-06-18"),
            ("Pacific/Kiritimati", "2025-06-16T22:00:00Z", "2025-06-17"),
            ("Pacific/Auckland", "2025-01-10T11:00:00Z", "2025-01-11"), // NZDT +13
            ("Pacific/Auckland", "2025-06-17T11:00:00Z", "2025-06-17"), // NZST +12
            ("Europe/London", "2025-06-30T23:30:00Z", "2025-07-01"),
            ("Pacific/Honolulu", "2025-06-18T09:59:00Z", "2025-06-17"),
        ];
        for (zone, sent, want) in cases {
            let z = TenantTimeZone::parse(zone).unwrap();
            assert_eq!(z.local_date(utc(sent)), day(want), "{zone} {sent}");
        }
        let json = serde_json::to_value(TenantTimeZone::fixed(780)).unwrap();
        assert_eq!(
            json,
            serde_json::json!({"name": "UTC+13:00", "offsetMinutes": 780})
        );
    }
}
