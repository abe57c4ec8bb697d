//! The report's arithmetic and sections on a small hand-made gather: two mapped workspaces, one
//! unmapped workspace with usage, an unmapped company with a line for a mapped product, and a
//! pair with two candidate lines.

use std::collections::{HashMap, HashSet};

use chrono::{TimeZone, Utc};

use super::build::build;
use super::csv::report_csv;
use super::model::{FixScreen, SkipKind};
use crate::model::{CompanyRef, ConnectorId, ProductRef, WorkspaceId};
use crate::psa::{BillingLine, BillingState, LineKey, LineLookup};
use crate::store::mappings::{ServiceLink, WorkspaceLink};
use crate::sync::gather::{Gathered, Mappings, SourceWorkspace};
use crate::sync::{plan, PlanPolicy, UsageReport};

fn ws(id: &str) -> WorkspaceId {
    WorkspaceId(id.into())
}

fn line(company: i64, id: i64, qty: i64, price: Option<i64>) -> BillingLine {
    BillingLine {
        company: CompanyRef(company),
        product: ProductRef(11),
        key: LineKey::Connectwise {
            agreement_id: company * 10,
            addition_id: id,
        },
        quantity: qty,
        container_name: format!("Agreement {company}"),
        unit_price_cents: price,
    }
}

fn source(id: &str, name: &str) -> SourceWorkspace {
    SourceWorkspace {
        id: ws(id),
        name: name.into(),
        archived: false,
        status: "subscription".into(),
    }
}

fn gathered() -> Gathered {
    let link = |id: &str, company: i64| WorkspaceLink {
        workspace_id: ws(id),
        workspace_name: id.to_uppercase(),
        company_id: CompanyRef(company),
        company_name: format!("Company {company}"),
    };
    let one = |l| LineLookup::One { line: l };
    Gathered {
        mappings: Mappings {
            connector_id: ConnectorId(3),
            workspaces: vec![link("a", 1), link("b", 2), link("c", 3)],
            services: vec![ServiceLink {
                service_key: "edr".into(),
                product_id: ProductRef(11),
                product_name: "EDR Seat".into(),
                unit: None,
            }],
        },
        coro_workspaces: vec![
            source("a", "A"),
            source("b", "B"),
            source("c", "C"),
            source("u", "Unmapped Ltd"),
        ],
        usage: UsageReport {
            counts: HashMap::from([
                ((ws("a"), "edr".to_string()), Ok(12)),
                ((ws("b"), "edr".to_string()), Ok(4)),
                ((ws("c"), "edr".to_string()), Ok(9)),
                ((ws("u"), "edr".to_string()), Ok(7)),
            ]),
            unasked: HashMap::from([((ws("u"), "mdm".to_string()), 3)]),
            ..UsageReport::default()
        },
        billing: BillingState {
            lines: HashMap::from([
                // a: Coro 12, PSA 10 at 4.25 → under-billed by 2 = 8.50
                (
                    (CompanyRef(1), ProductRef(11)),
                    one(line(1, 101, 10, Some(425))),
                ),
                // b: Coro 4, PSA 5 at 3.00 → over-billed by 1 = 3.00
                (
                    (CompanyRef(2), ProductRef(11)),
                    one(line(2, 201, 5, Some(300))),
                ),
                // c: two candidate lines → skipped
                (
                    (CompanyRef(3), ProductRef(11)),
                    LineLookup::Many {
                        lines: vec![line(3, 301, 9, None), line(3, 302, 1, None)],
                    },
                ),
                // company 9: no workspace maps to it → orphan, 6 × 2.50 = 15.00
                (
                    (CompanyRef(9), ProductRef(11)),
                    one(line(9, 901, 6, Some(250))),
                ),
            ]),
            requests: 5,
            containers: Vec::new(),
            new_lines: HashMap::new(),
        },
        live_products: Some(HashSet::from([ProductRef(11)])),
        service_names: HashMap::from([
            ("edr".to_string(), "EDR".to_string()),
            ("mdm".to_string(), "MDM".to_string()),
        ]),
        awaiting: HashMap::new(),
        other_companies: HashMap::from([(CompanyRef(9), "Former Customer".to_string())]),
        inactive_companies: HashMap::new(),
    }
}

