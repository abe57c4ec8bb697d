//! The minimum requests each API allows for a sync, and the floor that latency and the allowed
//! concurrency set (the formulas are in the binary's doc comment).

use std::collections::{BTreeMap, HashSet};
use std::time::Duration;

use psa_bridge::sandbox::seed::Quirk;
use psa_bridge::sandbox::Sandbox;
use psa_bridge_e2e::sandbox_cli::{product_ids, Psa};

pub(crate) fn ceil_div(a: usize, b: usize) -> usize {
    a.div_ceil(b.max(1))
}

/// Percent-encoded length, as in a query string (RFC 3986 unreserved characters kept).
pub(crate) fn encoded_len(s: &str) -> usize {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                1
            } else {
                3
            }
        })
        .sum()
}

/// The fewest agreement requests that can carry `company/id in (…)` for every mapped company
/// with each URL within ConnectWise's ~2,000 characters (reference: keep URLs under 2,000), the
/// other parameters being what the billing read needs (the status filter, `fields`, paging).
/// About 190 four-digit ids fit in one URL (~150 with longer ids).
pub(crate) fn cw_agreement_urls(origin: &str, companies: &[i64]) -> usize {
    const MAX_URL: usize = 2_000;
    let suffix = " and agreementStatus=\"Active\" and cancelledFlag=false";
    let fields = "id,name,company/id,parentAgreement/id,agreementStatus,cancelledFlag";
    let fixed = origin.trim_end_matches('/').len()
        + "/v2026_11/apis/3.0/finance/agreements?conditions=".len()
        + encoded_len("company/id in (")
        + encoded_len(")")
        + encoded_len(suffix)
        + "&fields=".len()
        + encoded_len(fields)
        + "&pageSize=1000&page=1".len();
    let budget = MAX_URL.saturating_sub(fixed).max(1);
    let mut ids: Vec<i64> = companies.to_vec();
    ids.sort_unstable();
    ids.dedup();
    let (mut urls, mut used) = (0usize, 0usize);
    for id in ids {
        let cost = id.to_string().len();
        let sep = encoded_len(", ");
        if urls == 0 || used + sep + cost > budget {
            urls += 1;
            used = cost;
        } else {
            used += sep + cost;
        }
    }
    urls
}

/// The minimum PSA reads for the mapped companies, from the sandbox data (see the module doc).
pub(crate) fn psa_min_reads(sb: &Sandbox, psa: Psa, companies: &[i64]) -> (usize, String) {
    let mapped: HashSet<i64> = companies.iter().copied().collect();
    let m = mapped.len();
    match psa {
        Psa::Connectwise => {
            let st = sb.connectwise.state.lock().expect("state");
            let active = st
                .agreements
                .iter()
                .filter(|a| {
                    a["company"]["id"]
                        .as_i64()
                        .is_some_and(|c| mapped.contains(&c))
                })
                .filter(|a| a["agreementStatus"] == "Active" && a["cancelledFlag"] != true)
                .count();
            let catalog_pages = ceil_div(st.catalog.len(), 1000);
            let chunks = cw_agreement_urls(&sb.info.connectwise.url, companies);
            let n = chunks + active + catalog_pages;
            (
                n,
                format!(
                    "{chunks} URL(s) for {m} ids + {active} agreements + {catalog_pages} catalog"
                ),
            )
        }
        Psa::Autotask => {
            // Before taking the lock: product_ids locks the state too.
            let products: HashSet<i64> = product_ids(sb, psa).into_iter().collect();
            let st = sb.autotask.state.lock().expect("state");
            let contracts: HashSet<i64> = st
                .contracts
                .values()
                .filter(|k| k["contractType"].as_i64() == Some(7))
                .filter(|k| k["companyID"].as_i64().is_some_and(|c| mapped.contains(&c)))
                .filter_map(|k| k["id"].as_i64())
                .collect();
            let lines = st
                .contract_services
                .values()
                .filter(|l| {
                    l["contractID"]
                        .as_i64()
                        .is_some_and(|c| contracts.contains(&c))
                })
                .filter(|l| {
                    l["serviceID"]
                        .as_i64()
                        .is_some_and(|s| products.contains(&s))
                })
                .count();
            let c = contracts.len();
            let services_pages = ceil_div(st.services.len(), 500);
            let n = ceil_div(m, 400).max(ceil_div(c, 500))
                + ceil_div(c, 400).max(ceil_div(lines, 500))
                + ceil_div(lines, 400)
                + services_pages;
            (
                n,
                format!("{m} companies, {c} contracts, {lines} lines + {services_pages} services"),
            )
        }
    }
}

