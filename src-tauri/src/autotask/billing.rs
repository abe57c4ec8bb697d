//! `read_billing`: the current units of every mapped (company, service) pair, read in batches
//! (contracts → contract services → unit periods), and the pure decision [`decide`] of what each
//! pair maps to: exactly one billing line, none (with the reason), or several.
//!
//! A line "bills today" when a ContractServiceUnits period covers the tenant's day. Inactive
//! Recurring Service contracts still bill (reference §10), so their lines count: a lone line on
//! an inactive contract is reported rather than written, and it makes a pair ambiguous when an
//! active contract carries the service too.

use std::collections::{BTreeMap, HashMap, HashSet};
use std::sync::atomic::Ordering;

use chrono::NaiveDate;

use super::client::AutotaskClient;
use super::contracts::{contract_covers, covering_row, is_active};
use super::errors::SECURITY_LEVEL_HINT;
use super::models::{Contract, ContractService, ContractServiceUnit};
use super::query::{chunks, Tally, IN_CHUNK};
use crate::model::{CompanyRef, ProductRef};
use crate::psa::{BillingLine, BillingState, LineKey, LineLookup, NewLine, PsaError};

/// One contract service carrying the pair's service, on one of the company's contracts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Candidate {
    pub contract_id: i64,
    pub contract_name: String,
    pub contract_active: bool,
    pub contract_service_id: i64,
    /// Units of the period covering today; None when no period covers it.
    pub units_today: Option<i64>,
    /// The contract service's unit price in cents (read only, for the report).
    pub unit_price_cents: Option<i64>,
}

/// What a pair maps to, given its candidates and the names of the company's Recurring Service
/// contracts (empty: it has none).
pub fn decide(
    company: CompanyRef,
    product: ProductRef,
    candidates: &[Candidate],
    contract_names: &[String],
    today: NaiveDate,
) -> LineLookup {
    let line = |c: &Candidate, units: i64| BillingLine {
        company,
        product,
        key: LineKey::Autotask {
            contract_id: c.contract_id,
            contract_service_id: c.contract_service_id,
        },
        quantity: units,
        container_name: if c.contract_active {
            c.contract_name.clone()
        } else {
            format!("{} (inactive)", c.contract_name)
        },
        unit_price_cents: c.unit_price_cents,
    };
    let billing: Vec<BillingLine> = candidates
        .iter()
        .filter_map(|c| c.units_today.map(|u| line(c, u)))
        .collect();
    let billing_candidates: Vec<&Candidate> = candidates
        .iter()
        .filter(|c| c.units_today.is_some())
        .collect();
    match billing_candidates.as_slice() {
        [only] if only.contract_active => LineLookup::One { line: line(only, only.units_today.unwrap_or_default()) },
        [only] => LineLookup::None {
            reason: format!(
                "The service bills only on contract '{}', which is inactive (inactive Recurring Service contracts \
                 still bill in Autotask). Reactivate it or move the service to an active contract; nothing was changed.",
                only.contract_name
            ),
        },
        [] if contract_names.is_empty() => LineLookup::None {
            reason: "The company has no Recurring Service contract in Autotask (or the API user cannot see its contracts)."
                .to_string(),
        },
        [] if candidates.is_empty() => LineLookup::None {
            reason: format!(
                "The service is not on any of the company's Recurring Service contracts ({}).",
                contract_names.join(", ")
            ),
        },
        [] => {
            let mut names: Vec<&str> = candidates.iter().map(|c| c.contract_name.as_str()).collect();
            names.sort_unstable();
            names.dedup();
            LineLookup::None {
                reason: format!(
                    "The service is on contract {}, but no billing period covers {today}: the contract has not \
                     started, has ended, or its periods are not set up.",
                    names.join(", ")
                ),
            }
        }
        _ => LineLookup::Many { lines: billing },
    }
}

/// The companies a read that kept failing covered, each with the reason (the first failure).
#[derive(Default)]
struct Unreadable(BTreeMap<i64, String>);

