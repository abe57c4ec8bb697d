//! Recurring Service contracts (`contractType` 7), their contract services, and the
//! ContractServiceUnits periods that hold the billed units (reference §4.3–4.5).
//!
//! Units live only in ContractServiceUnits, one row per billing period (split by adjustments);
//! the current quantity is the row whose period covers the tenant's "today", latest `startDate`
//! then highest `id` winning (never the first row: that is the oldest period).

use chrono::{Duration, NaiveDate};
use reqwest::Method;
use serde::de::DeserializeOwned;
use tokio::task::JoinSet;

use super::client::{AutotaskClient, LinePrice};
use super::models::{Contract, ContractService, ContractServiceUnit, HasId, ItemEnvelope};
use super::query::{chunks, Filter, Query, Tally, IN_CHUNK, SECONDARY_IN_MAX};
use super::send::Target;
use super::tz::{filter_date, parse_day};
use crate::psa::PsaError;

/// `contractType` of a Recurring Service contract (CONFIRMED by the ContractServices docs).
pub const RECURRING_SERVICE: i64 = 7;

/// The rows of a chunked read, and the chunks that kept failing (the ids each held, the error).
#[derive(Debug)]
pub(crate) struct Chunked<T> {
    pub rows: Vec<T>,
    pub failed: Vec<(Vec<i64>, PsaError)>,
}

impl<T> Chunked<T> {
    /// Every row, or the first failed chunk's error.
    pub fn whole(self) -> Result<Vec<T>, PsaError> {
        match self.failed.into_iter().next() {
            Some((_, e)) => Err(e),
            None => Ok(self.rows),
        }
    }
}

/// Days of slack on each side of "today" in the server-side period filter. The final choice is
/// made in code on the `YYYY-MM-DD` part, so a time-zone shift in how the server compares dates
/// can only widen the rows fetched, never drop the one that covers today (reference §7).
const PERIOD_SLACK_DAYS: i64 = 2;

/// `status` 0 is inactive; anything else is treated as active (reference §4.3, UNCONFIRMED
/// picklist). Inactive contracts still bill, so they are never silently ignored.
pub fn is_active(c: &Contract) -> bool {
    c.status != Some(0)
}

/// The row whose `[startDate, endDate]` contains `day`: latest start, then highest id.
pub fn covering_row<'a, I>(rows: I, day: NaiveDate) -> Option<&'a ContractServiceUnit>
where
    I: IntoIterator<Item = &'a ContractServiceUnit>,
{
    rows.into_iter()
        .filter_map(|r| {
            let start = parse_day(r.start_date.as_deref()?)?;
            let end = parse_day(r.end_date.as_deref()?)?;
            (start <= day && day <= end).then_some((start, r.id.unwrap_or(i64::MIN), r))
        })
        .max_by_key(|(start, id, _)| (*start, *id))
        .map(|(_, _, r)| r)
}

/// Whether a contract's own dates cover `day` (used to tell "no rights to see units" apart from
/// "the contract is over").
pub fn contract_covers(c: &Contract, day: NaiveDate) -> bool {
    let start = c.start_date.as_deref().and_then(parse_day);
    let end = c.end_date.as_deref().and_then(parse_day);
    matches!((start, end), (Some(s), Some(e)) if s <= day && day <= e)
}

fn period_filter(today: NaiveDate) -> Vec<Filter> {
    let slack = Duration::days(PERIOD_SLACK_DAYS);
    vec![
        Filter::gte("endDate", filter_date(today - slack)),
        Filter::lte("startDate", filter_date(today + slack)),
    ]
}

