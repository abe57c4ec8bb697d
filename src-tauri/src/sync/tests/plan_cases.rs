//! Table tests of the pure planner: one named case per branch.

use std::collections::{HashMap, HashSet};

use super::fakes::line;
use crate::model::Unit;
use crate::model::{CompanyRef, ConnectorId, ProductRef, WorkspaceId};
use crate::psa::{BillingState, LineLookup};
use crate::store::mappings::{BillingUnit, ServiceLink, WorkspaceLink};
use crate::store::testing::at;
use crate::sync::gather::{Gathered, Mappings, SourceWorkspace, UsageReport};
use crate::sync::model::Action::{self, Decrease, Hold, Increase, Skip, Unchanged};
use crate::sync::model::PlanTotals;
use crate::sync::plan::{plan, PlanPolicy};

pub(super) const C: CompanyRef = CompanyRef(7);
pub(super) const P: ProductRef = ProductRef(11);

pub(super) fn ws() -> WorkspaceId {
    WorkspaceId("ws_a".into())
}

/// One mapped workspace (ws_a → company 7) × one mapped service (edr → product 11); Coro
/// counts 10 and the PSA's single line holds 10.
pub(super) fn base() -> Gathered {
    Gathered {
        mappings: Mappings {
            connector_id: ConnectorId(1),
            workspaces: vec![WorkspaceLink {
                workspace_id: ws(),
                workspace_name: "Acme (old name)".into(),
                company_id: C,
                company_name: "Acme Inc".into(),
            }],
            services: vec![ServiceLink {
                service_key: "edr".into(),
                product_id: P,
                product_name: "EDR Seat".into(),
                unit: None,
            }],
        },
        coro_workspaces: vec![SourceWorkspace {
            id: ws(),
            name: "Acme".into(),
            archived: false,
            status: "subscription".into(),
        }],
        usage: UsageReport {
            counts: HashMap::from([((ws(), "edr".to_string()), Ok(10))]),
            ..UsageReport::default()
        },
        billing: BillingState {
            lines: HashMap::from([(
                (C, P),
                LineLookup::One {
                    line: line(7, 11, 34, 10),
                },
            )]),
            requests: 1,
            ..BillingState::default()
        },
        live_products: Some(HashSet::from([P])),
        service_names: HashMap::from([("edr".to_string(), "EDR".to_string())]),
        awaiting: HashMap::new(),
        other_companies: HashMap::new(),
        inactive_companies: HashMap::new(),
    }
}

pub(super) fn count(g: &mut Gathered, n: Result<i64, &str>) {
    g.usage
        .counts
        .insert((ws(), "edr".into()), n.map_err(str::to_string));
}

pub(super) fn qty(g: &mut Gathered, q: i64) {
    g.billing.lines.insert(
        (C, P),
        LineLookup::One {
            line: line(7, 11, 34, q),
        },
    );
}

/// (workspace, service key, action, before, after, a phrase the reason must contain).
type Expect = (
    &'static str,
    &'static str,
    Action,
    Option<i64>,
    Option<i64>,
    &'static str,
);

struct Case {
    name: &'static str,
    setup: fn(&mut Gathered),
    policy: PlanPolicy,
    expect: &'static [Expect],
}

pub(super) const HOLD: PlanPolicy = policy(0.5, false);
pub(super) const APPROVED: PlanPolicy = policy(0.5, true);

pub(super) const fn policy(max_decrease_share: f64, approve_held: bool) -> PlanPolicy {
    PlanPolicy {
        max_decrease_share,
        max_increase_factor: 2.0,
        min_increase_units: 10,
        approve_held,
    }
}

pub(super) fn no_line(g: &mut Gathered) {
    let reason = "company 7 has no active agreement".into();
    g.billing.lines.insert((C, P), LineLookup::None { reason });
}

pub(super) fn two_lines(g: &mut Gathered) {
    let lines = vec![line(7, 11, 34, 10), line(7, 11, 35, 2)];
    g.billing.lines.insert((C, P), LineLookup::Many { lines });
}

pub(super) fn coro_lists(g: &mut Gathered, id: &str, name: &str, archived: bool) {
    let id = WorkspaceId(id.into());
    let name = name.into();
    g.coro_workspaces.push(SourceWorkspace {
        id,
        name,
        archived,
        status: if archived { "archived" } else { "subscription" }.into(),
    });
}

fn double_billed(g: &mut Gathered) {
    let why = "likely double billing: Coro Complete (bundle) includes EDR".to_string();
    g.usage.double_billing.insert((ws(), "edr".into()), why);
}

