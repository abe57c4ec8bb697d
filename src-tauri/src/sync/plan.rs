//! The planner: a pure function from what gather read (and the policy) to a [`Plan`] — one item
//! per mapped workspace × mapped service, plus hints for what is not synced (unmapped workspaces,
//! services in use but not mapped). No I/O, no clock: `generated_at` is a parameter.
//!
//! It writes only where there is exactly one PSA line and the quantity differs; it never picks
//! between several candidate lines; a decrease over the safety share (or to zero) is held for
//! approval unless the policy says the operator approved it.

use std::collections::{HashMap, HashSet};

use chrono::{DateTime, Utc};

use super::awaiting::AwaitingChange;
use super::gather::{to_unit, Gathered, SourceWorkspace};
use super::model::{Action, Flag, Plan, PlanItem, PlanTotals};
use crate::model::Cause;
use crate::model::WorkspaceId;
use crate::psa::{BillingLine, LineLookup};
use crate::store::mappings::{ServiceLink, WorkspaceLink};

/// The decrease share held by default (50 %).
pub const DEFAULT_MAX_DECREASE_SHARE: f64 = 0.5;
/// An increase to more than this many times the current quantity… (default 2×)
pub const DEFAULT_MAX_INCREASE_FACTOR: f64 = 2.0;
/// …and by at least this many units is held by default (10).
pub const DEFAULT_MIN_INCREASE_UNITS: i64 = 10;

/// Safety settings of one plan.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct PlanPolicy {
    /// A decrease removing more than this share (0–1) of the current quantity is held.
    pub max_decrease_share: f64,
    /// An increase to more than this factor of the current quantity…
    pub max_increase_factor: f64,
    /// …and by at least this many units is held.
    pub min_increase_units: i64,
    /// The operator approved held changes (never for the daily schedule).
    pub approve_held: bool,
}

impl Default for PlanPolicy {
    fn default() -> Self {
        PlanPolicy {
            max_decrease_share: DEFAULT_MAX_DECREASE_SHARE,
            max_increase_factor: DEFAULT_MAX_INCREASE_FACTOR,
            min_increase_units: DEFAULT_MIN_INCREASE_UNITS,
            approve_held: false,
        }
    }
}

/// Builds the plan. Items are ordered by workspace name, then service key; unmapped workspaces
/// come last.
pub fn plan(g: &Gathered, policy: &PlanPolicy, generated_at: DateTime<Utc>) -> Plan {
    let coro: HashMap<&WorkspaceId, &SourceWorkspace> =
        g.coro_workspaces.iter().map(|w| (&w.id, w)).collect();
    let mut workspaces: Vec<&WorkspaceLink> = g.mappings.workspaces.iter().collect();
    workspaces.sort_by_key(|w| (w.workspace_name.to_lowercase(), w.workspace_id.clone()));
    let mut services: Vec<&ServiceLink> = g.mappings.services.iter().collect();
    services.sort_by(|a, b| a.service_key.cmp(&b.service_key));
    let mapped_keys: HashSet<&str> = services.iter().map(|s| s.service_key.as_str()).collect();

    let mut items = Vec::new();
    for ws in workspaces {
        let found = coro.get(&ws.workspace_id).copied();
        for svc in &services {
            let mut item = mapped_item(g, policy, ws, found, svc);
            if item.reason.is_none() && item.after.is_some() {
                let pair = (ws.workspace_id.clone(), svc.service_key.clone());
                item.reason = g.usage.basis.get(&pair).cloned();
            }
            items.push(item);
        }
        items.extend(unmapped_services(g, ws, &mapped_keys));
    }
    items.extend(unmapped_workspaces(g));
    Plan {
        connector_id: g.mappings.connector_id,
        totals: PlanTotals::of(&items),
        items,
        generated_at,
    }
}

fn service_name(g: &Gathered, key: &str) -> String {
    g.service_names
        .get(key)
        .cloned()
        .unwrap_or_else(|| key.to_string())
}

fn skip(mut item: PlanItem, cause: Cause, reason: String) -> PlanItem {
    item.action = Action::Skip;
    item.reason = Some(reason);
    item.cause = Some(cause);
    item
}

fn with_line(mut item: PlanItem, line: &BillingLine) -> PlanItem {
    item.line_ref = Some(line.key.describe());
    item.line_name = Some(line.container_name.clone());
    item.before = Some(line.quantity);
    item.line = Some(line.clone());
    item
}