impl AutotaskClient {
    /// Runs one query per chunk, up to the thread limit in parallel, and returns every row
    /// sorted by id (chunks finish in any order).
    /// Every row of `queries` (each tagged with the ids its `in` filter holds), read in parallel.
    /// A query that keeps failing after the client's retries is reported with its ids and the
    /// other queries still count; an error no request can get past (keys, permissions) fails
    /// the whole read.
    pub(crate) async fn query_chunks<T>(
        &self,
        entity: &'static str,
        queries: Vec<(Vec<i64>, Query)>,
        what: &'static str,
        tally: &Tally,
    ) -> Result<Chunked<T>, PsaError>
    where
        T: DeserializeOwned + HasId + Send + 'static,
    {
        let mut set = JoinSet::new();
        for (ids, q) in queries {
            let (client, tally) = (self.clone(), tally.clone());
            set.spawn(async move { (ids, client.query_all::<T>(entity, &q, what, &tally).await) });
        }
        let mut out = Chunked {
            rows: Vec::new(),
            failed: Vec::new(),
        };
        while let Some(joined) = set.join_next().await {
            match joined {
                Ok((_, Ok(rows))) => out.rows.extend(rows),
                // Returning drops the JoinSet, which aborts the other reads.
                Ok((_, Err(e))) if e.concerns_every_request() => return Err(e),
                Ok((ids, Err(e))) => {
                    tracing::warn!(entity, ids = ids.len(), "Autotask could not {what}: {e}");
                    out.failed.push((ids, e));
                }
                Err(e) => {
                    return Err(PsaError::Remote {
                        status: None,
                        message: format!("Reading from Autotask stopped unexpectedly while trying to {what}: {e}"),
                        request_id: None,
                    });
                }
            }
        }
        out.rows.sort_by_key(|r| r.id());
        out.failed.sort_by_key(|(ids, _)| ids.first().copied());
        Ok(out)
    }

    pub(crate) async fn recurring_contracts(
        &self,
        companies: &[i64],
        tally: &Tally,
    ) -> Result<Chunked<Contract>, PsaError> {
        let queries = chunks(companies, IN_CHUNK)
            .into_iter()
            .map(|c| {
                let q = Query::new(vec![
                    Filter::eq("contractType", RECURRING_SERVICE),
                    Filter::in_ids("companyID", &c),
                ]);
                (c, q)
            })
            .collect();
        let mut read: Chunked<Contract> = self
            .query_chunks("Contracts", queries, "read contracts", tally)
            .await?;
        read.rows
            .retain(|c| c.contract_type == Some(RECURRING_SERVICE));
        Ok(read)
    }

    /// Contract services of the contracts that carry one of `services`. The service list goes
    /// into the filter when short; otherwise it is applied here.
    pub(crate) async fn contract_services(
        &self,
        contracts: &[i64],
        services: &[i64],
        tally: &Tally,
    ) -> Result<Chunked<ContractService>, PsaError> {
        let mut wanted = services.to_vec();
        wanted.sort_unstable();
        wanted.dedup();
        let queries = chunks(contracts, IN_CHUNK)
            .into_iter()
            .map(|c| {
                let mut f = vec![Filter::in_ids("contractID", &c)];
                if wanted.len() <= SECONDARY_IN_MAX {
                    f.push(Filter::in_ids("serviceID", &wanted));
                }
                (c, Query::new(f))
            })
            .collect();
        let mut read: Chunked<ContractService> = self
            .query_chunks("ContractServices", queries, "read contract services", tally)
            .await?;
        if let Ok(mut cache) = self.inner.prices.lock() {
            for r in &read.rows {
                if let Some(id) = r.id {
                    cache.insert(
                        id,
                        LinePrice {
                            unit_price: r.unit_price,
                            unit_cost: r.unit_cost,
                            service_id: r.service_id,
                        },
                    );
                }
            }
        }
        read.rows.retain(|r| {
            r.service_id
                .is_some_and(|s| wanted.binary_search(&s).is_ok())
        });
        Ok(read)
    }

    /// The unit periods around `today` of `contract_services`; every chunk must be read (the
    /// write checks need them all). Public for the sandbox-backed integration tests.
    pub async fn unit_periods(
        &self,
        contract_services: &[i64],
        today: NaiveDate,
        tally: &Tally,
    ) -> Result<Vec<ContractServiceUnit>, PsaError> {
        self.unit_periods_chunked(contract_services, today, tally)
            .await?
            .whole()
    }

    /// [`Self::unit_periods`], reporting the chunks that kept failing instead of failing.
    pub(crate) async fn unit_periods_chunked(
        &self,
        contract_services: &[i64],
        today: NaiveDate,
        tally: &Tally,
    ) -> Result<Chunked<ContractServiceUnit>, PsaError> {
        let queries = chunks(contract_services, IN_CHUNK)
            .into_iter()
            .map(|c| {
                let mut f = vec![Filter::in_ids("contractServiceID", &c)];
                f.extend(period_filter(today));
                (c, Query::new(f))
            })
            .collect();
        self.query_chunks(
            "ContractServiceUnits",
            queries,
            "read contract service units",
            tally,
        )
        .await
    }

