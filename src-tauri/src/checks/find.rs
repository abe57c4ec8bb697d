//! The checks themselves: a pure function of what the sync's gather read (with
//! [`crate::sync::gather::Scope::checks`]) and the connector's calendar day.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};

use super::model::{Problem, ProblemKind};
use crate::model::{CompanyRef, ProductRef};
use crate::psa::{Container, LineLookup};
use crate::store::mappings::WorkspaceLink;
use crate::sync::gather::Gathered;

/// How far ahead an end date is reported.
pub const ENDS_WITHIN_DAYS: i64 = 30;

fn problem(w: &WorkspaceLink, kind: ProblemKind, service: Option<&str>, reason: String) -> Problem {
    Problem {
        kind,
        workspace_id: w.workspace_id.clone(),
        workspace_name: w.workspace_name.clone(),
        company_id: w.company_id,
        company_name: w.company_name.clone(),
        service_key: service.map(str::to_string),
        reason,
    }
}

/// Every problem of every mapped company, in mapping order (company problems first, then per
/// service).
pub fn find(g: &Gathered, today: NaiveDate) -> Vec<Problem> {
    let products: HashMap<ProductRef, &str> = g
        .mappings
        .services
        .iter()
        .map(|s| (s.product_id, s.product_name.as_str()))
        .collect();
    let names = |held: &[ProductRef]| -> String {
        let mut v: Vec<&str> = held
            .iter()
            .filter_map(|p| products.get(p).copied())
            .collect();
        v.sort_unstable();
        v.join(", ")
    };
    let mut out = Vec::new();
    for w in &g.mappings.workspaces {
        if let Some(why) = g.inactive_companies.get(&w.company_id) {
            out.push(problem(
                w,
                ProblemKind::CompanyInactive,
                None,
                format!(
                    "{} is {why}: reactivate it in the PSA, or map the workspace to the company \
                     that now bills it",
                    w.company_name
                ),
            ));
        }
        for c in containers_of(g, w.company_id) {
            if let Some(p) = container_problem(w, c, today, &names) {
                out.push(p);
            }
        }
        for s in &g.mappings.services {
            let key = (w.company_id, s.product_id);
            let service = s.service_key.as_str();
            match g.billing.lines.get(&key) {
                Some(LineLookup::Many { lines }) => {
                    let on: Vec<String> = lines
                        .iter()
                        .map(|l| format!("{} ({})", l.container_name, l.key.describe()))
                        .collect();
                    out.push(problem(
                        w,
                        ProblemKind::SeveralLines,
                        Some(service),
                        format!(
                            "{} lines bill {}: {}. Keep one in the PSA; the sync never guesses",
                            lines.len(),
                            s.product_name,
                            on.join("; ")
                        ),
                    ));
                }
                Some(LineLookup::None { reason }) => {
                    let used = g
                        .usage
                        .counts
                        .get(&(w.workspace_id.clone(), s.service_key.clone()))
                        .and_then(|c| c.as_ref().ok())
                        .copied()
                        .unwrap_or(0);
                    if used > 0 {
                        out.push(problem(
                            w,
                            ProblemKind::NoLine,
                            Some(service),
                            format!(
                                "Coro counts {used} for {service} and no line bills {}: {reason}. \
                                 Add it to the company's agreement / contract",
                                s.product_name
                            ),
                        ));
                    }
                }
                _ => {}
            }
        }
    }
    out
}

fn containers_of(g: &Gathered, company: CompanyRef) -> impl Iterator<Item = &Container> {
    g.billing
        .containers
        .iter()
        .filter(move |c| c.company == company && !c.products.is_empty())
}

/// The problem of one agreement / contract that holds a mapped product, if any.
fn container_problem(
    w: &WorkspaceLink,
    c: &Container,
    today: NaiveDate,
    names: &dyn Fn(&[ProductRef]) -> String,
) -> Option<Problem> {
    let held = names(&c.products);
    if let Some(status) = &c.closed {
        return Some(problem(
            w,
            ProblemKind::ClosedHoldsProduct,
            None,
            format!(
                "\"{}\" is {status} but still holds {held}: end those lines, or move them to a \
                 current agreement / contract",
                c.name
            ),
        ));
    }
    let end = c.ends_on?;
    if end < today {
        return Some(problem(
            w,
            ProblemKind::Ended,
            None,
            format!(
                "\"{}\" ended on {end} but still holds {held}: renew it or move the lines to a \
                 current agreement / contract",
                c.name
            ),
        ));
    }
    let left = (end - today).num_days();
    (end <= today + Duration::days(ENDS_WITHIN_DAYS)).then(|| {
        problem(
            w,
            ProblemKind::EndsSoon,
            None,
            format!(
                "\"{}\" ends on {end} (in {left} day{}) and bills {held}: renew it before then, \
                 or the sync stops billing these lines",
                c.name,
                if left == 1 { "" } else { "s" }
            ),
        )
    })
}
