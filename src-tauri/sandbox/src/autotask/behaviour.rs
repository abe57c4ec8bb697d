//! How the simulated tenant treats accepted adjustments where the reference is UNCONFIRMED, so
//! the sync can be tested against each way a real tenant may behave:
//!
//! - how soon the units show an accepted adjustment (§4.7 says "assumed synchronous"): with a
//!   lag, the adjustment is accepted and answered with its `itemId` at once, but the units move
//!   only `units_lag` later;
//! - whether two adjustments of one line on the same day add up or the last one wins (§10):
//!   [`SameDay::Override`] makes a same-day adjustment replace the earlier ones of that day.
//!
//! Set with `POST /_sandbox/adjustment-behaviour {"unitsLagSeconds":N,"sameDay":"additive"|"override"}`.

use std::time::{Duration, Instant};

use chrono::NaiveDate;
use serde::Serialize;

/// Same-day adjustments of one line: added up (the working assumption) or the last one wins.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub enum SameDay {
    #[default]
    Additive,
    Override,
}

/// The tenant's adjustment behaviour (defaults: synchronous and additive).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AdjustmentBehaviour {
    #[serde(serialize_with = "secs")]
    pub units_lag: Duration,
    pub same_day: SameDay,
}

fn secs<S: serde::Serializer>(d: &Duration, s: S) -> Result<S::Ok, S::Error> {
    s.serialize_f64(d.as_secs_f64())
}

/// An accepted adjustment whose units have not moved yet.
#[derive(Debug, Clone, PartialEq)]
pub struct Deferred {
    pub due: Instant,
    pub line: i64,
    pub day: NaiveDate,
    pub change: i64,
    pub price: Option<f64>,
    pub cost: Option<f64>,
}

/// The change an adjustment of `change` makes to the units under `mode`, given the changes of the
/// line's earlier adjustments on the same day: additive keeps it; override replaces them (the
/// units end at the day's starting value plus this change).
pub fn effective_change(mode: SameDay, change: i64, earlier_same_day: &[i64]) -> i64 {
    match mode {
        SameDay::Additive => change,
        SameDay::Override => change - earlier_same_day.iter().sum::<i64>(),
    }
}

/// Splits `deferred` into the entries due at `now` (in order) and the rest.
pub fn take_due(deferred: &mut Vec<Deferred>, now: Instant) -> Vec<Deferred> {
    let (due, later): (Vec<_>, Vec<_>) = deferred.drain(..).partition(|d| d.due <= now);
    *deferred = later;
    due
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_day_modes() {
        assert_eq!(effective_change(SameDay::Additive, 3, &[5]), 3);
        assert_eq!(effective_change(SameDay::Override, 3, &[5]), -2);
        assert_eq!(effective_change(SameDay::Override, 3, &[]), 3);
    }

    #[test]
    fn due_entries_are_taken_in_order() {
        let t = Instant::now();
        let d = |s: u64, line: i64| Deferred {
            due: t + Duration::from_secs(s),
            line,
            day: NaiveDate::MIN,
            change: 1,
            price: None,
            cost: None,
        };
        let mut q = vec![d(1, 1), d(5, 2), d(0, 3)];
        let due = take_due(&mut q, t + Duration::from_secs(2));
        assert_eq!(due.iter().map(|x| x.line).collect::<Vec<_>>(), vec![1, 3]);
        assert_eq!(q.len(), 1);
    }
}