fn in_use_unmapped(g: &mut Gathered) {
    g.usage.unasked.insert((ws(), "mdm".into()), 4);
    g.usage.unasked.insert((ws(), "dlp".into()), 0);
}

pub(super) const WS: &str = "ws_a";
pub(super) const EDR: &str = "edr";

#[rustfmt::skip]
const CASES: &[Case] = &[
    Case { name: "unchanged", policy: HOLD, setup: |_| {},
        expect: &[(WS, EDR, Unchanged, Some(10), Some(10), "")] },
    Case { name: "increase", policy: HOLD, setup: |g| count(g, Ok(12)),
        expect: &[(WS, EDR, Increase, Some(10), Some(12), "")] },
    Case { name: "increase_from_zero", policy: HOLD, setup: |g| { qty(g, 0); count(g, Ok(3)) },
        expect: &[(WS, EDR, Increase, Some(0), Some(3), "")] },
    Case { name: "decrease_within_share", policy: HOLD, setup: |g| count(g, Ok(8)),
        expect: &[(WS, EDR, Decrease, Some(10), Some(8), "")] },
    Case { name: "decrease_exactly_at_share_is_applied", policy: HOLD, setup: |g| count(g, Ok(5)),
        expect: &[(WS, EDR, Decrease, Some(10), Some(5), "")] },
    Case { name: "decrease_over_share_held_on_schedule", policy: HOLD, setup: |g| count(g, Ok(4)),
        expect: &[(WS, EDR, Hold, Some(10), Some(4),
            "A decrease of 60% (limit 50%) from 10 to 4 is held for approval")] },
    Case { name: "decrease_over_share_applied_when_approved", policy: APPROVED,
        setup: |g| count(g, Ok(4)),
        expect: &[(WS, EDR, Decrease, Some(10), Some(4),
            "A decrease of 60% (limit 50%) approved by the operator")] },
    Case { name: "decrease_to_zero_held", policy: policy(1.0, false), setup: |g| count(g, Ok(0)),
        expect: &[(WS, EDR, Hold, Some(10), Some(0), "A decrease to zero from 10 to 0 is held")] },
    Case { name: "decrease_to_zero_applied_when_approved", policy: APPROVED,
        setup: |g| count(g, Ok(0)),
        expect: &[(WS, EDR, Decrease, Some(10), Some(0), "A decrease to zero approved")] },
    Case { name: "stricter_share_holds_small_decrease", policy: policy(0.1, false),
        setup: |g| count(g, Ok(8)),
        expect: &[(WS, EDR, Hold, Some(10), Some(8), "20% (limit 10%)")] },
    Case { name: "share_states_its_decimals_against_the_limit", policy: policy(0.05, false),
        setup: |g| { qty(g, 1000); count(g, Ok(947)) },
        expect: &[(WS, EDR, Hold, Some(1000), Some(947), "A decrease of 5.3% (limit 5%)")] },
    Case { name: "nonsense_share_holds_every_decrease", policy: policy(f64::NAN, false),
        setup: |g| count(g, Ok(9)),
        expect: &[(WS, EDR, Hold, Some(10), Some(9), "10% (limit 0%)")] },
    Case { name: "no_line_skipped_with_psa_reason", policy: HOLD, setup: no_line,
        expect: &[(WS, EDR, Skip, None, Some(10),
            "No agreement/contract line bills 'EDR Seat' for 'Acme Inc': company 7 has no \
             active agreement. Add the product")] },
    Case { name: "several_lines_skipped_naming_them", policy: HOLD, setup: two_lines,
        expect: &[(WS, EDR, Skip, None, Some(10),
            "2 lines bill 'EDR Seat' for 'Acme Inc': 'Agreement 7' (agreement 700 / addition \
             34, quantity 10); 'Agreement 7' (agreement 700 / addition 35, quantity 2). PSA \
             Bridge will not guess")] },
    Case { name: "pair_missing_from_read_skipped", policy: HOLD,
        setup: |g| g.billing.lines.clear(),
        expect: &[(WS, EDR, Skip, None, Some(10), "The PSA read returned nothing")] },
    Case { name: "company_not_mapped", policy: HOLD,
        setup: |g| coro_lists(g, "ws_new", "Newco", false),
        expect: &[(WS, EDR, Unchanged, Some(10), Some(10), ""),
                  ("ws_new", "", Skip, None, None, "not mapped to a PSA company")] },
    Case { name: "archived_unmapped_workspace_is_ignored", policy: HOLD,
        setup: |g| coro_lists(g, "ws_old", "Oldco", true),
        expect: &[(WS, EDR, Unchanged, Some(10), Some(10), "")] },
    Case { name: "product_gone", policy: HOLD, setup: |g| g.live_products = Some(HashSet::new()),
        expect: &[(WS, EDR, Skip, Some(10), None, "'EDR Seat' (id 11) no longer exists")] },
    Case { name: "product_list_unknown_is_not_gone", policy: HOLD,
        setup: |g| g.live_products = None,
        expect: &[(WS, EDR, Unchanged, Some(10), Some(10), "")] },
    Case { name: "source_count_unavailable", policy: HOLD,
        setup: |g| count(g, Err("usage endpoint timed out")),
        expect: &[(WS, EDR, Skip, Some(10), None,
            "The Coro count is unavailable (usage endpoint timed out)")] },
    Case { name: "source_count_missing", policy: HOLD, setup: |g| g.usage.counts.clear(),
        expect: &[(WS, EDR, Skip, Some(10), None, "(Coro returned no count)")] },
    Case { name: "source_count_negative", policy: HOLD, setup: |g| count(g, Ok(-1)),
        expect: &[(WS, EDR, Skip, Some(10), None, "negative count (-1)")] },
    Case { name: "archived_workspace", policy: HOLD,
        setup: |g| { g.coro_workspaces[0].archived = true; g.coro_workspaces[0].status = "archived".into() },
        expect: &[(WS, EDR, Hold, Some(10), Some(0), "The workspace is archived in Coro, but the PSA still bills 10: ending it (10 → 0) is held")] },
    Case { name: "workspace_gone_from_coro", policy: HOLD, setup: |g| g.coro_workspaces.clear(),
        expect: &[(WS, EDR, Hold, Some(10), Some(0), "no longer listed in the Coro channel (removed or moved), but the PSA still bills 10")] },
    Case { name: "double_billing_change_held", policy: HOLD,
        setup: |g| { double_billed(g); count(g, Ok(12)) },
        expect: &[(WS, EDR, Hold, Some(10), Some(12),
            "Held, likely double billing: Coro Complete (bundle) includes EDR")] },
    Case { name: "double_billing_change_applied_when_approved", policy: APPROVED,
        setup: |g| { double_billed(g); count(g, Ok(12)) },
        expect: &[(WS, EDR, Increase, Some(10), Some(12),
            "Approved by the operator, although likely double billing")] },
    Case { name: "double_billing_without_change_flagged", policy: HOLD, setup: double_billed,
        expect: &[(WS, EDR, Unchanged, Some(10), Some(10),
            "The quantity is right (10), but likely double billing")] },
    Case { name: "service_not_mapped", policy: HOLD, setup: in_use_unmapped,
        expect: &[(WS, EDR, Unchanged, Some(10), Some(10), ""),
                  (WS, "mdm", Skip, None, Some(4),
                   "The service 'mdm' is in use (4) but not mapped to a PSA product")] },
];

