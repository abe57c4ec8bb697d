//! The hourly request budget (reference §6): 10,000 requests per rolling 60 minutes per Autotask
//! database, shared by every integration of the tenant. Past 50 % the server itself adds
//! latency; we slow down too so other integrations (RMM, quoting) keep room, using the pure
//! [`pace_delay`] policy.
//!
//! Usage is estimated from the last `ThresholdInformation` reading plus the requests this client
//! sent since, or from this client's own requests alone when there is no fresh reading.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use reqwest::Method;
use serde::Serialize;

use super::client::AutotaskClient;
use super::models::ThresholdInformation;
use super::query::Tally;
use super::send::Target;
use crate::psa::PsaError;

/// The documented default when no `ThresholdInformation` reading exists yet.
pub const DEFAULT_HOURLY_LIMIT: u32 = 10_000;
const DEFAULT_TIMEFRAME: Duration = Duration::from_secs(60 * 60);

/// Delay to add before each request at `used` of `limit` requests in the current window.
/// Below 50 %: none. 50–75 %: a short pause. 75–90 %: one second, like the server's own penalty.
/// Above 90 %: three seconds, so a sync cannot drain the last of a shared budget in a burst.
pub fn pace_delay(used: u32, limit: u32) -> Duration {
    let (used, limit) = (u64::from(used), u64::from(limit.max(1)));
    if used * 100 < limit * 50 {
        Duration::ZERO
    } else if used * 100 < limit * 75 {
        Duration::from_millis(250)
    } else if used * 100 < limit * 90 {
        Duration::from_secs(1)
    } else {
        Duration::from_secs(3)
    }
}

/// Budget usage for the UI ("124 of 10000 requests this hour").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BudgetUsage {
    pub used: u32,
    pub limit: u32,
    /// Whether `used` comes from a `ThresholdInformation` reading (else: this client only).
    pub from_server: bool,
}

#[derive(Debug, Clone, Copy)]
struct Reading {
    count: u32,
    limit: u32,
    timeframe: Duration,
    at: Instant,
}

/// Tracks this client's requests and the last server reading. Instants are passed in so the
/// arithmetic stays testable.
#[derive(Debug, Default)]
pub struct Budget {
    reading: Option<Reading>,
    /// When this client sent each request of the last timeframe.
    sent: VecDeque<Instant>,
}

impl Budget {
    pub fn record_sent(&mut self, at: Instant) {
        self.sent.push_back(at);
        let window = self.timeframe();
        while let Some(first) = self.sent.front() {
            if at.saturating_duration_since(*first) >= window {
                self.sent.pop_front();
            } else {
                break;
            }
        }
    }

    pub fn record_reading(&mut self, t: &ThresholdInformation, at: Instant) {
        let minutes = t.request_threshold_timeframe.unwrap_or(60).max(1);
        self.reading = Some(Reading {
            count: t.current_timeframe_request_count.unwrap_or(0),
            limit: t
                .external_request_threshold
                .unwrap_or(DEFAULT_HOURLY_LIMIT)
                .max(1),
            timeframe: Duration::from_secs(u64::from(minutes) * 60),
            at,
        });
    }

    /// Whether a new `ThresholdInformation` reading is due (none yet, or older than `max_age`).
    pub fn needs_reading(&self, now: Instant, max_age: Duration) -> bool {
        self.reading
            .is_none_or(|r| now.saturating_duration_since(r.at) >= max_age)
    }

    fn timeframe(&self) -> Duration {
        self.reading.map_or(DEFAULT_TIMEFRAME, |r| r.timeframe)
    }

    pub fn usage(&self, now: Instant) -> BudgetUsage {
        let ours = |since: Option<Instant>| -> u32 {
            let window = self.timeframe();
            let n = self
                .sent
                .iter()
                .filter(|t| now.saturating_duration_since(**t) < window)
                .filter(|t| since.is_none_or(|s| **t > s))
                .count();
            u32::try_from(n).unwrap_or(u32::MAX)
        };
        match self.reading {
            Some(r) if now.saturating_duration_since(r.at) < r.timeframe => BudgetUsage {
                used: r.count.saturating_add(ours(Some(r.at))),
                limit: r.limit,
                from_server: true,
            },
            Some(r) => BudgetUsage {
                used: ours(None),
                limit: r.limit,
                from_server: false,
            },
            None => BudgetUsage {
                used: ours(None),
                limit: DEFAULT_HOURLY_LIMIT,
                from_server: false,
            },
        }
    }

