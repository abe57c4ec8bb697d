//! When the daily sync is next due: a pure function of the last attempt, the last success, now,
//! and the policy (local time of day, paused, time zone). No clock and no timer here; the
//! scheduler loop asks [`next_due`], sleeps until the answer, runs, and asks again.
//!
//! Rules:
//! - Paused → `None` (nothing is due).
//! - The daily slot is `local_time` on each local calendar day in the policy's time zone. A slot
//!   inside a spring-forward gap moves to the first local minute after the gap; a slot in a
//!   fall-back overlap takes the earlier of the two instants (so it runs once, not twice).
//! - If the most recent slot (≤ now) has not been attempted — the app was closed or asleep at
//!   that time — the run is due **now** (catch-up at launch). One catch-up, however many days
//!   were missed: the sync sets absolute quantities, so one run brings everything up to date.
//! - Otherwise the next slot after now.
//! - Never synced at all → the next slot, not now: a first run right after setup should be a
//!   reviewed preview, not a surprise write at launch.
//! - A failed attempt counts as an attempt: it is not retried before the next slot. The failure
//!   is notified and "Sync now" is one click; retrying a PSA that keeps failing would only repeat
//!   the notification.

use chrono::{DateTime, Duration, NaiveDate, NaiveTime, TimeZone, Utc};

/// The default time of day of the daily sync.
pub const DEFAULT_LOCAL_TIME: &str = "06:00";

/// How the daily sync is scheduled. `tz` is `chrono::Local` in the app, a fixed offset or a test
/// zone in tests.
#[derive(Debug, Clone)]
pub struct SchedulePolicy<Tz: TimeZone> {
    pub local_time: NaiveTime,
    pub paused: bool,
    pub tz: Tz,
}

/// Parses the stored `HH:MM` setting.
pub fn parse_local_time(text: &str) -> Result<NaiveTime, String> {
    NaiveTime::parse_from_str(text.trim(), "%H:%M").map_err(|_| {
        format!("'{text}' is not a time of day; use HH:MM (24-hour), e.g. {DEFAULT_LOCAL_TIME}")
    })
}

/// The default slot (06:00).
pub fn default_local_time() -> NaiveTime {
    NaiveTime::from_hms_opt(6, 0, 0).unwrap_or(NaiveTime::MIN)
}

/// When the next daily run is due (a time ≤ `now` means: run now). See the module docs.
pub fn next_due<Tz: TimeZone>(
    last_success: Option<DateTime<Utc>>,
    last_attempt: Option<DateTime<Utc>>,
    now: DateTime<Utc>,
    policy: &SchedulePolicy<Tz>,
) -> Option<DateTime<Utc>> {
    if policy.paused {
        return None;
    }
    let (previous, next) = surrounding_slots(now, policy)?;
    let latest = last_attempt.max(last_success);
    match (latest, previous) {
        (Some(latest), Some(previous)) if latest < previous => Some(now),
        _ => Some(next),
    }
}

/// The most recent slot at or before `now` and the first slot after it.
fn surrounding_slots<Tz: TimeZone>(
    now: DateTime<Utc>,
    policy: &SchedulePolicy<Tz>,
) -> Option<(Option<DateTime<Utc>>, DateTime<Utc>)> {
    let today = now.with_timezone(&policy.tz).date_naive();
    // Two days either side covers every real UTC offset (±14 h) around `today`.
    let slots: Vec<DateTime<Utc>> = (-2..=2)
        .filter_map(|d| today.checked_add_signed(Duration::days(d)))
        .filter_map(|day| slot_on(day, policy))
        .collect();
    let previous = slots.iter().copied().filter(|s| *s <= now).max();
    let next = slots.iter().copied().filter(|s| *s > now).min()?;
    Some((previous, next))
}