    pub(crate) async fn line_price(
        &self,
        contract_service_id: i64,
        tally: &Tally,
    ) -> Result<LinePrice, PsaError> {
        let cached = self
            .inner
            .prices
            .lock()
            .ok()
            .and_then(|c| c.get(&contract_service_id).copied());
        if let Some(p) = cached {
            return Ok(p);
        }
        let target = Target::Path(format!("V1.0/ContractServices/{contract_service_id}"));
        let bytes = self
            .read(Method::GET, &target, None, "read a contract service", tally)
            .await?;
        let env: ItemEnvelope<ContractService> = serde_json::from_slice(&bytes).map_err(|e| PsaError::Remote {
            status: Some(200),
            message: format!(
                "Autotask answered something unreadable for contract service {contract_service_id}: {e}; {}",
                crate::error::DIAGNOSTICS_HINT
            ),
            request_id: None,
        })?;
        let line = env.item.ok_or_else(|| {
            PsaError::NotFound(format!(
                "Contract service {contract_service_id} no longer exists in Autotask (or the API user cannot see it)."
            ))
        })?;
        let p = LinePrice {
            unit_price: line.unit_price,
            unit_cost: line.unit_cost,
            service_id: line.service_id,
        };
        if let Ok(mut cache) = self.inner.prices.lock() {
            cache.insert(contract_service_id, p);
        }
        Ok(p)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row(id: i64, start: &str, end: &str, units: i64) -> ContractServiceUnit {
        ContractServiceUnit {
            id: Some(id),
            start_date: Some(start.into()),
            end_date: Some(end.into()),
            units: Some(units),
            ..Default::default()
        }
    }

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    #[test]
    fn covering_row_table() {
        let rows = vec![
            row(1, "2025-05-01T00:00:00Z", "2025-05-31T00:00:00Z", 40),
            row(2, "2025-06-01T00:00:00Z", "2025-06-30T00:00:00Z", 42),
            // An adjustment on the 17th split June: the later row wins from that day on.
            row(5, "2025-06-17T00:00:00Z", "2025-06-30T00:00:00Z", 45),
            // Same-day second split: highest id wins.
            row(7, "2025-06-20T00:00:00.000Z", "2025-06-30T00:00:00", 46),
            row(6, "2025-06-20T00:00:00Z", "2025-06-30T00:00:00Z", 44),
            row(9, "garbage", "2025-06-30T00:00:00Z", 99),
        ];
        let cases = [
            ("2025-04-30", None),
            ("2025-05-01", Some(40)),
            ("2025-05-31", Some(40)),
            ("2025-06-01", Some(42)),
            ("2025-06-16", Some(42)),
            ("2025-06-17", Some(45)),
            ("2025-06-20", Some(46)),
            ("2025-06-30", Some(46)),
            ("2025-07-01", None),
        ];
        for (day, want) in cases {
            assert_eq!(
                covering_row(&rows, d(day)).and_then(|r| r.units),
                want,
                "{day}"
            );
        }
    }

    #[test]
    fn contract_dates_and_status() {
        let c = Contract {
            start_date: Some("2024-01-01T00:00:00Z".into()),
            end_date: Some("2026-12-31T00:00:00Z".into()),
            status: Some(1),
            ..Default::default()
        };
        assert!(contract_covers(&c, d("2024-01-01")) && contract_covers(&c, d("2026-12-31")));
        assert!(!contract_covers(&c, d("2027-01-01")));
        assert!(is_active(&c));
        assert!(!is_active(&Contract {
            status: Some(0),
            ..c.clone()
        }));
        assert!(is_active(&Contract { status: None, ..c }));
    }

    #[test]
    fn period_filter_has_slack() {
        let f = serde_json::to_value(period_filter(d("2025-06-17"))).unwrap();
        assert_eq!(
            f,
            serde_json::json!([{"op":"gte","field":"endDate","value":"2025-06-15T00:00:00Z"},
                               {"op":"lte","field":"startDate","value":"2025-06-19T00:00:00Z"}])
        );
    }
}
