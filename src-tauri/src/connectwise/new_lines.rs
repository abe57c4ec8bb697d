//! Where a missing line could be created (issue 14, item 2): for each mapped (company, product)
//! that no addition of the company's current agreements carries — not even a cancelled or
//! future one — the company's one current agreement, or why there is none to choose. Pure.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;

use super::billing::{agreement_name, ended, is_active_agreement};
use super::models::{Addition, Agreement};
use crate::model::{CompanyRef, ProductRef, PsaKind};
use crate::psa::NewLine;

/// One entry per pair on no addition at all.
pub fn targets(
    companies: &[CompanyRef],
    products: &[ProductRef],
    agreements: &[Agreement],
    additions: &HashMap<i64, Vec<Addition>>,
    today: NaiveDate,
) -> HashMap<(CompanyRef, ProductRef), Result<NewLine, String>> {
    let companies: BTreeSet<CompanyRef> = companies.iter().copied().collect();
    let mut out = HashMap::new();
    for company in companies {
        let mut mine: Vec<&Agreement> = agreements
            .iter()
            .filter(|a| a.id.is_some() && is_active_agreement(a) && ended(a, today).is_none())
            .filter(|a| a.company.as_ref().and_then(|c| c.id) == Some(company.0))
            .collect();
        mine.sort_by_key(|a| a.id);
        mine.dedup_by_key(|a| a.id);
        for &product in products {
            let carried = mine.iter().filter_map(|a| a.id).any(|id| {
                additions.get(&id).is_some_and(|rows| {
                    rows.iter()
                        .any(|r| r.product.as_ref().and_then(|p| p.id) == Some(product.0))
                })
            });
            if carried {
                continue;
            }
            let target = match mine.as_slice() {
                [one] => Ok(NewLine {
                    company,
                    product,
                    psa: PsaKind::Connectwise,
                    container_id: one.id.unwrap_or_default(),
                    container_name: one
                        .name
                        .clone()
                        .unwrap_or_else(|| format!("agreement {}", one.id.unwrap_or_default())),
                }),
                [] => Err("the company has no current agreement to add it to".to_string()),
                many => Err(format!(
                    "the company has {} current agreements ({}); PSA Bridge will not guess which \
                     one bills it",
                    many.len(),
                    many.iter()
                        .map(|a| agreement_name(a))
                        .collect::<Vec<_>>()
                        .join(", ")
                )),
            };
            out.insert((company, product), target);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn agreement(id: i64, company: i64) -> Agreement {
        serde_json::from_value(serde_json::json!({
            "id": id, "name": format!("A{id}"), "company": {"id": company},
            "agreementStatus": "Active", "cancelledFlag": false, "noEndingDateFlag": true
        }))
        .unwrap()
    }

    fn addition(id: i64, product: i64) -> Addition {
        serde_json::from_value(serde_json::json!({
            "id": id, "product": {"id": product}, "quantity": 3.0,
            "cancelledDate": "2020-01-01T00:00:00Z"
        }))
        .unwrap()
    }

    #[test]
    fn one_agreement_none_or_several_and_any_addition_blocks_a_create() {
        let today = NaiveDate::from_ymd_opt(2026, 12, 7).unwrap();
        let (c1, c2, c3) = (CompanyRef(1), CompanyRef(2), CompanyRef(3));
        let (p, q) = (ProductRef(10), ProductRef(11));
        let agreements = vec![agreement(100, 1), agreement(200, 2), agreement(201, 2)];
        // Product 10 is on agreement 100, cancelled: no create (the operator decides).
        let additions = HashMap::from([(100, vec![addition(5, 10)])]);
        let got = targets(&[c1, c2, c3], &[p, q], &agreements, &additions, today);
        assert!(
            !got.contains_key(&(c1, p)),
            "a cancelled addition blocks a create"
        );
        let one = got[&(c1, q)].as_ref().unwrap();
        assert_eq!(
            (one.container_id, one.describe().as_str()),
            (100, "agreement 100 / new line")
        );
        assert!(got[&(c2, q)]
            .as_ref()
            .unwrap_err()
            .contains("2 current agreements"));
        assert!(got[&(c3, q)]
            .as_ref()
            .unwrap_err()
            .contains("no current agreement"));
    }
}
