//! Time, injected: logic asks a [`Clock`] for "now" and for pauses instead of reading the system
//! clock, so tests run on a [`ManualClock`] that never waits and records what was asked of it.

use std::future::Future;
use std::pin::Pin;
use std::sync::Mutex;
use std::time::Duration;

use chrono::{DateTime, Utc};

/// A boxed future, so [`Clock`] stays usable as `&dyn Clock` / `Arc<dyn Clock>`.
pub type Pause<'a> = Pin<Box<dyn Future<Output = ()> + Send + 'a>>;

/// Where logic gets the time from.
pub trait Clock: Send + Sync {
    fn now(&self) -> DateTime<Utc>;

    /// Waits `duration` (a back-off between rate-limited writes, for instance).
    fn sleep(&self, duration: Duration) -> Pause<'_>;
}

/// The real clock.
#[derive(Debug, Clone, Copy, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> DateTime<Utc> {
        Utc::now()
    }

    fn sleep(&self, duration: Duration) -> Pause<'_> {
        Box::pin(tokio::time::sleep(duration))
    }
}

/// A clock that only moves when told to: `sleep` returns at once, advances the time by the
/// duration and records it, so a test can assert the back-offs that were taken.
#[derive(Debug)]
pub struct ManualClock {
    now: Mutex<DateTime<Utc>>,
    slept: Mutex<Vec<Duration>>,
}

impl ManualClock {
    pub fn new(now: DateTime<Utc>) -> Self {
        ManualClock {
            now: Mutex::new(now),
            slept: Mutex::new(Vec::new()),
        }
    }

    pub fn set(&self, now: DateTime<Utc>) {
        *lock(&self.now) = now;
    }

    pub fn advance(&self, by: Duration) {
        let mut now = lock(&self.now);
        // An out-of-range duration would be a test bug; saturate rather than panic.
        let step = chrono::Duration::from_std(by).unwrap_or(chrono::Duration::MAX);
        *now = now.checked_add_signed(step).unwrap_or(*now);
    }

    /// Every pause asked for so far, in order.
    pub fn slept(&self) -> Vec<Duration> {
        lock(&self.slept).clone()
    }
}

impl Clock for ManualClock {
    fn now(&self) -> DateTime<Utc> {
        *lock(&self.now)
    }

    fn sleep(&self, duration: Duration) -> Pause<'_> {
        lock(&self.slept).push(duration);
        self.advance(duration);
        Box::pin(std::future::ready(()))
    }
}

/// A poisoned lock only means another thread panicked while holding it; the time value inside
/// is still a valid instant, so keep going rather than propagate the panic.
fn lock<T>(m: &Mutex<T>) -> std::sync::MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    #[tokio::test]
    async fn manual_clock_advances_on_sleep_and_records_it() {
        let start = Utc.with_ymd_and_hms(2025, 1, 31, 9, 0, 0).unwrap();
        let clock = ManualClock::new(start);
        clock.sleep(Duration::from_secs(30)).await;
        clock.sleep(Duration::from_secs(5)).await;
        assert_eq!(clock.now(), start + chrono::Duration::seconds(35));
        assert_eq!(
            clock.slept(),
            vec![Duration::from_secs(30), Duration::from_secs(5)]
        );
        clock.set(start);
        assert_eq!(clock.now(), start);
    }

    #[tokio::test]
    async fn system_clock_is_close_to_now() {
        let before = Utc::now();
        let now = SystemClock.now();
        SystemClock.sleep(Duration::ZERO).await;
        assert!(now >= before);
    }
}
