//! The One / None / Many decisions over fetched agreements and additions, as a table: cancelled,
//! future effective date, two agreements, duplicated product, child agreement, and the edges.

use std::collections::HashMap;

use super::today;
use crate::connectwise::billing::resolve;
use crate::connectwise::models::{Addition, Agreement};
use crate::connectwise::{activity, Activity};
use crate::model::{CompanyRef, ProductRef};
use crate::psa::{LineKey, LineLookup};

fn agreement(id: i64, company: i64, parent: Option<i64>, status: &str) -> Agreement {
    let v = serde_json::json!({
        "id": id, "name": format!("A{id}"), "company": {"id": company},
        "parentAgreement": parent.map(|p| serde_json::json!({"id": p})),
        "agreementStatus": status, "cancelledFlag": status == "Cancelled",
    });
    serde_json::from_value(v).unwrap_or_default()
}

fn addition(
    id: i64,
    agreement: i64,
    product: i64,
    effective: Option<&str>,
    cancelled: Option<&str>,
) -> Addition {
    let v = serde_json::json!({
        "id": id, "product": {"id": product, "identifier": format!("P{product}")}, "quantity": 5.0,
        "effectiveDate": effective, "cancelledDate": cancelled, "agreementId": agreement,
    });
    serde_json::from_value(v).unwrap_or_default()
}