/// The item of one mapped workspace × mapped service: the first rule that stops it wins.
fn mapped_item(
    g: &Gathered,
    policy: &PlanPolicy,
    ws: &WorkspaceLink,
    found: Option<&SourceWorkspace>,
    svc: &ServiceLink,
) -> PlanItem {
    let mut item = PlanItem {
        workspace_id: ws.workspace_id.clone(),
        workspace_name: found.map_or_else(|| ws.workspace_name.clone(), |w| w.name.clone()),
        service_key: svc.service_key.clone(),
        service_name: service_name(g, &svc.service_key),
        unit: svc.unit.map(to_unit),
        company_id: Some(ws.company_id),
        company_name: Some(ws.company_name.clone()),
        product_id: Some(svc.product_id),
        product_name: Some(svc.product_name.clone()),
        line_ref: None,
        line_name: None,
        line: None,
        new_line: None,
        before: None,
        after: None,
        action: Action::Skip,
        reason: None,
        flag: None,
        cause: None,
    };
    let lookup = g.billing.lines.get(&(ws.company_id, svc.product_id));
    // Show the current PSA quantity even on skipped items when there is exactly one line.
    if let Some(LineLookup::One { line }) = lookup {
        item = with_line(item, line);
    }
    let left = match found {
        None => Some("is no longer listed in the Coro channel (removed or moved)".to_string()),
        Some(w) if w.archived => Some(format!("is {} in Coro", status_text(&w.status))),
        Some(_) => None,
    };
    // An accepted change the PSA does not show yet counts as made, whatever else is true.
    let waiting = match lookup {
        Some(LineLookup::One { line }) => {
            g.awaiting
                .get(&(ws.company_id, svc.product_id))
                .filter(|aw| {
                    aw.before == line.quantity
                        && aw
                            .line_ref
                            .as_deref()
                            .is_none_or(|r| r == line.key.describe())
                })
        }
        _ => None,
    };
    if let Some(left) = left {
        return match waiting {
            Some(aw) => awaiting(item, aw, 0),
            None => churn(item, lookup, &left, policy),
        };
    }
    if let Some(why) = g.usage.failed.get(&ws.workspace_id) {
        let why = format!(
            "Coro could not be read for this workspace ({why}); nothing is changed this run, and \
             the next run tries again"
        );
        return flagged(skip(item, Cause::CoroUnreadable, why), Flag::ReadFailed);
    }
    if g.live_products
        .as_ref()
        .is_some_and(|live| !live.contains(&svc.product_id))
    {
        let why = format!(
            "The PSA product '{}' (id {}) no longer exists or is inactive; map the service to \
             another product",
            svc.product_name, svc.product_id.0
        );
        return skip(item, Cause::ProductGone, why);
    }
    let desired = match g
        .usage
        .counts
        .get(&(ws.workspace_id.clone(), svc.service_key.clone()))
    {
        None => Err("Coro returned no count".to_string()),
        Some(Err(why)) => Err(why.clone()),
        Some(Ok(n)) if *n < 0 => Err(format!("Coro reported a negative count ({n})")),
        Some(Ok(n)) => Ok(*n),
    };
    let desired = match desired {
        Ok(n) => n,
        Err(why) => {
            let why = format!(
                "The Coro count is unavailable ({why}); nothing is changed until it can be read"
            );
            return skip(item, Cause::NoCount, why);
        }
    };
    item.after = Some(desired);
    match lookup {
        None => {
            let why = "The PSA read returned nothing for this company and product; run the sync \
                       again, and report it if it persists";
            skip(item, Cause::PsaUnreadable, why.into())
        }
        Some(LineLookup::None { reason }) => {
            let why = format!(
                "No agreement/contract line bills '{}' for '{}': {reason}. Add the product to the \
                 company's agreement or contract",
                svc.product_name, ws.company_name
            );
            skip(item, Cause::NoLine, why)
        }
        Some(LineLookup::Many { lines }) => {
            let named: Vec<String> = lines
                .iter()
                .map(|l| {
                    format!(
                        "'{}' ({}, quantity {})",
                        l.container_name,
                        l.key.describe(),
                        l.quantity
                    )
                })
                .collect();
            let why = format!(
                "{} lines bill '{}' for '{}': {}. PSA Bridge will not guess — keep one line (end \
                 the others) and sync again",
                lines.len(),
                svc.product_name,
                ws.company_name,
                named.join("; ")
            );
            skip(item, Cause::ManyLines, why)
        }
        Some(LineLookup::Unreadable { reason }) => {
            let why = format!(
                "The PSA could not be read for this company and product ({reason}); nothing is \
                 changed until it can be, and the next run tries again"
            );
            flagged(skip(item, Cause::PsaUnreadable, why), Flag::ReadFailed)
        }
        Some(LineLookup::One { line }) => {
            if let Some(aw) = waiting {
                return awaiting(item, aw, desired);
            }
            let key = (ws.workspace_id.clone(), svc.service_key.clone());
            if let Some(why) = g.usage.double_billing.get(&key) {
                return super::overlap::double_billing(item, line.quantity, desired, why, policy);
            }
            let fallback = g.usage.fallback.get(&key);
            compare(item, line.quantity, desired, fallback, policy)
        }
    }
}

