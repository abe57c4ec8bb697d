//! Tests of the sync engine: the planner's table, gather against fakes, and runs against a fake
//! PSA on a real temp store.

mod apply_cases;
mod cadence_cases;
mod create_cases;
mod fakes;
mod plan_cases;
mod plan_guard_cases;
mod preview_cases;
mod resume_cases;
mod undo_cases;

use crate::clock::Clock;
use crate::error::{ApiError, ErrorCode};
use crate::model::Unit;
use crate::model::WorkspaceId;
use crate::psa::PsaError;
use crate::store::mappings::BillingUnit;
use crate::sync::gather::{gather, Mappings, ServiceQuery};
use crate::sync::model::Trigger;
use crate::sync::plan::{plan, PlanPolicy};
use crate::sync::run;
use fakes::Harness;

fn mappings_of(h: &Harness) -> Mappings {
    let conn = h.t.store.conn().unwrap();
    Mappings {
        connector_id: h.connector,
        workspaces: crate::store::mappings::list_workspaces(&conn, h.connector)
            .unwrap()
            .into_iter()
            .map(|m| m.link)
            .collect(),
        services: crate::store::mappings::list_services(&conn, h.connector)
            .unwrap()
            .into_iter()
            .map(|m| m.link)
            .collect(),
    }
}

#[tokio::test]
async fn unit_override_chooses_the_right_count() {
    let h = apply_cases::two_by_two();
    // email is mapped to bill users (5); its devices (99) must not be billed.
    let g = gather(&h.psa, &h.source, mappings_of(&h)).await.unwrap();
    let email = (WorkspaceId("ws_a".into()), "email".to_string());
    assert_eq!(g.usage.counts[&email], Ok(5));
    let asked = h.source.asked.lock().unwrap()[0].1.clone();
    assert_eq!(
        asked,
        vec![
            ServiceQuery {
                service_key: "edr".into(),
                unit: None
            },
            ServiceQuery {
                service_key: "email".into(),
                unit: Some(Unit::User)
            },
        ]
    );
    let p = plan(&g, &PlanPolicy::default(), h.clock.now());
    let item = p
        .items
        .iter()
        .find(|i| i.service_key == "email" && i.workspace_id == email.0)
        .unwrap();
    assert_eq!((item.after, item.unit), (Some(5), Some(Unit::User)));

    // Re-mapped to bill devices: the device count is asked for and planned.
    h.map_service("email", 12, Some(BillingUnit::Device));
    let g = gather(&h.psa, &h.source, mappings_of(&h)).await.unwrap();
    assert_eq!(g.usage.counts[&email], Ok(99));
}

#[tokio::test]
async fn gather_reads_coro_and_the_psa_at_the_same_time() {
    // Each side waits for the other to have started: read in turn, this never finishes.
    let mut h = apply_cases::two_by_two();
    let meet = std::sync::Arc::new(tokio::sync::Barrier::new(2));
    h.source.meet = Some(meet.clone());
    h.psa.state().meet = Some(meet);
    let g = tokio::time::timeout(
        std::time::Duration::from_secs(10),
        gather(&h.psa, &h.source, mappings_of(&h)),
    )
    .await
    .expect("both sides read concurrently")
    .unwrap();
    assert_eq!(g.usage.counts.len(), 4);
    assert_eq!(h.psa.state().reads, 1);

    // Both failing: Coro's error is the one reported.
    let mut h = apply_cases::two_by_two();
    h.source.fail = Some(ApiError::new(ErrorCode::Unauthorized, "coro said no"));
    h.psa.state().read_error = Some(PsaError::Unreachable("psa is down".into()));
    let err = gather(&h.psa, &h.source, mappings_of(&h))
        .await
        .unwrap_err();
    assert!(err.to_string().contains("coro said no"), "{err}");
}

#[tokio::test]
async fn gather_asks_only_for_billable_mapped_workspaces() {
    let mut h = apply_cases::two_by_two();
    h.source.workspaces[1].archived = true; // ws_b
    h.source.workspace("ws_free", "Unmapped", false);
    let g = gather(&h.psa, &h.source, mappings_of(&h)).await.unwrap();
    let asked = h.source.asked.lock().unwrap()[0].0.clone();
    assert_eq!(asked, vec![WorkspaceId("ws_a".into())]);
    assert!(g.live_products.as_ref().is_some_and(|p| p.len() == 2));
    assert_eq!(
        g.service_names.get("edr").map(String::as_str),
        Some("Endpoint Detection")
    );
    assert_eq!(h.psa.state().reads, 1);
}

#[tokio::test]
async fn nothing_mapped_reads_no_psa_and_plans_hints_only() {
    let mut h = Harness::new();
    h.source.workspace("ws_free", "Unmapped", false);
    let r = run(&h.env(), &apply_cases::req(&h, Trigger::Ui, false), &|_| {})
        .await
        .unwrap();
    assert_eq!(h.psa.state().reads, 0);
    assert_eq!(r.plan.items.len(), 1);
    assert_eq!(r.plan.totals.skip, 1);
    assert!(h.source.asked.lock().unwrap().is_empty());
}
