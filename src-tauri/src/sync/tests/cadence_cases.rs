//! Billing cadence and noise threshold: the pure pass over a plan, and runs against the fake PSA
//! on a real temp store with the manual clock walking through a month.

use chrono::{NaiveDate, TimeZone, Utc};

use super::apply_cases::{req, two_by_two};
use crate::store::runs::RunStatus;
use crate::sync::cadence::{self, apply, due, period_start, Billing, Threshold};
use crate::sync::model::{Action, Flag, Plan, PlanItem, PlanTotals, Trigger};
use crate::sync::run;

fn day(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).unwrap()
}

fn item(before: i64, after: i64, action: Action) -> PlanItem {
    PlanItem {
        workspace_id: crate::model::WorkspaceId("ws".into()),
        workspace_name: "WS".into(),
        service_key: format!("svc{before}-{after}"),
        service_name: "Svc".into(),
        unit: None,
        company_id: None,
        company_name: None,
        product_id: None,
        product_name: None,
        line_ref: None,
        line_name: None,
        line: None,
        new_line: None,
        before: Some(before),
        after: Some(after),
        action,
        reason: None,
        flag: None,
        cause: None,
    }
}

fn plan_of(items: Vec<PlanItem>) -> Plan {
    Plan {
        connector_id: crate::model::ConnectorId(1),
        totals: PlanTotals::of(&items),
        items,
        generated_at: Utc::now(),
    }
}

#[test]
fn threshold_marks_small_changes_below_it_and_never_a_change_to_or_from_zero() {
    let cases: &[(&str, Threshold, i64, i64, bool)] = &[
        ("one unit under two", Threshold::Units(2), 10, 11, true),
        ("two units at two", Threshold::Units(2), 10, 12, false),
        ("a decrease under two", Threshold::Units(2), 10, 9, true),
        ("to zero is never noise", Threshold::Units(5), 3, 0, false),
        ("from zero is never noise", Threshold::Units(5), 0, 3, false),
        ("4 % under 5 %", Threshold::Percent(5.0), 100, 104, true),
        ("5 % at 5 %", Threshold::Percent(5.0), 100, 105, false),
        ("−1 of 10 is 10 %", Threshold::Percent(5.0), 10, 9, false),
    ];
    for (name, t, before, after, want_below) in cases {
        let action = if after > before {
            Action::Increase
        } else {
            Action::Decrease
        };
        let mut p = plan_of(vec![item(*before, *after, action)]);
        let b = Billing {
            monthly_day: None,
            threshold: Some(*t),
            create_missing: false,
        };
        apply(&mut p, &b, day(2026, 12, 7), None);
        let i = &p.items[0];
        if *want_below {
            assert_eq!(i.action, Action::Skip, "{name}");
            assert_eq!(i.flag, Some(Flag::BelowThreshold), "{name}");
            assert_eq!(i.cause, Some(crate::model::Cause::BelowThreshold), "{name}");
            assert!(
                i.reason
                    .as_deref()
                    .unwrap_or("")
                    .starts_with("Below threshold"),
                "{name}: {:?}",
                i.reason
            );
            assert_eq!((i.before, i.after), (Some(*before), Some(*after)), "{name}");
            assert_eq!(p.totals.skip, 1, "{name}");
        } else {
            assert_eq!(i.action, action, "{name}");
        }
    }
}

#[test]
fn monthly_defers_until_its_day_then_once_a_month() {
    let b = Billing {
        monthly_day: Some(15),
        threshold: None,
        create_missing: false,
    };
    assert!(!due(&b, day(2026, 12, 14), None));
    assert!(due(&b, day(2026, 12, 15), None));
    assert!(
        due(&b, day(2026, 12, 20), Some("2026-11")),
        "a missed day is caught up"
    );
    assert!(
        !due(&b, day(2026, 12, 20), Some("2026-12")),
        "written once a month"
    );
    assert!(due(&b, day(2027, 1, 15), Some("2026-12")));
    assert!(due(&Billing::default(), day(2026, 12, 1), Some("2026-12")));
    assert_eq!(period_start(day(2026, 12, 15)), day(2026, 12, 1));

    let mut p = plan_of(vec![
        item(10, 12, Action::Increase),
        item(10, 0, Action::Hold),
        item(5, 5, Action::Unchanged),
    ]);
    apply(&mut p, &b, day(2026, 12, 7), None);
    assert_eq!(
        p.items[0].reason.as_deref(),
        Some("Monthly billing: 10 → 12 is written on 2026-12-15, effective 2026-12-01")
    );
    assert_eq!(p.items[0].cause, Some(crate::model::Cause::Deferred));
    assert_eq!(p.items[0].flag, Some(Flag::Deferred));
    assert_eq!(p.items[1].action, Action::Skip);
    assert_eq!(p.items[2].action, Action::Unchanged);
    assert_eq!((p.totals.skip, p.totals.increase, p.totals.hold), (2, 0, 0));

    // Written this month already: the next is next month's day.
    let mut p = plan_of(vec![item(10, 12, Action::Increase)]);
    apply(&mut p, &b, day(2026, 12, 20), Some("2026-12"));
    assert!(
        p.items[0]
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("written on 2027-01-15, effective 2027-01-01")),
        "{:?}",
        p.items[0].reason
    );
}