fn flagged(mut item: PlanItem, flag: Flag) -> PlanItem {
    item.flag = Some(flag);
    item
}

/// Coro's lifecycle status in words ("archived", "inactive"; "not billable" when unknown).
fn status_text(status: &str) -> String {
    match status.trim().to_lowercase().as_str() {
        "" | "unknown" | "subscription" => "not billable".to_string(),
        s => s.to_string(),
    }
}

/// A mapped workspace that left Coro: ending its billing (every line to 0) is proposed as a held
/// change, so it is never billed on silently and never ended without the operator.
fn churn(
    mut item: PlanItem,
    lookup: Option<&LineLookup>,
    left: &str,
    policy: &PlanPolicy,
) -> PlanItem {
    item.flag = Some(Flag::Churn);
    match lookup {
        Some(LineLookup::One { line }) if line.quantity == 0 => {
            item.after = Some(0);
            item.action = Action::Unchanged;
            item.reason = Some(format!(
                "The workspace {left}; the PSA line already bills 0 — unmap the workspace when done"
            ));
            item
        }
        Some(LineLookup::One { line }) => {
            item.after = Some(0);
            let q = line.quantity;
            if policy.approve_held {
                item.action = Action::Decrease;
                item.reason = Some(format!(
                    "The workspace {left}: ending its billing ({q} → 0) approved by the operator"
                ));
            } else {
                item.action = Action::Hold;
                item.reason = Some(format!(
                    "The workspace {left}, but the PSA still bills {q}: ending it ({q} → 0) is held for \
                     approval — approve it in the preview, or unmap the workspace if the PSA line \
                     should stay"
                ));
            }
            item
        }
        Some(LineLookup::Many { lines }) => skip(
            item,
            Cause::Churned,
            format!(
                "The workspace {left}, but {} PSA lines still bill this product; end them in the PSA \
                 and unmap the workspace",
                lines.len()
            ),
        ),
        _ => {
            item.flag = None;
            skip(
                item,
                Cause::Churned,
                format!("The workspace {left}, so there is nothing to bill; unmap it"),
            )
        }
    }
}

/// A line with an accepted change the PSA does not show yet: it counts as made.
fn awaiting(mut item: PlanItem, aw: &AwaitingChange, desired: i64) -> PlanItem {
    item.after = Some(desired);
    item.flag = Some(Flag::Awaiting);
    let id = aw
        .request_id
        .as_deref()
        .map_or_else(String::new, |r| format!(" (adjustment {r})"));
    if desired == aw.after {
        item.action = Action::Unchanged;
        item.reason = Some(format!(
            "Awaiting the PSA: the accepted change {} → {}{id} does not show yet; it is never sent \
             again, and the next run checks it",
            aw.before, aw.after
        ));
        item
    } else {
        skip(
            item,
            Cause::Awaiting,
            format!(
                "The accepted change {} → {}{id} does not show in the PSA yet; the next change (to \
                 {desired}) waits until it does",
                aw.before, aw.after
            ),
        )
    }
}

