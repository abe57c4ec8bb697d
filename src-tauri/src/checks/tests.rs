//! Table tests of the pure checks: one named case per kind, and the cases that are no problem.

use std::collections::{HashMap, HashSet};

use chrono::NaiveDate;

use super::find::find;
use super::model::ProblemKind;
use crate::model::{CompanyRef, ConnectorId, ProductRef, WorkspaceId};
use crate::psa::{BillingLine, BillingState, Container, LineKey, LineLookup};
use crate::store::mappings::{ServiceLink, WorkspaceLink};
use crate::sync::gather::{Gathered, Mappings, SourceWorkspace, UsageReport};

const C: CompanyRef = CompanyRef(7);
const P: ProductRef = ProductRef(11);

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 12, 7).expect("day")
}

fn ws() -> WorkspaceId {
    WorkspaceId("ws_a".into())
}

fn line(agreement: i64, q: i64) -> BillingLine {
    BillingLine {
        company: C,
        product: P,
        key: LineKey::Connectwise {
            agreement_id: agreement,
            addition_id: agreement * 10,
        },
        quantity: q,
        container_name: format!("Agreement {agreement}"),
        unit_price_cents: None,
    }
}

fn container(id: i64, ends_on: Option<NaiveDate>, closed: Option<&str>) -> Container {
    Container {
        company: C,
        id,
        name: format!("Agreement {id}"),
        ends_on,
        closed: closed.map(str::to_string),
        products: vec![P],
    }
}

/// ws_a → company 7 × edr → product 11; Coro counts 10, one line on an open-ended agreement.
fn base() -> Gathered {
    Gathered {
        mappings: Mappings {
            connector_id: ConnectorId(1),
            workspaces: vec![WorkspaceLink {
                workspace_id: ws(),
                workspace_name: "Acme".into(),
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
            lines: HashMap::from([((C, P), LineLookup::One { line: line(1, 10) })]),
            containers: vec![container(1, None, None)],
            ..BillingState::default()
        },
        live_products: Some(HashSet::from([P])),
        service_names: HashMap::new(),
        awaiting: HashMap::new(),
        other_companies: HashMap::new(),
        inactive_companies: HashMap::new(),
    }
}

fn kinds(g: &Gathered) -> Vec<ProblemKind> {
    find(g, today()).into_iter().map(|p| p.kind).collect()
}

fn day(offset: i64) -> Option<NaiveDate> {
    Some(today() + chrono::Duration::days(offset))
}

#[test]
fn a_clean_company_has_no_problem() {
    assert!(kinds(&base()).is_empty());
}

#[test]
fn each_check_for_its_case() {
    type Case = (&'static str, fn(&mut Gathered), Vec<ProblemKind>);
    let cases: Vec<Case> = vec![
        (
            "no line while Coro counts usage",
            |g| {
                g.billing.lines.insert(
                    (C, P),
                    LineLookup::None {
                        reason: "no agreement".into(),
                    },
                );
            },
            vec![ProblemKind::NoLine],
        ),
        (
            "no line and no usage is no problem",
            |g| {
                g.billing.lines.insert(
                    (C, P),
                    LineLookup::None {
                        reason: "no agreement".into(),
                    },
                );
                g.usage.counts.insert((ws(), "edr".into()), Ok(0));
            },
            vec![],
        ),
        (
            "two candidate lines",
            |g| {
                g.billing.lines.insert(
                    (C, P),
                    LineLookup::Many {
                        lines: vec![line(1, 10), line(2, 4)],
                    },
                );
            },
            vec![ProblemKind::SeveralLines],
        ),
        (
            "ends in 20 days",
            |g| g.billing.containers = vec![container(1, day(20), None)],
            vec![ProblemKind::EndsSoon],
        ),
        (
            "ends today still counts as ending",
            |g| g.billing.containers = vec![container(1, day(0), None)],
            vec![ProblemKind::EndsSoon],
        ),
        (
            "ends in 30 days is the last day reported",
            |g| g.billing.containers = vec![container(1, day(30), None)],
            vec![ProblemKind::EndsSoon],
        ),
        (
            "ends in 31 days is not reported",
            |g| g.billing.containers = vec![container(1, day(31), None)],
            vec![],
        ),
        (
            "ended yesterday and still holds the product",
            |g| g.billing.containers = vec![container(1, day(-1), None)],
            vec![ProblemKind::Ended],
        ),
        (
            "a cancelled agreement still holds the product",
            |g| {
                g.billing
                    .containers
                    .push(container(2, None, Some("cancelled")))
            },
            vec![ProblemKind::ClosedHoldsProduct],
        ),
        (
            "a closed agreement holding no mapped product is no problem",
            |g| {
                let mut c = container(2, day(-400), Some("expired"));
                c.products.clear();
                g.billing.containers.push(c);
            },
            vec![],
        ),
        (
            "an inactive company",
            |g| {
                g.inactive_companies
                    .insert(C, "its status in ConnectWise is \"Inactive\"".into());
            },
            vec![ProblemKind::CompanyInactive],
        ),
    ];
    for (name, arrange, want) in cases {
        let mut g = base();
        arrange(&mut g);
        assert_eq!(kinds(&g), want, "{name}");
    }
}

#[test]
fn reasons_name_what_and_where() {
    let mut g = base();
    g.billing.containers = vec![container(1, day(20), None)];
    let p = &find(&g, today())[0];
    assert_eq!(p.workspace_id, ws());
    assert_eq!(p.company_name, "Acme Inc");
    assert_eq!(p.service_key, None);
    assert!(
        p.reason
            .contains("\"Agreement 1\" ends on 2026-12-27 (in 20 days) and bills EDR Seat"),
        "{}",
        p.reason
    );
    let mut g = base();
    g.billing.lines.insert(
        (C, P),
        LineLookup::Many {
            lines: vec![line(1, 10), line(2, 4)],
        },
    );
    let p = &find(&g, today())[0];
    assert_eq!(p.service_key.as_deref(), Some("edr"));
    assert!(
        p.reason.contains("agreement 2 / addition 20"),
        "{}",
        p.reason
    );
}
