//! Pure decisions over what `read_billing` fetched: which additions are active on a given day,
//! and, per mapped (company, product), whether exactly one active line carries the product, none
//! does (and why), or several do. No I/O and no clock: `today` is a parameter.

use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;

use super::models::{Addition, Agreement};
use crate::model::{CompanyRef, ProductRef};
use crate::psa::{BillingLine, LineKey, LineLookup};

/// Why an addition is or is not billing today.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Activity {
    Active,
    /// `cancelledDate` is today or earlier (`None`: a date that could not be read).
    Cancelled(Option<NaiveDate>),
    /// `effectiveDate` is after today.
    Future(NaiveDate),
    /// `effectiveDate` could not be read.
    Unreadable,
    /// `additionStatus` (model 2026.11+) other than Active.
    Status(String),
}

/// Active = effective on or before `today` (or no date) and not cancelled on or before `today`
/// (reference §11.1). Dates are day-granular: ConnectWise stores billing dates as midnight UTC.
/// When the model carries `additionStatus`, that wins, as the reference advises.
pub fn activity(addition: &Addition, today: NaiveDate) -> Activity {
    if let Some(status) = addition
        .addition_status
        .as_deref()
        .filter(|s| !s.is_empty())
    {
        return if status.eq_ignore_ascii_case("Active") {
            Activity::Active
        } else {
            Activity::Status(status.to_string())
        };
    }
    if let Some(raw) = addition
        .cancelled_date
        .as_deref()
        .filter(|s| !s.trim().is_empty())
    {
        match day_of(raw) {
            // Unreadable cancellation: do not write into a line that may be closed.
            None => return Activity::Cancelled(None),
            Some(d) if d <= today => return Activity::Cancelled(Some(d)),
            Some(_) => {}
        }
    }
    if let Some(raw) = addition
        .effective_date
        .as_deref()
        .filter(|s| !s.trim().is_empty())
    {
        match day_of(raw) {
            None => return Activity::Unreadable,
            Some(d) if d > today => return Activity::Future(d),
            Some(_) => {}
        }
    }
    Activity::Active
}

/// The calendar day of a ConnectWise date-time, read leniently (`2025-07-01T00:00:00Z`,
/// `2025-07-01 T00:00:00Z`, `2025-07-01`): old data has odd spacing (§11.7).
fn day_of(raw: &str) -> Option<NaiveDate> {
    let head: String = raw.trim().chars().take(10).collect();
    NaiveDate::parse_from_str(&head, "%Y-%m-%d").ok()
}

/// Still-billing agreements: the query already asks for these; re-checked so a lenient server
/// cannot make the sync write into a cancelled agreement.
pub(super) fn is_active_agreement(a: &Agreement) -> bool {
    a.cancelled_flag != Some(true)
        && a.agreement_status
            .as_deref()
            .is_none_or(|s| s.eq_ignore_ascii_case("Active"))
}

/// When an agreement stopped being a candidate for billing: its `endDate` is before `today`
/// (an agreement ending today still bills today). `noEndingDateFlag` wins over a stale date.
pub(super) fn ended(a: &Agreement, today: NaiveDate) -> Option<Ended> {
    if a.no_ending_date_flag == Some(true) {
        return None;
    }
    let raw = a.end_date.as_deref().filter(|s| !s.trim().is_empty())?;
    match day_of(raw) {
        // An end date that cannot be read may be in the past: do not write into it.
        None => Some(Ended::Unreadable),
        Some(d) if d < today => Some(Ended::On(d)),
        Some(_) => None,
    }
}

#[derive(Debug, Clone, Copy)]
pub(super) enum Ended {
    On(NaiveDate),
    Unreadable,
}

/// One decision per (company, product) pair of the cross product of the mapped ids.
pub fn resolve(
    companies: &[CompanyRef],
    products: &[ProductRef],
    agreements: &[Agreement],
    additions: &HashMap<i64, Vec<Addition>>,
    today: NaiveDate,
) -> HashMap<(CompanyRef, ProductRef), LineLookup> {
    let companies: BTreeSet<CompanyRef> = companies.iter().copied().collect();
    let products: BTreeSet<ProductRef> = products.iter().copied().collect();
    let mut out = HashMap::new();
    for &company in &companies {
        // Child agreements carry their own company, so they are found like any other.
        let mut mine: Vec<&Agreement> = agreements
            .iter()
            .filter(|a| a.id.is_some() && is_active_agreement(a))
            .filter(|a| a.company.as_ref().and_then(|c| c.id) == Some(company.0))
            .collect();
        mine.sort_by_key(|a| a.id);
        mine.dedup_by_key(|a| a.id);
        // An agreement past its end date is no candidate, whatever its status says.
        let (over, mine): (Vec<&Agreement>, Vec<&Agreement>) =
            mine.into_iter().partition(|a| ended(a, today).is_some());
        for &product in &products {
            let decision = if mine.is_empty() && !over.is_empty() {
                LineLookup::None {
                    reason: ended_reason(company, &over, today),
                }
            } else {
                decide(company, product, &mine, additions, today)
            };
            out.insert((company, product), decision);
        }
    }
    out
}

