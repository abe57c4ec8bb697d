//! The Recurring Service contracts a billing read found, as the pre-flight checks see them:
//! each with its end date, whether its status closed it (`status` 0: inactive, reference §4.3,
//! UNCONFIRMED picklist — see [`super::contracts::is_active`]), and the read services on a
//! contract service of it. Autotask has no per-line cancellation: a contract service on the
//! contract holds its service. Pure.

use std::collections::{BTreeMap, BTreeSet};

use super::contracts::is_active;
use super::models::{Contract, ContractService};
use super::tz::parse_day;
use crate::model::{CompanyRef, ProductRef};
use crate::psa::Container;

/// One container per read contract (`contracts` holds only the read companies' contracts).
pub fn of(contracts: &BTreeMap<i64, Contract>, lines: &[ContractService]) -> Vec<Container> {
    contracts
        .iter()
        .filter_map(|(&id, c)| {
            let company = c.company_id?;
            let held: BTreeSet<i64> = lines
                .iter()
                .filter(|l| l.contract_id == Some(id))
                .filter_map(|l| l.service_id)
                .collect();
            Some(Container {
                company: CompanyRef(company),
                id,
                name: c
                    .contract_name
                    .clone()
                    .filter(|n| !n.trim().is_empty())
                    .unwrap_or_else(|| format!("contract {id}")),
                ends_on: c.end_date.as_deref().and_then(parse_day),
                closed: (!is_active(c)).then(|| "inactive".to_string()),
                products: held.into_iter().map(ProductRef).collect(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contracts_say_status_end_and_held_services() {
        let contract = |id: i64, status: i64| Contract {
            id: Some(id),
            company_id: Some(5),
            contract_name: Some(format!("C{id}")),
            status: Some(status),
            end_date: Some("2026-12-27T00:00:00".into()),
            ..Contract::default()
        };
        let contracts = BTreeMap::from([(1, contract(1, 1)), (2, contract(2, 0))]);
        let lines = vec![ContractService {
            id: Some(9),
            contract_id: Some(2),
            service_id: Some(77),
            ..ContractService::default()
        }];
        let got = of(&contracts, &lines);
        assert_eq!(got.len(), 2);
        assert_eq!(got[0].closed, None);
        assert!(got[0].products.is_empty());
        assert_eq!(
            got[0].ends_on,
            chrono::NaiveDate::from_ymd_opt(2026, 12, 27)
        );
        assert_eq!(got[1].closed.as_deref(), Some("inactive"));
        assert_eq!(got[1].products, vec![ProductRef(77)]);
    }
}
