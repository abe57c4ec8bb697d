//! Table tests of the pure planner: one named case per branch.

use std::collections::{HashMap, HashSet};

use super::fakes::line;
use crate::model::{CompanyRef, ConnectorId, ProductRef, WorkspaceId};
use crate::psa::{BillingState, LineLookup};
use crate::store::mappings::{BillingUnit, ServiceLink, WorkspaceLink};
use crate::store::testing::at;
use crate::sync::gather::{Gathered, Mappings, SourceWorkspace, UsageReport};
use crate::sync::model::{Action, PlanTotals};
use crate::sync::plan::{plan, PlanPolicy};
use crate::views::Unit;

const C: CompanyRef = CompanyRef(7);
const P: ProductRef = ProductRef(11);

fn ws() -> WorkspaceId {
    WorkspaceId("ws_a".into())
}

/// One mapped workspace (ws_a → company 7) × one mapped service (edr → product 11); Coro
/// counts 10 and the PSA's single line holds 10.
fn base() -> Gathered {
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
        }],
        usage: UsageReport {
            counts: HashMap::from([((ws(), "edr".to_string()), Ok(10))]),
            unasked: HashMap::new(),
        },
        billing: BillingState {
            lines: HashMap::from([((C, P), LineLookup::One { line: line(7, 11, 34, 10) })]),
            requests: 1,
        },
        live_products: Some(HashSet::from([P])),
        service_names: HashMap::from([("edr".to_string(), "EDR".to_string())]),
    }
}

fn count(g: &mut Gathered, n: Result<i64, &str>) {
    g.usage
        .counts
        .insert((ws(), "edr".into()), n.map_err(str::to_string));
}

fn qty(g: &mut Gathered, q: i64) {
    g.billing
        .lines
        .insert((C, P), LineLookup::One { line: line(7, 11, 34, q) });
}