#[test]
fn every_section_is_computed_from_the_gathered_data() {
    let g = gathered();
    let now = Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap();
    let the_plan = plan::plan(&g, &PlanPolicy::default(), now);
    let r = build(&g, &the_plan, "CW", now);

    assert_eq!(r.rows.len(), 2, "{:?}", r.rows);
    let a = r.rows.iter().find(|x| x.workspace_id == ws("a")).unwrap();
    assert_eq!((a.coro_count, a.psa_quantity, a.difference), (12, 10, 2));
    assert_eq!(
        (a.unit_price_cents, a.monthly_value_cents),
        (Some(425), Some(850))
    );
    let b = r.rows.iter().find(|x| x.workspace_id == ws("b")).unwrap();
    assert_eq!(b.monthly_value_cents, Some(-300));

    assert_eq!(r.totals.under_billed_rows, 1);
    assert_eq!(r.totals.under_billed_units, 2);
    assert_eq!(r.totals.under_billed_cents, 850);
    assert_eq!(r.totals.over_billed_rows, 1);
    assert_eq!(r.totals.over_billed_units, 1);
    assert_eq!(r.totals.over_billed_cents, 300);

    assert_eq!(r.unbilled.len(), 1);
    assert_eq!(r.unbilled[0].workspace_name, "Unmapped Ltd");
    let counts: Vec<(&str, i64)> = r.unbilled[0]
        .counts
        .iter()
        .map(|c| (c.service_key.as_str(), c.count))
        .collect();
    assert_eq!(counts, vec![("edr", 7), ("mdm", 3)]);
    assert_eq!(r.totals.unbilled_units, 10);

    assert_eq!(r.orphans.len(), 1);
    assert_eq!(r.orphans[0].company_name, "Former Customer");
    assert_eq!(r.orphans[0].monthly_value_cents, Some(1500));
    assert_eq!(r.totals.orphan_cents, 1500);

    assert_eq!(r.skipped.len(), 1, "{:?}", r.skipped);
    assert_eq!(r.skipped[0].kind, SkipKind::SeveralLines);
    assert_eq!(r.skipped[0].fix, FixScreen::Psa);
    assert_eq!(r.skipped[0].lines[0].workspace_id, ws("c"));
    assert_eq!(r.psa_requests, 5);
}

#[test]
fn the_csv_has_one_row_per_entry_of_each_section() {
    let g = gathered();
    let now = Utc.with_ymd_and_hms(2026, 3, 1, 8, 0, 0).unwrap();
    let r = build(&g, &plan::plan(&g, &PlanPolicy::default(), now), "CW", now);
    let text = report_csv(&r).unwrap();
    assert!(text.starts_with('\u{feff}'));
    let mut rd = csv::Reader::from_reader(text.trim_start_matches('\u{feff}').as_bytes());
    let recs: Vec<csv::StringRecord> = rd.records().map(Result::unwrap).collect();
    let section = |s: &str| recs.iter().filter(|r| &r[1] == s).count();
    assert_eq!(section("row"), 2);
    assert_eq!(section("unbilled"), 2);
    assert_eq!(section("orphan"), 1);
    assert_eq!(section("skipped:several_lines"), 1);
    let a = recs.iter().find(|r| &r[2] == "a").unwrap();
    assert_eq!((&a[0], &a[14], &a[15]), ("3", "4.25", "8.50"));
}

/// A PSA that counts the writes that reach it.
#[derive(Default)]
struct CountingPsa {
    writes: std::sync::atomic::AtomicU32,
}

impl crate::psa::Psa for CountingPsa {
    fn kind(&self) -> crate::model::PsaKind {
        crate::model::PsaKind::Connectwise
    }
    async fn check(&self) -> Result<crate::psa::CheckOutcome, crate::psa::PsaError> {
        Err(crate::psa::PsaError::Unreachable("fake".into()))
    }
    async fn list_companies(
        &self,
        _: Option<&str>,
    ) -> Result<Vec<crate::psa::PsaCompany>, crate::psa::PsaError> {
        Ok(Vec::new())
    }
    async fn list_products(
        &self,
        _: Option<&str>,
    ) -> Result<Vec<crate::psa::PsaProduct>, crate::psa::PsaError> {
        Ok(Vec::new())
    }
    async fn read_billing(
        &self,
        _: &[CompanyRef],
        _: &[ProductRef],
    ) -> Result<BillingState, crate::psa::PsaError> {
        Ok(BillingState::default())
    }
    async fn set_quantity(
        &self,
        _: &BillingLine,
        desired: i64,
    ) -> Result<crate::psa::WriteReceipt, crate::psa::PsaError> {
        self.writes
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(crate::psa::WriteReceipt {
            quantity: desired,
            request_id: None,
        })
    }
    async fn create_line(
        &self,
        _: &crate::psa::NewLine,
        quantity: i64,
    ) -> Result<crate::psa::CreatedLine, crate::psa::PsaError> {
        self.writes
            .fetch_add(1, std::sync::atomic::Ordering::SeqCst);
        Ok(crate::psa::CreatedLine {
            receipt: crate::psa::WriteReceipt {
                quantity,
                request_id: None,
            },
            key: None,
        })
    }
}

#[test]
fn a_report_never_writes_to_the_psa() {
    use crate::psa::Psa;
    let fake = CountingPsa::default();
    let ro = super::ReadOnly(&fake);
    let rt = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    let one = rt.block_on(ro.set_quantity(&line(1, 1, 1, None), 5));
    let many = rt.block_on(ro.set_quantities(&[(line(1, 1, 1, None), 5)], &|_| {}));
    assert!(one.unwrap_err().to_string().contains("never writes"));
    assert!(many[0].is_err());
    assert_eq!(fake.writes.load(std::sync::atomic::Ordering::SeqCst), 0);
}