#[test]
fn settings_are_validated() {
    for bad in [
        Billing {
            monthly_day: Some(0),
            threshold: None,
            create_missing: false,
        },
        Billing {
            monthly_day: Some(29),
            threshold: None,
            create_missing: false,
        },
        Billing {
            monthly_day: None,
            threshold: Some(Threshold::Units(0)),
            create_missing: false,
        },
        Billing {
            monthly_day: None,
            threshold: Some(Threshold::Percent(0.0)),
            create_missing: false,
        },
        Billing {
            monthly_day: None,
            threshold: Some(Threshold::Percent(f64::NAN)),
            create_missing: false,
        },
    ] {
        assert!(bad.validate().is_err(), "{bad:?}");
    }
    assert!(Billing::default().validate().is_ok());
}

/// The fake PSA's day is the machine's local day of the clock: noon UTC keeps it the same day
/// in every zone from UTC−11 to UTC+11.
fn noon(d: u32) -> chrono::DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 12, d, 12, 0, 0).unwrap()
}

#[tokio::test]
async fn a_monthly_connector_writes_nothing_until_its_day_then_once() {
    let mut h = two_by_two();
    let b = Billing {
        monthly_day: Some(10),
        threshold: None,
        create_missing: false,
    };
    cadence::save(&h.t.store.conn().unwrap(), h.connector, &b).unwrap();
    h.clock.set(noon(8));
    let early = run(&h.env(), &req(&h, Trigger::Schedule, false), &|_| {})
        .await
        .unwrap();
    assert_eq!(early.summary.status, RunStatus::Succeeded);
    assert_eq!(h.psa.write_count(), 0, "nothing before its day");
    assert_eq!(early.plan.totals.skip, 3, "{:?}", early.plan.items);
    assert_eq!(early.summary.counts.skipped, 3);

    h.clock.set(noon(10));
    let on_day = run(&h.env(), &req(&h, Trigger::Schedule, false), &|_| {})
        .await
        .unwrap();
    assert_eq!(on_day.summary.status, RunStatus::Succeeded);
    assert_eq!(h.psa.write_count(), 3);
    assert_eq!(
        (h.psa.qty(111), h.psa.qty(211), h.psa.qty(212)),
        (12, 18, 4)
    );

    // Coro moves again the same month: shown, not written until next month.
    h.source.count("ws_a", "edr", 15, 1);
    h.clock.set(noon(11));
    let later = run(&h.env(), &req(&h, Trigger::Schedule, false), &|_| {})
        .await
        .unwrap();
    assert_eq!(h.psa.write_count(), 3, "written once a month");
    let deferred = later
        .plan
        .items
        .iter()
        .find(|i| i.flag == Some(Flag::Deferred))
        .unwrap();
    assert!(
        deferred
            .reason
            .as_deref()
            .is_some_and(|r| r.contains("written on 2027-01-10")),
        "{deferred:?}"
    );
}

#[tokio::test]
async fn a_threshold_run_skips_noise_and_writes_the_rest() {
    let h = two_by_two();
    let b = Billing {
        monthly_day: None,
        threshold: Some(Threshold::Units(2)),
        create_missing: false,
    };
    cadence::save(&h.t.store.conn().unwrap(), h.connector, &b).unwrap();
    let r = run(&h.env(), &req(&h, Trigger::Cli, false), &|_| {})
        .await
        .unwrap();
    // 111 10 → 12 (+2) and 211 20 → 18 (−2) are written; 212 3 → 4 (+1) is noise.
    assert_eq!(
        (h.psa.qty(111), h.psa.qty(211), h.psa.qty(212)),
        (12, 18, 3)
    );
    let noise: Vec<_> = r
        .plan
        .items
        .iter()
        .filter(|i| i.flag == Some(Flag::BelowThreshold))
        .collect();
    assert_eq!(noise.len(), 1, "{:?}", r.plan.items);
    assert_eq!((noise[0].before, noise[0].after), (Some(3), Some(4)));
    let items = h.items(r.summary.run_id);
    assert!(items.iter().any(|i| i
        .item
        .reason
        .as_deref()
        .is_some_and(|r| r.starts_with("Below threshold"))));
}
