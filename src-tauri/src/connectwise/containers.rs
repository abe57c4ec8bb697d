//! The agreements a billing read found, as the pre-flight checks see them: each with its end
//! date, whether its status closed it, and the read products on an addition of it that is not
//! itself cancelled. Pure: `today` is a parameter.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;

use super::billing::is_active_agreement;
use super::models::{Addition, Agreement};
use crate::model::{CompanyRef, ProductRef};
use crate::psa::Container;

/// Why an agreement's status closed it (`cancelled`, `expired`, `inactive`), or `None`.
fn closed(a: &Agreement) -> Option<String> {
    if is_active_agreement(a) {
        return None;
    }
    if a.cancelled_flag == Some(true) {
        return Some("cancelled".into());
    }
    Some(
        a.agreement_status
            .as_deref()
            .unwrap_or("inactive")
            .to_lowercase(),
    )
}

/// The day an agreement's `endDate` names (`None`: no end, or `noEndingDateFlag`).
fn end_day(a: &Agreement) -> Option<NaiveDate> {
    if a.no_ending_date_flag == Some(true) {
        return None;
    }
    let raw = a.end_date.as_deref()?.trim();
    NaiveDate::parse_from_str(raw.get(..10)?, "%Y-%m-%d").ok()
}

/// Whether an addition still holds its product: its own `cancelledDate` is not today or
/// earlier. (`additionStatus` is not asked: on a closed agreement it carries the agreement's
/// status, so it cannot tell a line ended on purpose from one left behind.)
fn holds(row: &Addition, today: NaiveDate) -> bool {
    let raw = row.cancelled_date.as_deref().map(str::trim);
    match raw.filter(|s| !s.is_empty()) {
        None => true,
        Some(raw) => raw
            .get(..10)
            .and_then(|d| NaiveDate::parse_from_str(d, "%Y-%m-%d").ok())
            .is_none_or(|d| d > today),
    }
}

/// One container per agreement of the read companies.
pub fn of(
    companies: &[CompanyRef],
    products: &[ProductRef],
    agreements: &[Agreement],
    additions: &HashMap<i64, Vec<Addition>>,
    today: NaiveDate,
) -> Vec<crate::psa::Container> {
    let companies: BTreeSet<i64> = companies.iter().map(|c| c.0).collect();
    let products: BTreeSet<i64> = products.iter().map(|p| p.0).collect();
    let mut out = Vec::new();
    for a in agreements {
        let (Some(id), Some(company)) = (a.id, a.company.as_ref().and_then(|c| c.id)) else {
            continue;
        };
        if !companies.contains(&company) {
            continue;
        }
        let held: BTreeSet<i64> = additions
            .get(&id)
            .map(Vec::as_slice)
            .unwrap_or_default()
            .iter()
            .filter(|r| holds(r, today))
            .filter_map(|r| r.product.as_ref().and_then(|p| p.id))
            .filter(|p| products.contains(p))
            .collect();
        out.push(Container {
            company: CompanyRef(company),
            id,
            name: a.name.clone().unwrap_or_else(|| format!("agreement {id}")),
            ends_on: end_day(a),
            closed: closed(a),
            products: held.into_iter().map(ProductRef).collect(),
        });
    }
    out
}

/// Whether ConnectWise's company status name means the company is not active. Status names are
/// per tenant (reference §3: `status/name="Active"` is the active filter); anything else named
/// counts as inactive (**UNCONFIRMED**: a tenant may name an active status otherwise). No status
/// read: active.
pub fn company_inactive(status: Option<&str>) -> bool {
    status
        .map(str::trim)
        .is_some_and(|s| !s.is_empty() && !s.eq_ignore_ascii_case("Active"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::connectwise::models::Reference;

    fn reference(id: i64) -> Option<Reference> {
        serde_json::from_value(serde_json::json!({ "id": id })).ok()
    }

    fn agreement(id: i64, status: &str, cancelled: bool, end: Option<&str>) -> Agreement {
        Agreement {
            id: Some(id),
            name: Some(format!("A{id}")),
            company: reference(1),
            agreement_status: Some(status.into()),
            cancelled_flag: Some(cancelled),
            end_date: end.map(String::from),
            no_ending_date_flag: Some(end.is_none()),
            ..Agreement::default()
        }
    }

    fn addition(product: i64, cancelled: Option<&str>, status: &str) -> Addition {
        Addition {
            id: Some(product * 10),
            product: reference(product),
            quantity: Some(1.0),
            cancelled_date: cancelled.map(String::from),
            addition_status: Some(status.into()),
            ..Addition::default()
        }
    }

    #[test]
    fn containers_say_status_end_and_held_products() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 7).expect("day");
        let agreements = vec![
            agreement(1, "Active", false, Some("2026-12-27T00:00:00Z")),
            agreement(2, "Expired", false, Some("2023-12-31T00:00:00Z")),
            agreement(3, "Cancelled", true, None),
            agreement(4, "Active", false, None),
            agreement(5, "Cancelled", true, None),
        ];
        let additions = HashMap::from([
            (
                1,
                vec![addition(11, None, "Active"), addition(99, None, "Active")],
            ),
            (2, vec![addition(11, None, "Expired")]),
            (
                3,
                vec![addition(11, Some("2024-06-30T00:00:00Z"), "Cancelled")],
            ),
            (4, vec![]),
            (5, vec![addition(11, None, "Cancelled")]),
        ]);
        let got = of(
            &[CompanyRef(1)],
            &[ProductRef(11)],
            &agreements,
            &additions,
            today,
        );
        assert_eq!(got.len(), 5);
        assert_eq!(got[0].ends_on, NaiveDate::from_ymd_opt(2026, 12, 27));
        assert_eq!(got[0].closed, None);
        assert_eq!(
            got[0].products,
            vec![ProductRef(11)],
            "99 is not a read product"
        );
        assert_eq!(got[1].closed.as_deref(), Some("expired"));
        assert_eq!(got[1].products, vec![ProductRef(11)]);
        assert_eq!(got[2].closed.as_deref(), Some("cancelled"));
        assert!(
            got[2].products.is_empty(),
            "a cancelled addition holds nothing"
        );
        assert_eq!(got[3].ends_on, None);
        assert_eq!(
            got[4].products,
            vec![ProductRef(11)],
            "left on a cancelled agreement, its addition still holds the product"
        );
    }

    #[test]
    fn company_status_names() {
        assert!(!company_inactive(Some("Active")));
        assert!(!company_inactive(None));
        assert!(company_inactive(Some("Inactive")));
        assert!(company_inactive(Some("Not-Approved")));
    }
}
