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