impl Unreadable {
    fn add(&mut self, company: i64, reason: impl FnOnce() -> String) {
        self.0.entry(company).or_insert_with(reason);
    }

    /// Failed chunks of the contracts read (company ids).
    fn companies(&mut self, failed: Vec<(Vec<i64>, PsaError)>) {
        for (ids, e) in failed {
            for id in ids {
                self.add(id, || {
                    format!("its Autotask contracts could not be read: {e}")
                });
            }
        }
    }

    /// Failed chunks of the contract services read (contract ids).
    fn contracts(
        &mut self,
        failed: Vec<(Vec<i64>, PsaError)>,
        contracts: &BTreeMap<i64, Contract>,
    ) {
        for (ids, e) in failed {
            for contract in ids.iter().filter_map(|id| contracts.get(id)) {
                if let Some(company) = contract.company_id {
                    self.add(company, || {
                        format!(
                            "the services of Autotask contract '{}' could not be read: {e}",
                            contract_label(contract)
                        )
                    });
                }
            }
        }
    }

    /// Failed chunks of the unit periods read (contract service ids).
    fn lines(
        &mut self,
        failed: Vec<(Vec<i64>, PsaError)>,
        lines: &[ContractService],
        contracts: &BTreeMap<i64, Contract>,
    ) {
        for (ids, e) in failed {
            let wanted: HashSet<i64> = ids.into_iter().collect();
            for l in lines
                .iter()
                .filter(|l| l.id.is_some_and(|id| wanted.contains(&id)))
            {
                let contract = l.contract_id.and_then(|c| contracts.get(&c));
                if let Some((contract, company)) = contract.and_then(|c| Some((c, c.company_id?))) {
                    self.add(company, || {
                        format!(
                            "the units of Autotask contract '{}' could not be read: {e}",
                            contract_label(contract)
                        )
                    });
                }
            }
        }
    }
}

fn contract_label(c: &Contract) -> String {
    match (
        c.contract_name.as_deref().filter(|n| !n.trim().is_empty()),
        c.id,
    ) {
        (Some(n), _) => n.to_string(),
        (None, Some(id)) => format!("contract {id}"),
        (None, None) => "unnamed contract".to_string(),
    }
}

/// Where a service on none of the company's contracts could be added: its one active Recurring
/// Service contract covering `today`, or why there is none to choose.
pub fn new_line(
    company: CompanyRef,
    product: ProductRef,
    contracts: &BTreeMap<i64, Contract>,
    today: NaiveDate,
) -> Result<NewLine, String> {
    let current: Vec<&Contract> = contracts
        .values()
        .filter(|c| c.company_id == Some(company.0) && is_active(c) && contract_covers(c, today))
        .collect();
    match current.as_slice() {
        [one] => Ok(NewLine {
            company,
            product,
            psa: crate::model::PsaKind::Autotask,
            container_id: one.id.unwrap_or_default(),
            container_name: contract_label(one),
        }),
        [] => Err("the company has no current Recurring Service contract to add it to".into()),
        many => Err(format!(
            "the company has {} current Recurring Service contracts ({}); PSA Bridge will not \
             guess which one bills it",
            many.len(),
            many.iter()
                .map(|c| contract_label(c))
                .collect::<Vec<_>>()
                .join(", ")
        )),
    }
}