#[test]
fn every_branch_of_plan() {
    for case in CASES {
        let mut g = base();
        (case.setup)(&mut g);
        let p = plan(&g, &case.policy, at(5));
        let got: Vec<_> = p
            .items
            .iter()
            .map(|i| {
                (
                    i.workspace_id.0.as_str(),
                    i.service_key.as_str(),
                    i.action,
                    i.before,
                    i.after,
                )
            })
            .collect();
        let want: Vec<_> = case
            .expect
            .iter()
            .map(|e| (e.0, e.1, e.2, e.3, e.4))
            .collect();
        assert_eq!(got, want, "case {}", case.name);
        for (item, e) in p.items.iter().zip(case.expect) {
            let reason = item.reason.as_deref().unwrap_or_default();
            assert!(
                reason.contains(e.5),
                "case {}: reason {reason:?} lacks {:?}",
                case.name,
                e.5
            );
            assert_eq!(
                e.5.is_empty(),
                item.reason.is_none(),
                "case {}: {reason:?}",
                case.name
            );
            // Only a single, current line can be written.
            if matches!(
                item.action,
                Action::Increase | Action::Decrease | Action::Hold
            ) {
                assert_eq!(
                    item.line.as_ref().map(|l| l.quantity),
                    item.before,
                    "case {}",
                    case.name
                );
            }
        }
        assert_eq!(p.totals, PlanTotals::of(&p.items), "case {}", case.name);
        assert_eq!(p.generated_at, at(5));
    }
}