/// The instant of the slot on a local calendar day.
fn slot_on<Tz: TimeZone>(day: NaiveDate, policy: &SchedulePolicy<Tz>) -> Option<DateTime<Utc>> {
    let wanted = day.and_time(policy.local_time);
    // Gaps are at most a few hours (usually one); walk forward a minute at a time to the first
    // local time that exists, which is where a wall clock lands after the jump.
    (0..=4 * 60).find_map(|minutes| {
        let local = wanted.checked_add_signed(Duration::minutes(minutes))?;
        policy
            .tz
            .from_local_datetime(&local)
            .earliest()
            .map(|t| t.with_timezone(&Utc))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::{FixedOffset, MappedLocalTime, NaiveDateTime};

    /// A zone with EU-style daylight saving in 2025: UTC+1, and UTC+2 from 30 March 01:00 UTC to
    /// 26 October 01:00 UTC (wall clock 02:00→03:00 in spring, 03:00→02:00 in autumn).
    #[derive(Debug, Clone, Copy)]
    struct EuZone;

    fn dst_start() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2025, 3, 30)
            .unwrap()
            .and_hms_opt(1, 0, 0)
            .unwrap()
    }
    fn dst_end() -> NaiveDateTime {
        NaiveDate::from_ymd_opt(2025, 10, 26)
            .unwrap()
            .and_hms_opt(1, 0, 0)
            .unwrap()
    }
    fn hours(h: i32) -> FixedOffset {
        FixedOffset::east_opt(h * 3600).unwrap()
    }

    impl TimeZone for EuZone {
        type Offset = FixedOffset;
        fn from_offset(_: &FixedOffset) -> Self {
            EuZone
        }
        fn offset_from_local_date(&self, _: &NaiveDate) -> MappedLocalTime<FixedOffset> {
            unimplemented!("not used by the schedule")
        }
        fn offset_from_local_datetime(
            &self,
            local: &NaiveDateTime,
        ) -> MappedLocalTime<FixedOffset> {
            // Try both offsets; keep those that map back to an instant using that offset.
            let fits = |off: FixedOffset| {
                let utc = *local - Duration::seconds(off.local_minus_utc().into());
                self.offset_from_utc_datetime(&utc) == off
            };
            match (fits(hours(1)), fits(hours(2))) {
                (true, true) => MappedLocalTime::Ambiguous(hours(2), hours(1)),
                (true, false) => MappedLocalTime::Single(hours(1)),
                (false, true) => MappedLocalTime::Single(hours(2)),
                (false, false) => MappedLocalTime::None,
            }
        }
        fn offset_from_utc_date(&self, _: &NaiveDate) -> FixedOffset {
            unimplemented!("not used by the schedule")
        }
        fn offset_from_utc_datetime(&self, utc: &NaiveDateTime) -> FixedOffset {
            if *utc >= dst_start() && *utc < dst_end() {
                hours(2)
            } else {
                hours(1)
            }
        }
    }

    fn utc(text: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(text)
            .unwrap()
            .with_timezone(&Utc)
    }
    fn t(hhmm: &str) -> NaiveTime {
        parse_local_time(hhmm).unwrap()
    }
    fn fixed(local: &str, offset_h: i32, paused: bool) -> SchedulePolicy<FixedOffset> {
        SchedulePolicy {
            local_time: t(local),
            paused,
            tz: hours(offset_h),
        }
    }

    struct Case {
        name: &'static str,
        success: Option<&'static str>,
        attempt: Option<&'static str>,
        now: &'static str,
        expect: Option<&'static str>,
    }

    fn check<Tz: TimeZone>(policy: &SchedulePolicy<Tz>, cases: &[Case]) {
        for c in cases {
            let got = next_due(c.success.map(utc), c.attempt.map(utc), utc(c.now), policy);
            assert_eq!(got, c.expect.map(utc), "case {}", c.name);
        }
    }

    #[test]
    fn utc_daily_cases() {
        let p = fixed("06:00", 0, false);
        let cases = [
            Case {
                name: "never_ran_before_slot",
                success: None,
                attempt: None,
                now: "2025-01-31T05:00:00Z",
                expect: Some("2025-01-31T06:00:00Z"),
            },
            Case {
                name: "never_ran_after_slot_waits_for_next",
                success: None,
                attempt: None,
                now: "2025-01-31T09:00:00Z",
                expect: Some("2025-02-01T06:00:00Z"),
            },
            Case {
                name: "already_ran_today",
                success: Some("2025-01-31T06:00:05Z"),
                attempt: Some("2025-01-31T06:00:00Z"),
                now: "2025-01-31T09:00:00Z",
                expect: Some("2025-02-01T06:00:00Z"),
            },
            Case {
                name: "ran_yesterday_before_todays_slot",
                success: Some("2025-01-30T06:01:00Z"),
                attempt: Some("2025-01-30T06:00:00Z"),
                now: "2025-01-31T05:59:59Z",
                expect: Some("2025-01-31T06:00:00Z"),
            },
            Case {
                name: "missed_today_catch_up_now",
                success: Some("2025-01-30T06:01:00Z"),
                attempt: Some("2025-01-30T06:00:00Z"),
                now: "2025-01-31T10:30:00Z",
                expect: Some("2025-01-31T10:30:00Z"),
            },
            Case {
                name: "closed_for_days_one_catch_up",
                success: Some("2025-01-20T06:01:00Z"),
                attempt: Some("2025-01-20T06:00:00Z"),
                now: "2025-01-31T07:00:00Z",
                expect: Some("2025-01-31T07:00:00Z"),
            },
            Case {
                name: "exactly_at_slot_is_due",
                success: Some("2025-01-30T06:00:00Z"),
                attempt: Some("2025-01-30T06:00:00Z"),
                now: "2025-01-31T06:00:00Z",
                expect: Some("2025-01-31T06:00:00Z"),
            },
            Case {
                name: "failed_today_waits_for_tomorrow",
                success: Some("2025-01-30T06:00:00Z"),
                attempt: Some("2025-01-31T06:00:00Z"),
                now: "2025-01-31T08:00:00Z",
                expect: Some("2025-02-01T06:00:00Z"),
            },
            Case {
                name: "manual_run_after_missed_slot_counts",
                success: Some("2025-01-31T07:00:00Z"),
                attempt: Some("2025-01-31T07:00:00Z"),
                now: "2025-01-31T08:00:00Z",
                expect: Some("2025-02-01T06:00:00Z"),
            },
            Case {
                name: "success_without_attempt_record",
                success: Some("2025-01-31T06:00:00Z"),
                attempt: None,
                now: "2025-01-31T08:00:00Z",
                expect: Some("2025-02-01T06:00:00Z"),
            },
            Case {
                name: "attempt_in_future_clock_went_back",
                success: None,
                attempt: Some("2025-02-05T06:00:00Z"),
                now: "2025-01-31T08:00:00Z",
                expect: Some("2025-02-01T06:00:00Z"),
            },
        ];
        check(&p, &cases);
    }

    #[test]
    fn paused_is_never_due() {
        let p = fixed("06:00", 0, true);
        let now = utc("2025-01-31T09:00:00Z");
        assert_eq!(next_due(None, None, now, &p), None);
        assert_eq!(next_due(Some(now - Duration::days(9)), None, now, &p), None);
    }

    #[test]
    fn offsets_far_from_utc() {
        let east = fixed("06:00", 10, false);
        check(
            &east,
            &[Case {
                name: "plus_10_slot_is_previous_utc_evening",
                success: None,
                attempt: Some("2025-01-30T20:00:00Z"),
                now: "2025-01-31T12:00:00Z",
                expect: Some("2025-01-31T20:00:00Z"),
            }],
        );
        let west = fixed("23:30", -8, false);
        check(
            &west,
            &[Case {
                name: "minus_8_late_slot_is_next_utc_morning",
                success: None,
                attempt: Some("2025-01-31T07:30:00Z"),
                now: "2025-02-01T07:00:00Z",
                expect: Some("2025-02-01T07:30:00Z"),
            }],
        );
    }

    #[test]
    fn daylight_saving_days() {
        let six = SchedulePolicy {
            local_time: t("06:00"),
            paused: false,
            tz: EuZone,
        };
        check(
            &six,
            &[
                Case {
                    name: "same_wall_time_across_spring_change_23h_later",
                    success: None,
                    attempt: Some("2025-03-29T05:00:00Z"),
                    now: "2025-03-29T12:00:00Z",
                    expect: Some("2025-03-30T04:00:00Z"),
                },
                Case {
                    name: "same_wall_time_across_autumn_change_25h_later",
                    success: None,
                    attempt: Some("2025-10-25T04:00:00Z"),
                    now: "2025-10-25T12:00:00Z",
                    expect: Some("2025-10-26T05:00:00Z"),
                },
                Case {
                    name: "catch_up_on_change_day",
                    success: Some("2025-03-28T05:00:00Z"),
                    attempt: None,
                    now: "2025-03-30T09:00:00Z",
                    expect: Some("2025-03-30T09:00:00Z"),
                },
            ],
        );
        let in_gap = SchedulePolicy {
            local_time: t("02:30"),
            paused: false,
            tz: EuZone,
        };
        check(
            &in_gap,
            &[Case {
                name: "slot_in_spring_gap_runs_at_03_00_local",
                success: None,
                attempt: Some("2025-03-29T01:30:00Z"),
                now: "2025-03-29T12:00:00Z",
                expect: Some("2025-03-30T01:00:00Z"),
            }],
        );
        check(
            &in_gap,
            &[Case {
                name: "slot_in_autumn_overlap_runs_once_at_first",
                success: None,
                attempt: Some("2025-10-25T00:30:00Z"),
                now: "2025-10-25T12:00:00Z",
                expect: Some("2025-10-26T00:30:00Z"),
            }],
        );
        check(
            &in_gap,
            &[Case {
                name: "after_first_overlap_run_not_again_at_second",
                success: None,
                attempt: Some("2025-10-26T00:30:00Z"),
                now: "2025-10-26T01:10:00Z",
                expect: Some("2025-10-27T01:30:00Z"),
            }],
        );
    }

    #[test]
    fn local_time_setting_parses() {
        assert_eq!(parse_local_time(" 06:00 ").unwrap(), default_local_time());
        assert_eq!(
            parse_local_time("23:59").unwrap(),
            NaiveTime::from_hms_opt(23, 59, 0).unwrap()
        );
        for bad in ["6", "24:00", "noon", "06:60", ""] {
            let err = parse_local_time(bad).unwrap_err();
            assert!(err.contains("HH:MM"), "{bad}: {err}");
        }
    }
}