    /// The pause before the next request.
    pub fn delay(&self, now: Instant) -> Duration {
        let u = self.usage(now);
        pace_delay(u.used, u.limit)
    }
}

impl AutotaskClient {
    /// `GET /V1.0/ThresholdInformation`, recorded for pacing.
    pub async fn threshold(&self, tally: &Tally) -> Result<ThresholdInformation, PsaError> {
        let target = Target::Path("V1.0/ThresholdInformation".into());
        let bytes = self
            .read(
                Method::GET,
                &target,
                None,
                "read the API usage threshold",
                tally,
            )
            .await?;
        let t: ThresholdInformation = serde_json::from_slice(&bytes).unwrap_or_default();
        if let Ok(mut b) = self.inner.budget.lock() {
            b.record_reading(&t, Instant::now());
        }
        Ok(t)
    }

    /// Refreshes the threshold reading when it is older than five minutes. Only a credential
    /// failure stops the caller; a zone without the endpoint just leaves pacing on our own count.
    pub(crate) async fn refresh_threshold(&self, tally: &Tally) -> Result<(), PsaError> {
        let due = match self.inner.budget.lock() {
            Ok(b) => b.needs_reading(Instant::now(), Duration::from_secs(300)),
            Err(_) => true,
        };
        if !due {
            return Ok(());
        }
        match self.threshold(tally).await {
            Ok(_) => Ok(()),
            Err(e @ PsaError::Unauthorized(_)) => Err(e),
            Err(e) => {
                tracing::warn!(error = %e, "Autotask ThresholdInformation unavailable; pacing on our own count");
                Ok(())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pace_table() {
        let ms = Duration::from_millis;
        let cases = [
            (0, 10_000, ms(0)),
            (4_999, 10_000, ms(0)),
            (5_000, 10_000, ms(250)),
            (7_499, 10_000, ms(250)),
            (7_500, 10_000, ms(1_000)),
            (8_999, 10_000, ms(1_000)),
            (9_000, 10_000, ms(3_000)),
            (12_000, 10_000, ms(3_000)),
            (1, 0, ms(3_000)), // a zero limit is treated as 1: never divide by zero
            (u32::MAX, u32::MAX, ms(3_000)),
        ];
        for (used, limit, want) in cases {
            assert_eq!(pace_delay(used, limit), want, "{used}/{limit}");
        }
    }

    #[test]
    fn usage_adds_our_requests_to_the_reading() {
        let t0 = Instant::now();
        let mut b = Budget::default();
        assert!(b.needs_reading(t0, Duration::from_secs(300)));
        b.record_sent(t0);
        assert_eq!(
            b.usage(t0),
            BudgetUsage {
                used: 1,
                limit: 10_000,
                from_server: false
            }
        );
        let reading = ThresholdInformation {
            external_request_threshold: Some(100),
            request_threshold_timeframe: Some(60),
            current_timeframe_request_count: Some(49),
        };
        let t1 = t0 + Duration::from_secs(1);
        b.record_reading(&reading, t1);
        assert!(!b.needs_reading(t1, Duration::from_secs(300)));
        assert_eq!(b.delay(t1), Duration::ZERO);
        b.record_sent(t1 + Duration::from_millis(1));
        let t2 = t1 + Duration::from_secs(2);
        assert_eq!(
            b.usage(t2),
            BudgetUsage {
                used: 50,
                limit: 100,
                from_server: true
            }
        );
        assert_eq!(b.delay(t2), Duration::from_millis(250));
        // An hour later the reading no longer describes the window: only our own count is left.
        let later = t1 + Duration::from_secs(3_601);
        assert_eq!(b.usage(later).used, 0);
        assert!(!b.usage(later).from_server);
        assert!(b.needs_reading(later, Duration::from_secs(300)));
    }
}