/// (workspace, service key, action, before, after, a phrase the reason must contain).
type Expect = (&'static str, &'static str, Action, Option<i64>, Option<i64>, &'static str);

struct Case {
    name: &'static str,
    setup: fn(&mut Gathered),
    policy: PlanPolicy,
    expect: &'static [Expect],
}

const HOLD: PlanPolicy = PlanPolicy {
    max_decrease_share: 0.5,
    approve_held: false,
};
const APPROVED: PlanPolicy = PlanPolicy {
    max_decrease_share: 0.5,
    approve_held: true,
};

const CASES: &[Case] = &[
    Case { name: "unchanged", setup: |_| {}, policy: HOLD,
        expect: &[("ws_a", "edr", Action::Unchanged, Some(10), Some(10), "")] },
    Case { name: "increase", setup: |g| count(g, Ok(12)), policy: HOLD,
        expect: &[("ws_a", "edr", Action::Increase, Some(10), Some(12), "")] },
    Case { name: "increase_from_zero", setup: |g| { qty(g, 0); count(g, Ok(3)) }, policy: HOLD,
        expect: &[("ws_a", "edr", Action::Increase, Some(0), Some(3), "")] },
    Case { name: "decrease_within_share", setup: |g| count(g, Ok(8)), policy: HOLD,
        expect: &[("ws_a", "edr", Action::Decrease, Some(10), Some(8), "")] },
    Case { name: "decrease_exactly_at_share_is_applied", setup: |g| count(g, Ok(5)), policy: HOLD,
        expect: &[("ws_a", "edr", Action::Decrease, Some(10), Some(5), "")] },
    Case { name: "decrease_over_share_held_on_schedule", setup: |g| count(g, Ok(4)), policy: HOLD,
        expect: &[("ws_a", "edr", Action::Hold, Some(10), Some(4), "decrease of 60% (limit 50%) from 10 to 4 is held")] },
    Case { name: "decrease_over_share_applied_when_approved", setup: |g| count(g, Ok(4)), policy: APPROVED,
        expect: &[("ws_a", "edr", Action::Decrease, Some(10), Some(4), "approved by the operator")] },
    Case { name: "decrease_to_zero_held", setup: |g| count(g, Ok(0)), policy: PlanPolicy { max_decrease_share: 1.0, approve_held: false },
        expect: &[("ws_a", "edr", Action::Hold, Some(10), Some(0), "A decrease to zero from 10 to 0 is held")] },
    Case { name: "decrease_to_zero_applied_when_approved", setup: |g| count(g, Ok(0)), policy: APPROVED,
        expect: &[("ws_a", "edr", Action::Decrease, Some(10), Some(0), "decrease to zero approved")] },
    Case { name: "stricter_share_holds_small_decrease", setup: |g| count(g, Ok(8)), policy: PlanPolicy { max_decrease_share: 0.1, approve_held: false },
        expect: &[("ws_a", "edr", Action::Hold, Some(10), Some(8), "limit 10%")] },
    Case { name: "nonsense_share_holds_every_decrease", setup: |g| count(g, Ok(9)), policy: PlanPolicy { max_decrease_share: f64::NAN, approve_held: false },
        expect: &[("ws_a", "edr", Action::Hold, Some(10), Some(9), "limit 0%")] },
    Case { name: "no_line_skipped_with_psa_reason",
        setup: |g| { g.billing.lines.insert((C, P), LineLookup::None { reason: "company 7 has no active agreement".into() }); },
        policy: HOLD,
        expect: &[("ws_a", "edr", Action::Skip, None, Some(10), "No agreement/contract line bills 'EDR Seat' for 'Acme Inc': company 7 has no active agreement")] },
    Case { name: "several_lines_skipped_naming_them",
        setup: |g| { g.billing.lines.insert((C, P), LineLookup::Many { lines: vec![line(7, 11, 34, 10), line(7, 11, 35, 2)] }); },
        policy: HOLD,
        expect: &[("ws_a", "edr", Action::Skip, None, Some(10), "2 lines bill 'EDR Seat' for 'Acme Inc': 'Agreement 7' (agreement 700 / addition 34, quantity 10); 'Agreement 7' (agreement 700 / addition 35, quantity 2). PSA Bridge will not guess")] },
    Case { name: "pair_missing_from_read_skipped", setup: |g| { g.billing.lines.clear(); }, policy: HOLD,
        expect: &[("ws_a", "edr", Action::Skip, None, Some(10), "returned nothing")] },
    Case { name: "company_not_mapped",
        setup: |g| g.coro_workspaces.push(SourceWorkspace { id: WorkspaceId("ws_new".into()), name: "Newco".into(), archived: false }),
        policy: HOLD,
        expect: &[("ws_a", "edr", Action::Unchanged, Some(10), Some(10), ""),
                  ("ws_new", "", Action::Skip, None, None, "not mapped to a PSA company")] },
    Case { name: "archived_unmapped_workspace_is_ignored",
        setup: |g| g.coro_workspaces.push(SourceWorkspace { id: WorkspaceId("ws_old".into()), name: "Oldco".into(), archived: true }),
        policy: HOLD,
        expect: &[("ws_a", "edr", Action::Unchanged, Some(10), Some(10), "")] },
    Case { name: "product_gone", setup: |g| g.live_products = Some(HashSet::new()), policy: HOLD,
        expect: &[("ws_a", "edr", Action::Skip, Some(10), None, "'EDR Seat' (id 11) no longer exists")] },
    Case { name: "product_list_unknown_is_not_gone", setup: |g| g.live_products = None, policy: HOLD,
        expect: &[("ws_a", "edr", Action::Unchanged, Some(10), Some(10), "")] },
    Case { name: "source_count_unavailable", setup: |g| count(g, Err("usage endpoint timed out")), policy: HOLD,
        expect: &[("ws_a", "edr", Action::Skip, Some(10), None, "Coro count is unavailable (usage endpoint timed out)")] },
    Case { name: "source_count_missing", setup: |g| { g.usage.counts.clear(); }, policy: HOLD,
        expect: &[("ws_a", "edr", Action::Skip, Some(10), None, "Coro returned no count")] },
    Case { name: "source_count_negative", setup: |g| count(g, Ok(-1)), policy: HOLD,
        expect: &[("ws_a", "edr", Action::Skip, Some(10), None, "negative count (-1)")] },
    Case { name: "archived_workspace", setup: |g| g.coro_workspaces[0].archived = true, policy: HOLD,
        expect: &[("ws_a", "edr", Action::Skip, Some(10), None, "archived in Coro")] },
    Case { name: "workspace_gone_from_coro", setup: |g| g.coro_workspaces.clear(), policy: HOLD,
        expect: &[("ws_a", "edr", Action::Skip, Some(10), None, "no longer listed in the Coro channel")] },
    Case { name: "service_not_mapped",
        setup: |g| { g.usage.unasked.insert((ws(), "mdm".into()), 4); g.usage.unasked.insert((ws(), "dlp".into()), 0); },
        policy: HOLD,
        expect: &[("ws_a", "edr", Action::Unchanged, Some(10), Some(10), ""),
                  ("ws_a", "mdm", Action::Skip, None, Some(4), "'mdm' is in use (4) but not mapped to a PSA product")] },
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
            .map(|i| (i.workspace_id.0.as_str(), i.service_key.as_str(), i.action, i.before, i.after))
            .collect();
        let want: Vec<_> = case.expect.iter().map(|e| (e.0, e.1, e.2, e.3, e.4)).collect();
        assert_eq!(got, want, "case {}", case.name);
        for (item, e) in p.items.iter().zip(case.expect) {
            let reason = item.reason.as_deref().unwrap_or_default();
            assert!(reason.contains(e.5), "case {}: reason {reason:?} lacks {:?}", case.name, e.5);
            assert_eq!(e.5.is_empty(), item.reason.is_none(), "case {}: {reason:?}", case.name);
            // Only a single, current line can be written.
            if matches!(item.action, Action::Increase | Action::Decrease | Action::Hold) {
                assert_eq!(item.line.as_ref().map(|l| l.quantity), item.before, "case {}", case.name);
            }
        }
        assert_eq!(p.totals, PlanTotals::of(&p.items), "case {}", case.name);
        assert_eq!(p.generated_at, at(5));
    }
}