impl AutotaskClient {
    /// Reads the billing state of every (company, service) pair for the tenant day `today`.
    pub async fn read_billing_on(
        &self,
        companies: &[CompanyRef],
        products: &[ProductRef],
        today: NaiveDate,
    ) -> Result<BillingState, PsaError> {
        let tally = Tally::default();
        let mut state = BillingState::default();
        if companies.is_empty() || products.is_empty() {
            return Ok(state);
        }
        self.zone(&tally).await?;
        self.refresh_threshold(&tally).await?;
        let company_ids: Vec<i64> = companies.iter().map(|c| c.0).collect();
        let service_ids: Vec<i64> = products.iter().map(|p| p.0).collect();
        let company_set: HashSet<i64> = company_ids.iter().copied().collect();

        let contracts_read = self.recurring_contracts(&company_ids, &tally).await?;
        if contracts_read.rows.is_empty() {
            // Nothing could be read: say why, as one error.
            if let Some((_, e)) = contracts_read.failed.first() {
                if contracts_read.failed.len() == chunks(&company_ids, IN_CHUNK).len() {
                    return Err(e.clone());
                }
            }
        }
        let contracts: BTreeMap<i64, Contract> = contracts_read
            .rows
            .into_iter()
            .filter(|c| c.company_id.is_some_and(|id| company_set.contains(&id)))
            .filter_map(|c| Some((c.id?, c)))
            .collect();
        let mut unreadable = Unreadable::default();
        unreadable.companies(contracts_read.failed);
        let contract_ids: Vec<i64> = contracts.keys().copied().collect();
        let mut lines = Vec::new();
        if !contract_ids.is_empty() {
            let read = self
                .contract_services(&contract_ids, &service_ids, &tally)
                .await?;
            lines = read.rows;
            unreadable.contracts(read.failed, &contracts);
        }
        let lines: Vec<_> = lines
            .into_iter()
            .filter(|l| l.contract_id.is_some_and(|c| contracts.contains_key(&c)))
            .collect();
        let line_ids: Vec<i64> = lines.iter().filter_map(|l| l.id).collect();
        let mut units = Vec::new();
        let mut units_failed = false;
        if !line_ids.is_empty() {
            let read = self.unit_periods_chunked(&line_ids, today, &tally).await?;
            units = read.rows;
            units_failed = !read.failed.is_empty();
            unreadable.lines(read.failed, &lines, &contracts);
        }

        // Every contract service has a period for each billing period of its contract, so lines on
        // in-date contracts with no periods at all mean the security level hides them (§10).
        let in_date_lines = lines.iter().any(|l| {
            l.contract_id
                .and_then(|c| contracts.get(&c))
                .is_some_and(|c| contract_covers(c, today))
        });
        if in_date_lines && units.is_empty() && !units_failed {
            return Err(PsaError::Forbidden(format!(
                "Autotask returned no contract service units although {} contract service(s) exist on current \
                 contracts: the API user's security level hides them. {SECURITY_LEVEL_HINT}.",
                lines.len()
            )));
        }

        let mut periods: HashMap<i64, Vec<&ContractServiceUnit>> = HashMap::new();
        for u in &units {
            if let Some(id) = u.contract_service_id {
                periods.entry(id).or_default().push(u);
            }
        }
        let mut names_by_company: HashMap<i64, Vec<String>> = HashMap::new();
        for c in contracts.values() {
            if let Some(company) = c.company_id {
                names_by_company
                    .entry(company)
                    .or_default()
                    .push(contract_label(c));
            }
        }
        let mut candidates: HashMap<(i64, i64), Vec<Candidate>> = HashMap::new();
        for l in &lines {
            let (Some(id), Some(contract_id), Some(service)) = (l.id, l.contract_id, l.service_id)
            else {
                continue;
            };
            let Some(contract) = contracts.get(&contract_id) else {
                continue;
            };
            let Some(company) = contract.company_id else {
                continue;
            };
            let rows = periods.get(&id).map(Vec::as_slice).unwrap_or_default();
            candidates
                .entry((company, service))
                .or_default()
                .push(Candidate {
                    contract_id,
                    contract_name: contract_label(contract),
                    contract_active: is_active(contract),
                    contract_service_id: id,
                    units_today: covering_row(rows.iter().copied(), today).and_then(|r| r.units),
                    unit_price_cents: l.unit_price.and_then(crate::psa::price_cents),
                });
        }
        for company in companies {
            let names = names_by_company
                .get(&company.0)
                .cloned()
                .unwrap_or_default();
            for product in products {
                let cands = candidates
                    .get(&(company.0, product.0))
                    .map(Vec::as_slice)
                    .unwrap_or_default();
                let lookup = match unreadable.0.get(&company.0) {
                    Some(reason) => LineLookup::Unreadable {
                        reason: reason.clone(),
                    },
                    None => decide(*company, *product, cands, &names, today),
                };
                if cands.is_empty() && !unreadable.0.contains_key(&company.0) {
                    let target = new_line(*company, *product, &contracts, today);
                    state.new_lines.insert((*company, *product), target);
                }
                state.lines.insert((*company, *product), lookup);
            }
        }
        state.containers = super::containers::of(&contracts, &lines);
        state.requests = tally.load(Ordering::SeqCst);
        tracing::info!(
            requests = state.requests,
            pairs = state.lines.len(),
            "Autotask billing read"
        );
        Ok(state)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cand(contract_id: i64, active: bool, line: i64, units: Option<i64>) -> Candidate {
        Candidate {
            contract_id,
            contract_name: format!("C{contract_id}"),
            contract_active: active,
            contract_service_id: line,
            units_today: units,
            unit_price_cents: None,
        }
    }

    fn kind(l: &LineLookup) -> String {
        match l {
            LineLookup::One { line } => format!("one:{}={}", line.key.describe(), line.quantity),
            LineLookup::None { reason } => format!("none:{reason}"),
            LineLookup::Many { lines } => format!("many:{}", lines.len()),
            LineLookup::Unreadable { reason } => format!("unreadable:{reason}"),
        }
    }

    #[test]
    fn decision_table() {
        let today = NaiveDate::from_ymd_opt(2025, 6, 17).unwrap();
        let names = vec!["C1".to_string(), "C2".to_string()];
        // (case, candidates, company has contracts, expected prefix)
        let cases: Vec<(&str, Vec<Candidate>, bool, &str)> = vec![
            ("exactly one active line", vec![cand(1, true, 10, Some(42))], true, "one:contract 1 / contract service 10=42"),
            ("one line at zero units", vec![cand(1, true, 10, Some(0))], true, "one:contract 1 / contract service 10=0"),
            ("no contracts at all", vec![], false, "none:The company has no Recurring Service contract"),
            ("contracts without the service", vec![], true, "none:The service is not on any of the company's Recurring Service contracts (C1, C2)"),
            ("line but no period covers today", vec![cand(1, true, 10, None)], true, "none:The service is on contract C1, but no billing period covers 2025-06-17"),
            ("only on an inactive contract", vec![cand(2, false, 20, Some(5))], true, "none:The service bills only on contract 'C2', which is inactive"),
            ("two contracts", vec![cand(1, true, 10, Some(1)), cand(2, true, 20, Some(2))], true, "many:2"),
            ("service twice on one contract", vec![cand(1, true, 10, Some(1)), cand(1, true, 11, Some(3))], true, "many:2"),
            ("active plus inactive still billing", vec![cand(1, true, 10, Some(1)), cand(2, false, 20, Some(2))], true, "many:2"),
            ("ended contract ignored next to a current one", vec![cand(1, true, 10, None), cand(2, true, 20, Some(9))], true, "one:contract 2 / contract service 20=9"),
        ];
        for (name, cands, has_contracts, want) in cases {
            let contract_names = if has_contracts { names.clone() } else { vec![] };
            let got = decide(CompanyRef(7), ProductRef(8), &cands, &contract_names, today);
            assert!(kind(&got).starts_with(want), "{name}: got {}", kind(&got));
        }
    }

    #[test]
    fn many_marks_inactive_contracts() {
        let today = NaiveDate::from_ymd_opt(2025, 6, 17).unwrap();
        let got = decide(
            CompanyRef(1),
            ProductRef(2),
            &[cand(1, true, 10, Some(1)), cand(2, false, 20, Some(2))],
            &[],
            today,
        );
        let LineLookup::Many { lines } = got else {
            panic!("expected many")
        };
        assert_eq!(lines[1].container_name, "C2 (inactive)");
        assert_eq!(lines[0].company, CompanyRef(1));
        assert_eq!(lines[0].product, ProductRef(2));
    }
}
