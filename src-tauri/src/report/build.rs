//! Builds the [`Report`] from what a (wide) gather read and the plan the sync would make of it.
//! Pure: no I/O, no clock. Every figure comes from the gathered data; the plan only decides
//! which pairs the sync could write (rows) and which it would skip (and why).

use std::collections::{BTreeMap, HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::model::{
    OrphanLine, Report, ReportRow, ReportTotals, ServiceCount, SkipGroup, SkipKind, SkippedLine,
    UnbilledWorkspace,
};
use crate::model::{CompanyRef, WorkspaceId};
use crate::psa::{BillingLine, LineLookup};
use crate::sync::exclusions::EXCLUDED;
use crate::sync::gather::Gathered;
use crate::sync::model::{Action, Flag, Plan, PlanItem};

/// The report of `plan`, made from `g`, for the connector named `connector_name`.
pub fn build(g: &Gathered, plan: &Plan, connector_name: &str, read_at: DateTime<Utc>) -> Report {
    let rows: Vec<ReportRow> = plan.items.iter().filter_map(row).collect();
    let unbilled = unbilled(g);
    let orphans = orphans(g);
    let mut totals = ReportTotals::default();
    for r in &rows {
        let value = r.monthly_value_cents.unwrap_or(0);
        if r.difference > 0 {
            totals.under_billed_rows += 1;
            totals.under_billed_units += r.difference;
            totals.under_billed_cents = totals.under_billed_cents.saturating_add(value);
        } else if r.difference < 0 {
            totals.over_billed_rows += 1;
            totals.over_billed_units -= r.difference;
            totals.over_billed_cents = totals.over_billed_cents.saturating_sub(value);
        }
        if r.difference != 0 && r.monthly_value_cents.is_none() {
            totals.unpriced_rows += 1;
        }
    }
    totals.unbilled_units = unbilled
        .iter()
        .flat_map(|w| &w.counts)
        .map(|c| c.count)
        .sum();
    totals.orphan_cents = orphans.iter().filter_map(|o| o.monthly_value_cents).sum();
    Report {
        connector_id: plan.connector_id,
        connector_name: connector_name.to_string(),
        read_at,
        age_seconds: None,
        rows,
        totals,
        unbilled,
        orphans,
        skipped: skipped(g, plan),
        psa_requests: g.billing.requests,
    }
}

/// `a × b` in cents, `None` when it does not fit.
fn value(units: i64, price: Option<i64>) -> Option<i64> {
    price.and_then(|p| units.checked_mul(p))
}

/// A pair the sync could write (unchanged, increase, decrease, held): one line, one count.
fn row(item: &PlanItem) -> Option<ReportRow> {
    if item.action == Action::Skip || item.flag == Some(Flag::Awaiting) {
        return None;
    }
    let line: &BillingLine = item.line.as_ref()?;
    let (coro, psa) = (item.after?, item.before?);
    let difference = coro - psa;
    Some(ReportRow {
        workspace_id: item.workspace_id.clone(),
        workspace_name: item.workspace_name.clone(),
        company_id: item.company_id?,
        company_name: item.company_name.clone().unwrap_or_default(),
        service_key: item.service_key.clone(),
        service_name: item.service_name.clone(),
        product_id: item.product_id?,
        product_name: item.product_name.clone().unwrap_or_default(),
        line_ref: line.key.describe(),
        coro_count: coro,
        psa_quantity: psa,
        difference,
        unit_price_cents: line.unit_price_cents,
        monthly_value_cents: value(difference, line.unit_price_cents),
    })
}

fn service_name(g: &Gathered, key: &str) -> String {
    g.service_names
        .get(key)
        .cloned()
        .unwrap_or_else(|| key.to_string())
}

/// Billable workspaces no mapping covers, with every service they use.
fn unbilled(g: &Gathered) -> Vec<UnbilledWorkspace> {
    let mapped: HashSet<&WorkspaceId> = g
        .mappings
        .workspaces
        .iter()
        .map(|w| &w.workspace_id)
        .collect();
    let mut out: Vec<UnbilledWorkspace> = Vec::new();
    for ws in g
        .coro_workspaces
        .iter()
        .filter(|w| !w.archived && !mapped.contains(&w.id))
    {
        let mut counts: BTreeMap<&str, i64> = BTreeMap::new();
        for ((id, key), n) in &g.usage.counts {
            if *id == ws.id {
                if let Ok(n) = n {
                    counts.insert(key, *n);
                }
            }
        }
        for ((id, key), n) in &g.usage.unasked {
            if *id == ws.id {
                counts.entry(key).or_insert(*n);
            }
        }
        let note = g
            .usage
            .failed
            .get(&ws.id)
            .map(|why| format!("Coro could not be read for this workspace: {why}"));
        let counts: Vec<ServiceCount> = counts
            .into_iter()
            .filter(|(_, n)| *n > 0)
            .map(|(key, count)| ServiceCount {
                service_key: key.to_string(),
                service_name: service_name(g, key),
                count,
            })
            .collect();
        if counts.is_empty() && note.is_none() {
            continue;
        }
        out.push(UnbilledWorkspace {
            workspace_id: ws.id.clone(),
            workspace_name: ws.name.clone(),
            counts,
            note,
        });
    }
    out.sort_by_key(|w| (w.workspace_name.to_lowercase(), w.workspace_id.clone()));
    out
}

/// Lines of mapped products on companies no workspace maps to (those billing something).
fn orphans(g: &Gathered) -> Vec<OrphanLine> {
    let mapped: HashSet<CompanyRef> = g.mappings.workspaces.iter().map(|w| w.company_id).collect();
    let products: HashMap<_, _> = g
        .mappings
        .services
        .iter()
        .map(|s| (s.product_id, s.product_name.as_str()))
        .collect();
    let mut out = Vec::new();
    for ((company, product), lookup) in &g.billing.lines {
        if mapped.contains(company) {
            continue;
        }
        let Some(product_name) = products.get(product) else {
            continue;
        };
        let lines: Vec<&BillingLine> = match lookup {
            LineLookup::One { line } => vec![line],
            LineLookup::Many { lines } => lines.iter().collect(),
            LineLookup::None { .. } | LineLookup::Unreadable { .. } => Vec::new(),
        };
        for line in lines.into_iter().filter(|l| l.quantity > 0) {
            out.push(OrphanLine {
                company_id: *company,
                company_name: g
                    .other_companies
                    .get(company)
                    .cloned()
                    .unwrap_or_else(|| format!("company {}", company.0)),
                product_id: *product,
                product_name: product_name.to_string(),
                line_ref: line.key.describe(),
                line_name: line.container_name.clone(),
                quantity: line.quantity,
                unit_price_cents: line.unit_price_cents,
                monthly_value_cents: value(line.quantity, line.unit_price_cents),
            });
        }
    }
    out.sort_by(|a, b| {
        (a.company_name.to_lowercase(), a.product_id, &a.line_ref).cmp(&(
            b.company_name.to_lowercase(),
            b.product_id,
            &b.line_ref,
        ))
    });
    out
}

/// Which group a skipped item belongs to, from the data it was planned from.
fn kind(g: &Gathered, item: &PlanItem) -> SkipKind {
    let Some(product) = item.product_id else {
        return SkipKind::ServiceNotMapped;
    };
    if item
        .reason
        .as_deref()
        .is_some_and(|r| r.starts_with(EXCLUDED))
    {
        return SkipKind::Excluded;
    }
    match item.flag {
        Some(Flag::ReadFailed) => return SkipKind::ReadFailed,
        Some(Flag::Awaiting) => return SkipKind::Awaiting,
        Some(Flag::Churn) => return SkipKind::WorkspaceLeft,
        _ => {}
    }
    let in_coro = g.coro_workspaces.iter().find(|w| w.id == item.workspace_id);
    if in_coro.is_none_or(|w| w.archived) {
        return SkipKind::WorkspaceLeft;
    }
    if g.live_products
        .as_ref()
        .is_some_and(|live| !live.contains(&product))
    {
        return SkipKind::ProductGone;
    }
    let pair = (item.workspace_id.clone(), item.service_key.clone());
    if !matches!(g.usage.counts.get(&pair), Some(Ok(n)) if *n >= 0) {
        return SkipKind::CountUnavailable;
    }
    let lookup = item
        .company_id
        .and_then(|c| g.billing.lines.get(&(c, product)));
    match lookup {
        Some(LineLookup::Many { .. }) => SkipKind::SeveralLines,
        Some(LineLookup::None { .. }) | None => SkipKind::NoLine,
        Some(LineLookup::Unreadable { .. }) => SkipKind::ReadFailed,
        Some(LineLookup::One { .. }) => SkipKind::Other,
    }
}

/// The items the plan skips (unmapped workspaces are in the unbilled section instead), grouped.
fn skipped(g: &Gathered, plan: &Plan) -> Vec<SkipGroup> {
    let mut groups: BTreeMap<SkipKind, Vec<SkippedLine>> = BTreeMap::new();
    for item in plan
        .items
        .iter()
        .filter(|i| i.action == Action::Skip && !i.service_key.is_empty())
    {
        groups.entry(kind(g, item)).or_default().push(SkippedLine {
            workspace_id: item.workspace_id.clone(),
            workspace_name: item.workspace_name.clone(),
            company_name: item.company_name.clone(),
            service_key: item.service_key.clone(),
            service_name: item.service_name.clone(),
            product_name: item.product_name.clone(),
            reason: item.reason.clone().unwrap_or_default(),
        });
    }
    groups
        .into_iter()
        .map(|(kind, lines)| SkipGroup {
            kind,
            title: kind.title().to_string(),
            fix: kind.fix(),
            fix_text: kind.fix().describe().to_string(),
            lines,
        })
        .collect()
}