/// Every skipped item says why as a kind (the preview and the run page group by it), and the
/// kind is the one its reason text states; written items carry none.
#[test]
fn each_skip_carries_the_cause_its_reason_states() {
    use crate::model::Cause;
    let want: &[(&str, &str, Cause)] = &[
        ("no_line_skipped_with_psa_reason", EDR, Cause::NoLine),
        ("several_lines_skipped_naming_them", EDR, Cause::ManyLines),
        ("pair_missing_from_read_skipped", EDR, Cause::PsaUnreadable),
        ("company_not_mapped", "", Cause::WorkspaceUnmapped),
        ("product_gone", EDR, Cause::ProductGone),
        ("source_count_unavailable", EDR, Cause::NoCount),
        ("source_count_missing", EDR, Cause::NoCount),
        ("source_count_negative", EDR, Cause::NoCount),
        ("service_not_mapped", "mdm", Cause::ServiceUnmapped),
    ];
    for case in CASES {
        let mut g = base();
        (case.setup)(&mut g);
        let p = plan(&g, &case.policy, at(5));
        for item in &p.items {
            let expected = want
                .iter()
                .find(|(name, key, _)| *name == case.name && *key == item.service_key)
                .map(|w| w.2);
            assert_eq!(
                item.cause, expected,
                "case {} item {}",
                case.name, item.service_key
            );
            assert_eq!(
                item.action == Action::Skip,
                item.cause.is_some(),
                "case {}",
                case.name
            );
        }
    }
}

#[test]
fn items_carry_names_refs_and_unit() {
    let mut g = base();
    g.mappings.services[0].unit = Some(BillingUnit::User);
    let p = plan(&g, &HOLD, at(0));
    let item = &p.items[0];
    assert_eq!(
        item.workspace_name, "Acme",
        "Coro's current name wins over the stored one"
    );
    assert_eq!(item.service_name, "EDR");
    assert_eq!(item.unit, Some(Unit::User));
    assert_eq!(item.company_name.as_deref(), Some("Acme Inc"));
    assert_eq!(item.product_name.as_deref(), Some("EDR Seat"));
    assert_eq!(
        item.line_ref.as_deref(),
        Some("agreement 700 / addition 34")
    );
    assert_eq!(item.line_name.as_deref(), Some("Agreement 7"));
    // The line key never reaches the UI.
    let json = serde_json::to_value(item).unwrap();
    assert!(json.get("line").is_none(), "{json}");
    assert_eq!(json["action"], "unchanged");
}

#[test]
fn totals_and_order_over_several_workspaces() {
    let mut g = base();
    // ws_b "Beta" (company 8) sorts after "Acme"; "zeta" (company 9) after it, case-insensitively.
    for (id, name, company, coro_count, psa_qty) in
        [("ws_z", "zeta", 9, 1, 10), ("ws_b", "Beta", 8, 15, 10)]
    {
        let w = WorkspaceId(id.into());
        g.mappings.workspaces.push(WorkspaceLink {
            workspace_id: w.clone(),
            workspace_name: name.into(),
            company_id: CompanyRef(company),
            company_name: format!("C{company}"),
        });
        g.coro_workspaces.push(SourceWorkspace {
            id: w.clone(),
            name: name.into(),
            archived: false,
            status: "subscription".into(),
        });
        g.usage.counts.insert((w, "edr".into()), Ok(coro_count));
        g.billing.lines.insert(
            (CompanyRef(company), P),
            LineLookup::One {
                line: line(company, 11, company, psa_qty),
            },
        );
    }
    count(&mut g, Ok(7)); // ws_a: 10 → 7 decrease
    g.coro_workspaces.push(SourceWorkspace {
        id: WorkspaceId("ws_u".into()),
        name: "unmapped".into(),
        archived: false,
        status: "subscription".into(),
    });
    let p = plan(&g, &HOLD, at(0));
    let order: Vec<_> = p
        .items
        .iter()
        .map(|i| (i.workspace_id.0.as_str(), i.action))
        .collect();
    assert_eq!(
        order,
        vec![
            ("ws_a", Action::Decrease),
            ("ws_b", Action::Increase),
            ("ws_z", Action::Hold),
            ("ws_u", Action::Skip),
        ]
    );
    assert_eq!(
        p.totals,
        PlanTotals {
            unchanged: 0,
            increase: 1,
            decrease: 1,
            skip: 1,
            hold: 1,
            units_added: 5,
            units_removed: 3
        }
    );
    assert_eq!(p.writes(false), 2);
    assert_eq!(p.writes(true), 3);
}