#[test]
fn items_carry_names_refs_and_unit() {
    let mut g = base();
    g.mappings.services[0].unit = Some(BillingUnit::User);
    let p = plan(&g, &HOLD, at(0));
    let item = &p.items[0];
    assert_eq!(item.workspace_name, "Acme", "Coro's current name wins over the stored one");
    assert_eq!(item.service_name, "EDR");
    assert_eq!(item.unit, Some(Unit::User));
    assert_eq!(item.company_name.as_deref(), Some("Acme Inc"));
    assert_eq!(item.product_name.as_deref(), Some("EDR Seat"));
    assert_eq!(item.line_ref.as_deref(), Some("agreement 700 / addition 34"));
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
        g.coro_workspaces.push(SourceWorkspace { id: w.clone(), name: name.into(), archived: false });
        g.usage.counts.insert((w, "edr".into()), Ok(coro_count));
        g.billing.lines.insert(
            (CompanyRef(company), P),
            LineLookup::One { line: line(company, 11, company, psa_qty) },
        );
    }
    count(&mut g, Ok(7)); // ws_a: 10 → 7 decrease
    g.coro_workspaces.push(SourceWorkspace { id: WorkspaceId("ws_u".into()), name: "unmapped".into(), archived: false });
    let p = plan(&g, &HOLD, at(0));
    let order: Vec<_> = p.items.iter().map(|i| (i.workspace_id.0.as_str(), i.action)).collect();
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
        PlanTotals { unchanged: 0, increase: 1, decrease: 1, skip: 1, hold: 1, units_added: 5, units_removed: 3 }
    );
    assert_eq!(p.writes(false), 2);
    assert_eq!(p.writes(true), 3);
}