/// What a case expects: `One(addition id)`, `Many(addition ids)`, `None(reason fragment)`.
#[derive(Debug)]
enum Want {
    One(i64),
    Many(Vec<i64>),
    None(&'static str),
}

#[test]
fn line_decisions_table() {
    const PAST: Option<&str> = Some("2024-01-01T00:00:00Z");
    let cases: Vec<(&str, Vec<Agreement>, Vec<Addition>, Want)> = vec![
        (
            "single active line",
            vec![agreement(1, 7, None, "Active")],
            vec![addition(10, 1, 99, PAST, None)],
            Want::One(10),
        ),
        (
            "no effective date counts as active",
            vec![agreement(1, 7, None, "Active")],
            vec![addition(10, 1, 99, None, None)],
            Want::One(10),
        ),
        (
            "effective today is active",
            vec![agreement(1, 7, None, "Active")],
            vec![addition(10, 1, 99, Some("2025-06-15T00:00:00Z"), None)],
            Want::One(10),
        ),
        (
            "future effective date",
            vec![agreement(1, 7, None, "Active")],
            vec![addition(10, 1, 99, Some("2025-06-16T00:00:00Z"), None)],
            Want::None("starts on 2025-06-16"),
        ),
        (
            "cancelled in the past",
            vec![agreement(1, 7, None, "Active")],
            vec![addition(10, 1, 99, PAST, Some("2025-01-31T00:00:00Z"))],
            Want::None("was cancelled on 2025-01-31"),
        ),
        (
            "cancelled today is no longer billing",
            vec![agreement(1, 7, None, "Active")],
            vec![addition(10, 1, 99, PAST, Some("2025-06-15T00:00:00Z"))],
            Want::None("was cancelled on 2025-06-15"),
        ),
        (
            "cancelled in the future still bills",
            vec![agreement(1, 7, None, "Active")],
            vec![addition(10, 1, 99, PAST, Some("2025-07-01T00:00:00Z"))],
            Want::One(10),
        ),
        (
            "cancelled row plus its replacement",
            vec![agreement(1, 7, None, "Active")],
            vec![
                addition(10, 1, 99, PAST, Some("2025-01-31T00:00:00Z")),
                addition(11, 1, 99, Some("2025-02-01T00:00:00Z"), None),
            ],
            Want::One(11),
        ),
        (
            "duplicated product on one agreement",
            vec![agreement(1, 7, None, "Active")],
            vec![
                addition(10, 1, 99, PAST, None),
                addition(11, 1, 99, PAST, None),
            ],
            Want::Many(vec![10, 11]),
        ),
        (
            "two agreements carry the product",
            vec![
                agreement(1, 7, None, "Active"),
                agreement(2, 7, None, "Active"),
            ],
            vec![
                addition(10, 1, 99, PAST, None),
                addition(20, 2, 99, PAST, None),
            ],
            Want::Many(vec![10, 20]),
        ),
        (
            "child agreement carries the product",
            vec![
                agreement(1, 7, None, "Active"),
                agreement(2, 7, Some(1), "Active"),
            ],
            vec![addition(20, 2, 99, PAST, None)],
            Want::One(20),
        ),
        (
            "parent and child both carry it",
            vec![
                agreement(1, 7, None, "Active"),
                agreement(2, 7, Some(1), "Active"),
            ],
            vec![
                addition(10, 1, 99, PAST, None),
                addition(20, 2, 99, PAST, None),
            ],
            Want::Many(vec![10, 20]),
        ),
        (
            "other company's agreement is ignored",
            vec![
                agreement(1, 7, None, "Active"),
                agreement(2, 8, None, "Active"),
            ],
            vec![
                addition(10, 1, 99, PAST, None),
                addition(20, 2, 99, PAST, None),
            ],
            Want::One(10),
        ),
        (
            "cancelled agreement is ignored",
            vec![
                agreement(1, 7, None, "Active"),
                agreement(2, 7, None, "Cancelled"),
            ],
            vec![
                addition(10, 1, 99, PAST, None),
                addition(20, 2, 99, PAST, None),
            ],
            Want::One(10),
        ),
        (
            "other product only",
            vec![agreement(1, 7, None, "Active")],
            vec![addition(10, 1, 98, PAST, None)],
            Want::None("has an addition for catalog item 99"),
        ),
        (
            "no agreement at all",
            vec![],
            vec![],
            Want::None("has no active agreement"),
        ),
        (
            "unreadable cancelled date is not written",
            vec![agreement(1, 7, None, "Active")],
            vec![addition(10, 1, 99, PAST, Some("soon"))],
            Want::None("unreadable cancelled date"),
        ),
        (
            "lenient date spacing",
            vec![agreement(1, 7, None, "Active")],
            vec![addition(10, 1, 99, Some("2024-01-01 T00:00:00Z"), None)],
            Want::One(10),
        ),
    ];
    for (name, agreements, additions, want) in cases {
        let mut by_agreement: HashMap<i64, Vec<Addition>> = HashMap::new();
        for a in additions {
            by_agreement
                .entry(a.agreement_id.unwrap_or_default())
                .or_default()
                .push(a);
        }
        let lines = resolve(
            &[CompanyRef(7)],
            &[ProductRef(99)],
            &agreements,
            &by_agreement,
            today(),
        );
        let got = lines.get(&(CompanyRef(7), ProductRef(99))).cloned();
        let addition_id = |k: &LineKey| match k {
            LineKey::Connectwise { addition_id, .. } => *addition_id,
            LineKey::Autotask { .. } => -1,
        };
        match (&want, got) {
            (Want::One(id), Some(LineLookup::One { line })) => {
                assert_eq!(addition_id(&line.key), *id, "{name}")
            }
            (Want::Many(ids), Some(LineLookup::Many { lines })) => {
                assert_eq!(
                    &lines
                        .iter()
                        .map(|l| addition_id(&l.key))
                        .collect::<Vec<_>>(),
                    ids,
                    "{name}"
                )
            }
            (Want::None(fragment), Some(LineLookup::None { reason })) => {
                assert!(reason.contains(fragment), "{name}: {reason}")
            }
            (want, got) => panic!("{name}: wanted {want:?}, got {got:?}"),
        }
    }
}

#[test]
fn addition_status_wins_when_the_model_has_it() {
    let mut a = addition(10, 1, 99, Some("2030-01-01T00:00:00Z"), None);
    a.addition_status = Some("Active".into());
    assert_eq!(activity(&a, today()), Activity::Active);
    a.addition_status = Some("Cancelled".into());
    assert_eq!(activity(&a, today()), Activity::Status("Cancelled".into()));
}

/// An agreement `id` of company 7 with the given end (`noEndingDateFlag` when `open`).
fn ending(id: i64, end: Option<&str>, open: bool) -> Agreement {
    let v = serde_json::json!({
        "id": id, "name": format!("A{id}"), "company": {"id": 7}, "agreementStatus": "Active",
        "cancelledFlag": false, "startDate": "2024-01-01T00:00:00Z", "endDate": end,
        "noEndingDateFlag": open,
    });
    serde_json::from_value(v).unwrap_or_default()
}

/// Item 4 of issue 9: an agreement past its end date is no candidate, and an active addition
/// without a quantity is never read as 0.
#[test]
fn ended_agreements_and_additions_without_quantity() {
    const PAST: Option<&str> = Some("2024-01-01T00:00:00Z");
    let unquantified = |id: i64, agreement: i64| {
        let mut a = addition(id, agreement, 99, PAST, None);
        a.quantity = None;
        a
    };
    let cases: Vec<(&str, Vec<Agreement>, Vec<Addition>, Want)> = vec![
        (
            "ended yesterday: not a candidate",
            vec![ending(1, Some("2025-06-14T00:00:00Z"), false)],
            vec![addition(10, 1, 99, PAST, None)],
            Want::None("\"A1\" ended on 2025-06-14"),
        ),
        (
            "ends today: still billing today",
            vec![ending(1, Some("2025-06-15T00:00:00Z"), false)],
            vec![addition(10, 1, 99, PAST, None)],
            Want::One(10),
        ),
        (
            "ends later",
            vec![ending(1, Some("2026-01-01T00:00:00Z"), false)],
            vec![addition(10, 1, 99, PAST, None)],
            Want::One(10),
        ),
        (
            "no ending date flag wins over a stale end date",
            vec![ending(1, Some("2024-12-31T00:00:00Z"), true)],
            vec![addition(10, 1, 99, PAST, None)],
            Want::One(10),
        ),
        (
            "unreadable end date is not written",
            vec![ending(1, Some("someday"), false)],
            vec![addition(10, 1, 99, PAST, None)],
            Want::None("\"A1\" has an unreadable end date"),
        ),
        (
            "an ended agreement beside a current one: the current one's line",
            vec![
                ending(1, Some("2025-01-31T00:00:00Z"), false),
                ending(2, None, true),
            ],
            vec![
                addition(10, 1, 99, PAST, None),
                addition(20, 2, 99, PAST, None),
            ],
            Want::One(20),
        ),
        (
            "the one active addition has no quantity",
            vec![agreement(1, 7, None, "Active")],
            vec![unquantified(10, 1)],
            Want::None("addition 10 for P99 has no quantity"),
        ),
        (
            "a quantity-less addition beside a good one: not written either",
            vec![agreement(1, 7, None, "Active")],
            vec![addition(10, 1, 99, PAST, None), unquantified(11, 1)],
            Want::None("addition 11 for P99 has no quantity"),
        ),
        (
            "a cancelled addition without quantity does not matter",
            vec![agreement(1, 7, None, "Active")],
            vec![addition(10, 1, 99, PAST, None), {
                let mut a = unquantified(11, 1);
                a.cancelled_date = Some("2025-01-31T00:00:00Z".into());
                a
            }],
            Want::One(10),
        ),
    ];
    for (name, agreements, additions, want) in cases {
        let mut by_agreement: HashMap<i64, Vec<Addition>> = HashMap::new();
        for a in additions {
            let id = a.agreement_id.unwrap_or_default();
            by_agreement.entry(id).or_default().push(a);
        }
        let lines = resolve(
            &[CompanyRef(7)],
            &[ProductRef(99)],
            &agreements,
            &by_agreement,
            today(),
        );
        match (&want, lines.get(&(CompanyRef(7), ProductRef(99)))) {
            (Want::One(id), Some(LineLookup::One { line })) => assert!(
                matches!(line.key, LineKey::Connectwise { addition_id, .. } if addition_id == *id),
                "{name}: {:?}",
                line.key
            ),
            (Want::None(fragment), Some(LineLookup::None { reason })) => {
                assert!(reason.contains(fragment), "{name}: {reason}")
            }
            (want, got) => panic!("{name}: wanted {want:?}, got {got:?}"),
        }
    }
}