/// The minimum Coro requests for a sync of every mapped workspace.
pub(crate) fn coro_min(sb: &Sandbox) -> (usize, String) {
    let st = sb.coro.state.lock().expect("state");
    let mut channels = vec![st.channel_id.clone()];
    let mut listing = 0;
    while let Some(ch) = channels.pop() {
        let children = st.children_of(&ch);
        listing += ceil_div(children.len(), 100).max(1);
        for w in children {
            if w.kind == psa_bridge::sandbox::coro::Kind::Channel {
                channels.push(w.id.clone());
            }
        }
    }
    let billable = sb
        .world
        .customers
        .iter()
        .filter(|c| c.quirk != Quirk::Archived)
        .count();
    (
        1 + listing + 2 * billable,
        format!("1 token + {listing} listing + 2 × {billable}"),
    )
}

pub(crate) struct Row {
    pub(crate) label: String,
    pub(crate) used: usize,
    pub(crate) min: usize,
    pub(crate) formula: String,
    pub(crate) concurrency: usize,
    /// Gather rows run alongside each other (Coro and the PSA are read at once); apply rows after.
    pub(crate) gather: bool,
}

/// Time for `n` requests per row at each row's concurrency: the slower of the gather rows (read at
/// once), then the apply rows in turn.
pub(crate) fn timeline(rows: &[Row], latency: Duration, n: impl Fn(&Row) -> usize) -> Duration {
    let cost = |r: &Row| latency.mul_f64(n(r) as f64 / r.concurrency as f64);
    let gather = rows
        .iter()
        .filter(|r| r.gather)
        .map(cost)
        .max()
        .unwrap_or_default();
    gather
        + rows
            .iter()
            .filter(|r| !r.gather)
            .map(cost)
            .sum::<Duration>()
}

/// The contract services an Autotask ContractServiceUnits query (a first page) asks for.
pub(crate) fn units_query_ids(r: &psa_bridge::sandbox::LoggedRequest) -> Option<Vec<i64>> {
    let path = r.path.to_ascii_lowercase();
    if !path.contains("contractserviceunits") || path.contains("/next") {
        return None;
    }
    let filter = r.body.get("filter")?.as_array()?;
    let cond = filter.iter().find(|c| c["field"] == "contractServiceID")?;
    match &cond["value"] {
        serde_json::Value::Array(ids) => Some(ids.iter().filter_map(|v| v.as_i64()).collect()),
        v => v.as_i64().map(|id| vec![id]),
    }
}

/// Marks Autotask's write checks among `reads` (in arrival order): the billing read asks for each
/// line's units once, in disjoint chunks; the checks around each batch of adjustments ask again
/// for lines already asked for. Later pages (`/next`) belong to the billing read (a batch's check
/// fits in one page).
pub(crate) fn write_checks(reads: &[&psa_bridge::sandbox::LoggedRequest]) -> Vec<bool> {
    let mut asked: HashSet<i64> = HashSet::new();
    reads
        .iter()
        .map(|r| match units_query_ids(r) {
            Some(ids) if !ids.is_empty() && ids.iter().all(|id| asked.contains(id)) => true,
            Some(ids) => {
                asked.extend(ids);
                false
            }
            None => false,
        })
        .collect()
}

pub(crate) fn categorize(paths: &[String]) -> String {
    let mut by: BTreeMap<String, usize> = BTreeMap::new();
    for p in paths {
        let lower = p.to_ascii_lowercase();
        let key = if lower.contains("/additions") {
            "agreements/{id}/additions".to_string()
        } else if let Some(rest) = lower.strip_prefix("/v1.0/") {
            rest.split('/').next().unwrap_or(rest).to_string()
        } else {
            lower.split('?').next().unwrap_or(&lower).to_string()
        };
        *by.entry(key).or_default() += 1;
    }
    by.iter()
        .map(|(k, v)| format!("{k} {v}"))
        .collect::<Vec<_>>()
        .join(", ")
}