/// Unchanged, increase, decrease, or a change held for approval: a large decrease (or to zero),
/// a spike (an increase beyond the factor and the minimum units), or any change built on a
/// fallback count.
fn compare(
    mut item: PlanItem,
    before: i64,
    after: i64,
    fallback: Option<&String>,
    policy: &PlanPolicy,
) -> PlanItem {
    item.action = if after == before {
        Action::Unchanged
    } else if after > before {
        Action::Increase
    } else {
        Action::Decrease
    };
    if item.action == Action::Unchanged {
        return item;
    }
    let held = if let Some(what) = fallback {
        item.flag = Some(Flag::Fallback);
        Some(format!(
            "a change built on a fallback count ({what}), not the service's own figure,"
        ))
    } else if item.action == Action::Increase {
        let factor = sanitize_factor(policy.max_increase_factor);
        let min = policy.min_increase_units.max(0);
        let spike = (after as f64) > factor * (before as f64) && after - before >= min;
        spike.then(|| {
            item.flag = Some(Flag::Spike);
            format!("an increase of more than {factor}× and at least {min} units")
        })
    } else {
        let share = sanitize_share(policy.max_decrease_share);
        let removed = before.saturating_sub(after);
        if after == 0 {
            Some("a decrease to zero".to_string())
        } else if (removed as f64) > share * (before as f64) {
            let pct = removed as f64 * 100.0 / before.max(1) as f64;
            Some(format!(
                "a decrease of {} (limit {})",
                super::share::percent_against(pct, share * 100.0),
                super::share::limit(share * 100.0)
            ))
        } else {
            None
        }
    };
    if let Some(what) = held {
        if policy.approve_held {
            item.reason = Some(format!("{} approved by the operator", capitalize(&what)));
        } else {
            item.action = Action::Hold;
            item.reason = Some(format!(
                "{} from {before} to {after} is held for approval: review it and apply it from the \
                 preview",
                capitalize(&what)
            ));
        }
    }
    item
}

/// An increase factor below 1 (or not a number) would hold every increase or none; garbage is
/// read as 1 so every increase past the minimum units is held rather than none.
fn sanitize_factor(factor: f64) -> f64 {
    if factor.is_nan() || factor < 1.0 {
        1.0
    } else {
        factor
    }
}

/// A share outside 0–1 (or not a number) would disable or break the guard; clamp it, treating
/// garbage as 0 so every decrease is held rather than none.
fn sanitize_share(share: f64) -> f64 {
    if share.is_nan() {
        0.0
    } else {
        share.clamp(0.0, 1.0)
    }
}

fn capitalize(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// "Service in use but not mapped" hints for one mapped workspace.
fn unmapped_services(g: &Gathered, ws: &WorkspaceLink, mapped: &HashSet<&str>) -> Vec<PlanItem> {
    let mut unasked: Vec<(&String, i64)> = g
        .usage
        .unasked
        .iter()
        .filter(|((id, key), n)| {
            *id == ws.workspace_id && **n > 0 && !mapped.contains(key.as_str())
        })
        .map(|((_, key), n)| (key, *n))
        .collect();
    unasked.sort();
    unasked
        .into_iter()
        .map(|(key, n)| PlanItem {
            workspace_id: ws.workspace_id.clone(),
            workspace_name: ws.workspace_name.clone(),
            service_key: key.clone(),
            service_name: service_name(g, key),
            unit: None,
            company_id: Some(ws.company_id),
            company_name: Some(ws.company_name.clone()),
            product_id: None,
            product_name: None,
            line_ref: None,
            line_name: None,
            line: None,
            new_line: None,
            before: None,
            after: Some(n),
            action: Action::Skip,
            flag: None,
            cause: Some(Cause::ServiceUnmapped),
            reason: Some(format!(
                "The service '{}' is in use ({n}) but not mapped to a PSA product, so it is not \
                 billed; map it on the Service mapping screen",
                service_name(g, key)
            )),
        })
        .collect()
}

/// One workspace-level item per Coro workspace that is billable but not mapped to a company.
fn unmapped_workspaces(g: &Gathered) -> Vec<PlanItem> {
    let mapped: HashSet<&WorkspaceId> = g
        .mappings
        .workspaces
        .iter()
        .map(|w| &w.workspace_id)
        .collect();
    let mut missing: Vec<&SourceWorkspace> = g
        .coro_workspaces
        .iter()
        .filter(|w| !w.archived && !mapped.contains(&w.id))
        .collect();
    missing.sort_by_key(|w| (w.name.to_lowercase(), w.id.clone()));
    missing
        .into_iter()
        .map(|w| PlanItem {
            workspace_id: w.id.clone(),
            workspace_name: w.name.clone(),
            service_key: String::new(),
            service_name: "All services".into(),
            unit: None,
            company_id: None,
            company_name: None,
            product_id: None,
            product_name: None,
            line_ref: None,
            line_name: None,
            line: None,
            new_line: None,
            before: None,
            after: None,
            action: Action::Skip,
            flag: None,
            cause: Some(Cause::WorkspaceUnmapped),
            reason: Some(
                "The workspace is not mapped to a PSA company, so none of its usage is billed; \
                 map it on the Workspace mapping screen"
                    .into(),
            ),
        })
        .collect()
}