fn ended_reason(company: CompanyRef, over: &[&Agreement], today: NaiveDate) -> String {
    let parts: Vec<String> = over
        .iter()
        .map(|a| match ended(a, today) {
            Some(Ended::On(d)) => format!("{} ended on {d}", agreement_name(a)),
            _ => format!("{} has an unreadable end date", agreement_name(a)),
        })
        .collect();
    format!(
        "company {} has no current agreement in ConnectWise: {}",
        company.0,
        parts.join("; ")
    )
}

fn decide(
    company: CompanyRef,
    product: ProductRef,
    agreements: &[&Agreement],
    additions: &HashMap<i64, Vec<Addition>>,
    today: NaiveDate,
) -> LineLookup {
    if agreements.is_empty() {
        return LineLookup::None {
            reason: format!(
                "company {} has no active agreement in ConnectWise",
                company.0
            ),
        };
    }
    let mut active = Vec::new();
    let mut inactive = Vec::new();
    let mut unquantified = Vec::new();
    let mut label = format!("catalog item {}", product.0);
    for agreement in agreements {
        let Some(agreement_id) = agreement.id else {
            continue;
        };
        let rows = additions
            .get(&agreement_id)
            .map(Vec::as_slice)
            .unwrap_or(&[]);
        let mut rows: Vec<&Addition> = rows
            .iter()
            .filter(|a| a.id.is_some())
            .filter(|a| a.product.as_ref().and_then(|p| p.id) == Some(product.0))
            .collect();
        rows.sort_by_key(|a| a.id);
        for row in rows {
            if let Some(ident) = row.product.as_ref().and_then(|p| p.identifier.clone()) {
                label = ident;
            }
            match (activity(row, today), row.quantity) {
                (Activity::Active, Some(q)) => {
                    active.push(line(company, product, agreement, row, q))
                }
                (Activity::Active, None) => {
                    unquantified.push((agreement_name(agreement), row.id.unwrap_or_default()))
                }
                (why, _) => {
                    inactive.push((agreement_name(agreement), row.id.unwrap_or_default(), why))
                }
            }
        }
    }
    // A billing line whose quantity ConnectWise does not give is never read as 0: nothing is
    // known about what it bills, so the pair is left alone.
    if let Some((name, id)) = unquantified.first() {
        return LineLookup::None {
            reason: format!(
                "{name} addition {id} for {label} has no quantity in ConnectWise, so what it bills \
                 is unknown; nothing is written until it has one"
            ),
        };
    }
    match active.len() {
        1 => LineLookup::One {
            line: active.remove(0),
        },
        0 if inactive.is_empty() => {
            LineLookup::None {
                reason: format!(
                "none of the {} active agreement(s) of company {} ({}) has an addition for {label}",
                agreements.len(),
                company.0,
                agreements.iter().map(|a| agreement_name(a)).collect::<Vec<_>>().join(", ")
            ),
            }
        }
        0 => {
            let details: Vec<String> = inactive
                .iter()
                .take(3)
                .map(|(name, id, why)| format!("{name} addition {id} {}", describe(why)))
                .collect();
            let more = inactive.len().saturating_sub(3);
            LineLookup::None {
                reason: format!(
                    "no active addition for {label} on company {}'s agreements: {}{}",
                    company.0,
                    details.join("; "),
                    if more > 0 {
                        format!(" (and {more} more)")
                    } else {
                        String::new()
                    }
                ),
            }
        }
        _ => LineLookup::Many { lines: active },
    }
}

fn describe(why: &Activity) -> String {
    match why {
        Activity::Active => "is active".into(),
        Activity::Cancelled(Some(d)) => format!("was cancelled on {d}"),
        Activity::Cancelled(None) => "has an unreadable cancelled date".into(),
        Activity::Future(d) => format!("starts on {d}"),
        Activity::Unreadable => "has an unreadable effective date".into(),
        Activity::Status(s) => format!("is {s}"),
    }
}

pub(super) fn agreement_name(a: &Agreement) -> String {
    let name = a.name.clone().filter(|n| !n.trim().is_empty());
    let name = name.unwrap_or_else(|| format!("agreement {}", a.id.unwrap_or_default()));
    format!("\"{name}\"")
}

fn line(
    company: CompanyRef,
    product: ProductRef,
    agreement: &Agreement,
    row: &Addition,
    raw: f64,
) -> BillingLine {
    if raw.fract() != 0.0 {
        tracing::warn!(
            addition = row.id,
            quantity = raw,
            "ConnectWise addition has a fractional quantity; rounding"
        );
    }
    let mut container_name = agreement
        .name
        .clone()
        .unwrap_or_else(|| format!("agreement {}", agreement.id.unwrap_or_default()));
    if let Some(parent) = agreement.parent_agreement.as_ref().and_then(|p| p.id) {
        container_name.push_str(&format!(" (child of agreement {parent})"));
    }
    BillingLine {
        company,
        product,
        key: LineKey::Connectwise {
            agreement_id: agreement.id.unwrap_or_default(),
            addition_id: row.id.unwrap_or_default(),
        },
        quantity: raw.round() as i64,
        container_name,
        unit_price_cents: row.unit_price.and_then(crate::psa::price_cents),
    }
}
