//! Calendar days as the Autotask database sees them (reference §7).
//!
//! The REST API speaks UTC, but date-only fields such as an adjustment's `effectiveDate` are
//! converted to the database's local zone and then truncated to a day. A midnight-UTC value
//! therefore lands on the previous day for every tenant west of UTC. What we send is the
//! tenant's local noon expressed in UTC: noon leaves ±11 h of slack, so a wrong DST hour or a
//! few minutes of clock skew never move the day, and +12/+13/+14 zones get their own day (the
//! reference's plain `T12:00:00Z` would land them on the next one). The zone is an IANA name
//! (chrono-tz), so daylight saving is followed; without one we fall back to noon UTC.
//!
//! No function here reads the clock: "today" is always a parameter.

use chrono::{DateTime, Duration, LocalResult, NaiveDate, NaiveTime, TimeZone, Utc};
use chrono_tz::Tz;

/// What a zone name that chrono-tz does not know looks like to the operator.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TimeZoneError {
    #[error("The time zone is empty; use an IANA name like America/New_York")]
    Empty,
    #[error("{name} is not a time zone; {hint}")]
    Unknown { name: String, hint: String },
}

/// The Autotask database's time zone (IANA, daylight saving included).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TenantZone(Tz);

impl TenantZone {
    /// An IANA name (`Pacific/Auckland`); case is forgiven, typos are refused with the nearest
    /// real name when one is close.
    pub fn parse(name: &str) -> Result<TenantZone, TimeZoneError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(TimeZoneError::Empty);
        }
        if let Ok(tz) = name.parse::<Tz>() {
            return Ok(TenantZone(tz));
        }
        if let Some(tz) = chrono_tz::TZ_VARIANTS
            .iter()
            .find(|t| t.name().eq_ignore_ascii_case(name))
        {
            return Ok(TenantZone(*tz));
        }
        let hint = match nearest_name(name) {
            Some(near) => format!("did you mean {near}? Use an IANA name like America/New_York"),
            None => "use an IANA name like America/New_York".to_string(),
        };
        Err(TimeZoneError::Unknown {
            name: name.to_string(),
            hint,
        })
    }

    pub fn utc() -> TenantZone {
        TenantZone(Tz::UTC)
    }

    /// The IANA name, as stored with the connector.
    pub fn name(self) -> &'static str {
        self.0.name()
    }
}

impl std::fmt::Display for TenantZone {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// The closest zone name within two edits per ten characters (`Europe/Berln` → `Europe/Berlin`).
fn nearest_name(name: &str) -> Option<&'static str> {
    let lower = name.to_ascii_lowercase();
    let budget = 1 + lower.len() / 5;
    chrono_tz::TZ_VARIANTS
        .iter()
        .map(|t| {
            (
                edit_distance(&lower, &t.name().to_ascii_lowercase()),
                t.name(),
            )
        })
        .filter(|(d, _)| *d <= budget)
        .min_by_key(|(d, _)| *d)
        .map(|(_, n)| n)
}

fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut cur = vec![i + 1; b.len() + 1];
        for (j, cb) in b.iter().enumerate() {
            let swap = usize::from(ca != *cb);
            cur[j + 1] = (prev[j] + swap).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        prev = cur;
    }
    prev[b.len()]
}

/// The machine's zone, the default for a new connector, and why it fell back to UTC when the
/// system's zone could not be read or is not an IANA name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MachineZone {
    pub zone: TenantZone,
    pub note: Option<String>,
}

pub fn machine_zone() -> MachineZone {
    machine_zone_from(iana_time_zone::get_timezone().map_err(|e| e.to_string()))
}

/// [`machine_zone`] given what the system answered (pure, for tests).
pub fn machine_zone_from(found: Result<String, String>) -> MachineZone {
    let fallback = |why: String| MachineZone {
        zone: TenantZone::utc(),
        note: Some(format!(
            "{why}; using UTC. Set the Autotask database's time zone on the connector."
        )),
    };
    match found {
        Ok(name) => match TenantZone::parse(&name) {
            Ok(zone) => MachineZone { zone, note: None },
            Err(_) => fallback(format!(
                "This computer's time zone ({name}) is not an IANA name"
            )),
        },
        Err(e) => fallback(format!("This computer's time zone could not be read ({e})")),
    }
}

