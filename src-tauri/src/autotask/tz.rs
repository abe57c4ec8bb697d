//! Calendar days as the Autotask database sees them (reference §7).
//!
//! The REST API speaks UTC, but date-only fields such as an adjustment's `effectiveDate` are
//! converted to the database's local zone and then truncated to a day. A midnight-UTC value
//! therefore lands on the previous day for every tenant west of UTC. What we send is the
//! tenant's local noon expressed in UTC: noon leaves ±11 h of slack, so a wrong DST hour or a
//! few minutes of clock skew never move the day. Without a known offset we fall back to the
//! reference's `T12:00:00Z`, which is right for offsets from UTC−12 to UTC+11.
//!
//! No function here reads the clock: "today" is always a parameter.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, Utc};

/// Most negative and most positive offsets in use (Baker Island −12, Kiribati +14).
const MIN_OFFSET_MINUTES: i32 = -12 * 60;
const MAX_OFFSET_MINUTES: i32 = 14 * 60;

/// The Autotask database's offset from UTC, in minutes (New York in winter: −300).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TenantOffset(i32);

impl TenantOffset {
    /// None for offsets no time zone uses, so a typo cannot shift every adjustment.
    pub fn from_minutes(minutes: i32) -> Option<TenantOffset> {
        (MIN_OFFSET_MINUTES..=MAX_OFFSET_MINUTES)
            .contains(&minutes)
            .then_some(TenantOffset(minutes))
    }

    pub fn minutes(self) -> i32 {
        self.0
    }
}

/// The tenant-local calendar day at the UTC instant `now`.
pub fn local_day(now: DateTime<Utc>, offset: TenantOffset) -> NaiveDate {
    (now.naive_utc() + Duration::minutes(i64::from(offset.0))).date()
}

/// `effectiveDate` that the database stores as `day`: local noon in UTC, `YYYY-MM-DDThh:mm:ssZ`.
pub fn effective_date(day: NaiveDate, offset: Option<TenantOffset>) -> String {
    let noon = day.and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap_or(NaiveTime::MIN));
    let utc = match offset {
        Some(o) => noon - Duration::minutes(i64::from(o.0)),
        None => noon,
    };
    utc.format("%Y-%m-%dT%H:%M:%SZ").to_string()
}

/// Midnight-UTC form of a day, for query filters on date fields.
pub fn filter_date(day: NaiveDate) -> String {
    format!("{}T00:00:00Z", day.format("%Y-%m-%d"))
}

/// The calendar day of a date field as Autotask returns it (`2025-06-01T00:00:00Z`,
/// `2025-06-01T00:00:00`, `2025-06-01T00:00:00.000Z`, `2025-06-01`). Only the `YYYY-MM-DD` part
/// counts: date-only fields are already truncated to the tenant's day (reference §4.5).
pub fn parse_day(s: &str) -> Option<NaiveDate> {
    let head = s.trim().get(..10)?;
    NaiveDate::parse_from_str(head, "%Y-%m-%d").ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    /// The stored day for an `effectiveDate` sent to a database at `offset` minutes: what the
    /// docs' example shows the server doing (convert to local, truncate).
    fn stored_day(sent: &str, offset: i32) -> NaiveDate {
        let utc = chrono::NaiveDateTime::parse_from_str(sent, "%Y-%m-%dT%H:%M:%SZ").unwrap();
        (utc + Duration::minutes(i64::from(offset))).date()
    }

    #[test]
    fn effective_date_lands_on_the_tenants_day() {
        // (tenant offset in minutes or unknown, day, sent value)
        let cases = [
            (None, "2025-06-17", "2025-06-17T12:00:00Z"),
            (Some(0), "2025-06-17", "2025-06-17T12:00:00Z"),
            (Some(-300), "2025-06-17", "2025-06-17T17:00:00Z"), // New York, standard time
            (Some(-240), "2025-06-17", "2025-06-17T16:00:00Z"), // New York, daylight time
            (Some(-480), "2025-01-01", "2025-01-01T20:00:00Z"), // Los Angeles
            (Some(-600), "2025-03-01", "2025-03-01T22:00:00Z"), // Hawaii
            (Some(60), "2025-06-17", "2025-06-17T11:00:00Z"),   // Central Europe
            (Some(330), "2025-06-17", "2025-06-17T06:30:00Z"),  // India
            (Some(720), "2025-06-17", "2025-06-17T00:00:00Z"),  // New Zealand standard
            (Some(780), "2025-01-01", "2024-12-31T23:00:00Z"),  // New Zealand daylight
            (Some(840), "2025-06-17", "2025-06-16T22:00:00Z"),  // Kiribati
            (Some(-720), "2024-02-29", "2024-03-01T00:00:00Z"), // UTC−12, leap day
        ];
        for (offset, day, want) in cases {
            let o = offset.map(|m| TenantOffset::from_minutes(m).unwrap());
            let sent = effective_date(d(day), o);
            assert_eq!(sent, want, "offset {offset:?}");
            // The property that matters: the database stores the intended day, even when
            // the real offset is one DST hour away from the configured one.
            let real = offset.unwrap_or(0);
            for drift in [-60, 0, 60] {
                assert_eq!(
                    stored_day(&sent, real + drift),
                    d(day),
                    "offset {offset:?} drift {drift}"
                );
            }
        }
    }

    #[test]
    fn noon_utc_fallback_is_right_from_minus_12_to_plus_11() {
        let sent = effective_date(d("2025-06-17"), None);
        for offset in (-12 * 60..=11 * 60).step_by(30) {
            assert_eq!(
                stored_day(&sent, offset),
                d("2025-06-17"),
                "offset {offset}"
            );
        }
        // …and shifts forward for +12 and beyond, which is why a known offset is better.
        assert_eq!(stored_day(&sent, 13 * 60), d("2025-06-18"));
    }

    #[test]
    fn local_day_table() {
        let at = |s: &str| DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc);
        let cases = [
            ("2025-06-18T03:30:00Z", -300, "2025-06-17"),
            ("2025-06-18T05:00:00Z", -300, "2025-06-18"),
            ("2025-06-17T23:30:00Z", 60, "2025-06-18"),
            ("2025-06-17T11:59:00Z", 780, "2025-06-18"),
            ("2025-06-17T12:00:00Z", 0, "2025-06-17"),
        ];
        for (now, offset, want) in cases {
            let o = TenantOffset::from_minutes(offset).unwrap();
            assert_eq!(local_day(at(now), o), d(want), "{now} {offset}");
        }
    }

    #[test]
    fn offsets_outside_real_zones_are_refused() {
        assert!(TenantOffset::from_minutes(-721).is_none());
        assert!(TenantOffset::from_minutes(841).is_none());
        assert_eq!(
            TenantOffset::from_minutes(-300).map(TenantOffset::minutes),
            Some(-300)
        );
    }

    #[test]
    fn parse_day_is_lenient() {
        for s in [
            "2025-06-01T00:00:00Z",
            "2025-06-01T00:00:00",
            "2025-06-01T00:00:00.000Z",
            "2025-06-01",
            " 2025-06-01T23:59:59.1234567 ",
        ] {
            assert_eq!(parse_day(s), Some(d("2025-06-01")), "{s}");
        }
        for s in ["", "2025-6-1", "yesterday", "2025-13-01T00:00:00Z"] {
            assert_eq!(parse_day(s), None, "{s}");
        }
        assert_eq!(filter_date(d("2025-06-01")), "2025-06-01T00:00:00Z");
    }
}