/// The tenant-local calendar day at the UTC instant `now`.
pub fn local_day(now: DateTime<Utc>, zone: TenantZone) -> NaiveDate {
    now.with_timezone(&zone.0).date_naive()
}

/// `effectiveDate` that the database stores as `day`: local noon in UTC, `YYYY-MM-DDThh:mm:ssZ`.
/// Without a zone, the reference's noon UTC (right from UTC−12 to UTC+11).
pub fn effective_date(day: NaiveDate, zone: Option<TenantZone>) -> String {
    let noon = day.and_time(NaiveTime::from_hms_opt(12, 0, 0).unwrap_or(NaiveTime::MIN));
    let utc = match zone {
        Some(z) => match z.0.from_local_datetime(&noon) {
            LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => t.naive_utc(),
            // Noon skipped by a transition (no zone does that today): the offset an hour later.
            LocalResult::None => {
                let later = noon + Duration::hours(1);
                match z.0.from_local_datetime(&later) {
                    LocalResult::Single(t) | LocalResult::Ambiguous(t, _) => {
                        t.naive_utc() - Duration::hours(1)
                    }
                    LocalResult::None => noon,
                }
            }
        },
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
    use chrono::Offset;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn z(name: &str) -> TenantZone {
        TenantZone::parse(name).unwrap()
    }

    fn at(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    /// The stored day for an `effectiveDate` sent to a database `drift` minutes off the zone's
    /// real offset at that instant: what the docs' example shows the server doing (convert to
    /// local, truncate).
    fn stored_day(sent: &str, zone: TenantZone, drift: i64) -> NaiveDate {
        let utc = chrono::NaiveDateTime::parse_from_str(sent, "%Y-%m-%dT%H:%M:%SZ").unwrap();
        let offset = zone
            .0
            .offset_from_utc_datetime(&utc)
            .fix()
            .local_minus_utc();
        (utc + Duration::seconds(i64::from(offset)) + Duration::minutes(drift)).date()
    }

    #[test]
    fn effective_date_lands_on_the_tenants_day_across_dst() {
        // (zone, intended day, sent value)
        let cases = [
            ("UTC", "2025-06-17", "2025-06-17T12:00:00Z"),
            ("America/New_York", "2025-03-08", "2025-03-08T17:00:00Z"), // EST
            ("America/New_York", "2025-03-09", "2025-03-09T16:00:00Z"), // DST starts 02:00
            ("America/New_York", "2025-11-01", "2025-11-01T16:00:00Z"), // EDT
            ("America/New_York", "2025-11-02", "2025-11-02T17:00:00Z"), // DST ends 02:00
            ("Europe/London", "2025-03-29", "2025-03-29T12:00:00Z"),
            ("Europe/London", "2025-03-30", "2025-03-30T11:00:00Z"), // BST starts 01:00 UTC
            ("Europe/London", "2025-10-25", "2025-10-25T11:00:00Z"),
            ("Europe/London", "2025-10-26", "2025-10-26T12:00:00Z"), // BST ends
            ("Pacific/Auckland", "2025-04-05", "2025-04-04T23:00:00Z"), // NZDT +13
            ("Pacific/Auckland", "2025-04-06", "2025-04-06T00:00:00Z"), // NZST +12 from 03:00
            ("Pacific/Auckland", "2025-09-27", "2025-09-27T00:00:00Z"),
            ("Pacific/Auckland", "2025-09-28", "2025-09-27T23:00:00Z"), // NZDT from 02:00
            ("Pacific/Tongatapu", "2025-06-17", "2025-06-16T23:00:00Z"), // +13
            ("Pacific/Tongatapu", "2025-01-01", "2024-12-31T23:00:00Z"),
            ("Pacific/Kiritimati", "2025-06-17", "2025-06-16T22:00:00Z"), // +14
            ("Pacific/Honolulu", "2025-06-17", "2025-06-17T22:00:00Z"),   // −10
            ("Pacific/Honolulu", "2024-02-29", "2024-02-29T22:00:00Z"),
        ];
        for (name, day, want) in cases {
            let sent = effective_date(d(day), Some(z(name)));
            assert_eq!(sent, want, "{name} {day}");
            // The property that matters: the database stores the intended day, even an hour
            // (a DST rule) or more away from the zone's real offset.
            for drift in [-11 * 60, -60, 0, 60, 11 * 60] {
                assert_eq!(
                    stored_day(&sent, z(name), drift),
                    d(day),
                    "{name} {day} drift {drift}"
                );
            }
        }
    }

    #[test]
    fn noon_utc_is_wrong_east_of_plus_11_which_is_why_the_zone_matters() {
        let sent = effective_date(d("2025-06-17"), None);
        assert_eq!(sent, "2025-06-17T12:00:00Z");
        assert_eq!(stored_day(&sent, z("America/New_York"), 0), d("2025-06-17"));
        for name in ["Pacific/Tongatapu", "Pacific/Kiritimati"] {
            assert_eq!(stored_day(&sent, z(name), 0), d("2025-06-18"), "{name}");
        }
    }

    #[test]
    fn local_day_across_dst() {
        let cases = [
            ("America/New_York", "2025-03-09T04:59:00Z", "2025-03-08"),
            ("America/New_York", "2025-03-09T05:00:00Z", "2025-03-09"),
            ("America/New_York", "2025-11-02T03:59:00Z", "2025-11-01"), // EDT −4
            ("America/New_York", "2025-11-03T04:59:00Z", "2025-11-02"), // EST −5
            ("Europe/London", "2025-06-30T23:00:00Z", "2025-07-01"),
            ("Europe/London", "2025-12-31T23:59:00Z", "2025-12-31"),
            ("Pacific/Auckland", "2025-06-17T11:59:00Z", "2025-06-17"),
            ("Pacific/Auckland", "2025-06-17T12:00:00Z", "2025-06-18"),
            ("Pacific/Auckland", "2025-01-10T10:59:00Z", "2025-01-10"),
            ("Pacific/Auckland", "2025-01-10T11:00:00Z", "2025-01-11"),
            ("Pacific/Tongatapu", "2025-06-17T10:59:00Z", "2025-06-17"),
            ("Pacific/Tongatapu", "2025-06-17T11:00:00Z", "2025-06-18"),
            ("Pacific/Kiritimati", "2025-06-17T09:59:00Z", "2025-06-17"),
            ("Pacific/Kiritimati", "2025-06-17T10:00:00Z", "2025-06-18"),
            ("Pacific/Honolulu", "2025-06-18T09:59:00Z", "2025-06-17"),
            ("Pacific/Honolulu", "2025-06-18T10:00:00Z", "2025-06-18"),
        ];
        for (name, now, want) in cases {
            assert_eq!(local_day(at(now), z(name)), d(want), "{name} {now}");
        }
    }

    #[test]
    fn zone_names_are_checked_with_a_hint() {
        assert_eq!(z("america/new_york").name(), "America/New_York");
        assert_eq!(z(" Pacific/Tongatapu ").to_string(), "Pacific/Tongatapu");
        assert_eq!(TenantZone::parse(" "), Err(TimeZoneError::Empty));
        let err = TenantZone::parse("Europe/Berln").unwrap_err().to_string();
        assert_eq!(
            err,
            "Europe/Berln is not a time zone; did you mean Europe/Berlin? Use an IANA name like America/New_York"
        );
        let err = TenantZone::parse("+13").unwrap_err().to_string();
        assert_eq!(
            err,
            "+13 is not a time zone; use an IANA name like America/New_York"
        );
    }

    #[test]
    fn machine_zone_falls_back_to_utc_with_a_note() {
        let ok = machine_zone_from(Ok("Pacific/Auckland".into()));
        assert_eq!((ok.zone, ok.note), (z("Pacific/Auckland"), None));
        for found in [
            Err("no /etc/localtime".to_string()),
            Ok("Local".to_string()),
        ] {
            let m = machine_zone_from(found.clone());
            assert_eq!(m.zone, TenantZone::utc(), "{found:?}");
            let note = m.note.unwrap();
            assert!(
                note.contains("using UTC") && note.contains("time zone"),
                "{note}"
            );
        }
        // Whatever this machine says, the answer is a real zone.
        assert!(TenantZone::parse(machine_zone().zone.name()).is_ok());
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
