//! The demo tenant's records, built from the shared [`World`]: the directory from `tenant`, then
//! agreements with additions carrying the awkward cases the reference warns about (§11): two
//! active agreements, a duplicated product, a cancelled line, a child agreement, a future-dated
//! line, an expired and a cancelled agreement, and a company without any agreement.
//!
//! Field names and shapes follow the spec schemas (reference §3.1, §9). Deterministic per seed,
//! except the dates that must stay "in the future", which are relative to `now`.

use chrono::{DateTime, Datelike, Duration, Utc};
use serde_json::{json, Value};

use super::state::{recompute_addition, ts};
use super::tenant::{self, company_ref, info, product_identifier, VENDOR_COMPANY_ID};
use crate::common::Rng;
use crate::seed::{Quirk, World, SERVICES};

const FIRST_AGREEMENT_ID: i64 = 2001;
const FIRST_ADDITION_ID: i64 = 5001;
const START: &str = "2024-01-01T00:00:00Z";

pub struct Seeded {
    pub companies: Vec<Value>,
    pub catalog: Vec<Value>,
    pub agreements: Vec<Value>,
    pub additions: Vec<Value>,
}

struct Builder<'a> {
    world: &'a World,
    now: DateTime<Utc>,
    catalog: Vec<Value>,
    agreements: Vec<Value>,
    additions: Vec<Value>,
}

impl Builder<'_> {
    fn product(&self, identifier: &str) -> Value {
        self.catalog
            .iter()
            .find(|p| p["identifier"] == identifier)
            .cloned()
            .unwrap_or(Value::Null)
    }

    /// Adds an agreement; `status` is Active, Expired or Cancelled.
    fn agreement(
        &mut self,
        company: &Value,
        name: &str,
        kind: (i64, &str),
        status: &str,
        parent: Option<&Value>,
    ) -> Value {
        let id = FIRST_AGREEMENT_ID + self.agreements.len() as i64;
        let today = self.now.date_naive();
        let (y, m) = if today.month() == 12 {
            (today.year() + 1, 1)
        } else {
            (today.year(), today.month() + 1)
        };
        let expired = status == "Expired";
        let cancelled = status == "Cancelled";
        let a = json!({
            "id": id, "name": format!("{} - {name}", company["name"].as_str().unwrap_or_default()),
            "type": {"id": kind.0, "name": kind.1, "_info": {}},
            "company": company_ref(company),
            "contact": company["defaultContact"].clone(), "site": company["site"].clone(),
            "parentAgreement": parent.map(|p| json!({
                "id": p["id"], "name": p["name"], "type": p["type"]["name"], "chargeFirmFlag": false, "_info": {}
            })),
            "customerPO": null,
            "startDate": if expired { "2023-01-01T00:00:00Z" } else { START },
            "endDate": if expired { Value::from("2023-12-31T00:00:00Z") } else { Value::Null },
            "noEndingDateFlag": !expired,
            "cancelledFlag": cancelled,
            "dateCancelled": if cancelled { Value::from("2024-06-30T00:00:00Z") } else { Value::Null },
            "reasonCancelled": if cancelled { Value::from("Customer moved to another backup vendor") } else { Value::Null },
            "applicationUnits": "Amount", "applicationUnlimitedFlag": false, "oneTimeFlag": false,
            "billingCycle": {"id": 2, "name": "Monthly", "_info": {}},
            "billAmount": 0.0, "prorateFlag": true, "invoiceProratedAdditionsFlag": false,
            "billStartDate": if expired { "2023-01-01T00:00:00Z" } else { START },
            "billToCompany": company_ref(company), "taxable": false, "periodType": "Current",
            "nextInvoiceDate": format!("{y:04}-{m:02}-01T00:00:00Z"),
            "billTime": "Billable", "billExpenses": "Billable", "billProducts": "Billable",
            "employeeCompRate": "Actual", "invoicingCycle": "ContractYear",
            "agreementStatus": status, "customFields": [], "_info": info("jsmith"),
        });
        self.agreements.push(a.clone());
        a
    }

    fn addition(
        &mut self,
        agreement: &Value,
        identifier: &str,
        qty: f64,
        effective: &str,
        cancelled: Option<&str>,
    ) {
        let product = self.product(identifier);
        let id = FIRST_ADDITION_ID + self.additions.len() as i64;
        let seq = self
            .additions
            .iter()
            .filter(|a| a["agreementId"] == agreement["id"])
            .count()
            + 1;
        let mut a = json!({
            "id": id,
            "product": {"id": product["id"], "identifier": product["identifier"], "serializedFlag": false, "_info": {}},
            "quantity": qty, "lessIncluded": 0.0,
            "unitPrice": product["price"], "unitCost": product["cost"],
            "billCustomer": "Billable", "effectiveDate": effective, "cancelledDate": cancelled,
            "taxableFlag": false, "serialNumber": null, "invoiceDescription": product["description"],
            "purchaseItemFlag": false, "specialOrderFlag": false, "agreementId": agreement["id"],
            "description": product["description"], "billedQuantity": qty, "uom": "Each",
            "extPrice": 0.0, "extCost": 0.0, "sequenceNumber": seq as f64, "margin": 0.0,
            "prorateCost": 0.0, "proratePrice": 0.0, "extendedProrateCost": 0.0, "extendedProratePrice": 0.0,
            "prorateCurrentPeriodFlag": false, "opportunity": null,
            "agreementStatus": agreement["agreementStatus"], "additionStatus": "Active",
            "invoiceGrouping": null, "customFields": [], "_info": info("ApiMember1"),
        });
        recompute_addition(
            &mut a,
            agreement["agreementStatus"].as_str().unwrap_or("Active"),
            self.now,
        );
        self.additions.push(a);
    }

    /// What the PSA currently bills for a customer and service: somewhat off from Coro's count
    /// for about half of them, so a sync has work to do.
    fn quantity(&self, c: usize, s: usize) -> f64 {
        let usage = self.world.usage(c, s) as i64;
        let mut rng = Rng::new(self.world.seed ^ 0xC0FF_EE00 ^ ((c as u64) << 12) ^ s as u64);
        if rng.chance(0.45) {
            return usage as f64;
        }
        let d = rng.range(1, 10) as i64;
        (if rng.chance(0.5) {
            usage + d
        } else {
            (usage - d).max(0)
        }) as f64
    }
}

const MANAGED: (i64, &str) = (7, "Managed Services");

pub fn build(world: &World, now: DateTime<Utc>) -> Seeded {
    let companies = tenant::companies(world);
    let vendor = companies
        .iter()
        .find(|c| c["id"] == VENDOR_COMPANY_ID)
        .cloned()
        .unwrap_or(Value::Null);
    let catalog = tenant::catalog(&vendor);

    let mut b = Builder {
        world,
        now,
        catalog,
        agreements: Vec::new(),
        additions: Vec::new(),
    };
    // The world's companies were appended last, in order.
    let offset = companies.len() - world.company_names.len();
    let company_of = |i: usize| companies.get(offset + i).cloned();
    let future = (now + Duration::days(45)).date_naive();
    let future = format!("{}T00:00:00Z", future.format("%Y-%m-%d"));
    for (c, customer) in world.customers.iter().enumerate() {
        let Some(company) = company_of(c) else {
            continue;
        };
        if customer.quirk == Quirk::NoAgreement {
            continue;
        }
        let subscribed: Vec<usize> = (0..SERVICES.len())
            .filter(|&s| world.subscribes(c, s))
            .collect();
        let main = b.agreement(&company, "Managed Services", MANAGED, "Active", None);
        // Customer 1 keeps its add-ons on a child agreement (reference §11.3).
        let (mut on_main, mut on_child): (Vec<usize>, Vec<usize>) =
            subscribed.iter().partition(|&&s| c != 1 || s < 5);
        if c == 1 && on_child.is_empty() {
            on_child.extend(on_main.pop());
        }
        for &s in &on_main {
            let q = b.quantity(c, s);
            b.addition(&main, &product_identifier(s), q, START, None);
        }
        b.addition(&main, "HELPDESK", customer.users as f64, START, None);
        if !on_child.is_empty() {
            let child = b.agreement(&company, "Security Add-ons", MANAGED, "Active", Some(&main));
            for &s in &on_child {
                let q = b.quantity(c, s);
                b.addition(&child, &product_identifier(s), q, START, None);
            }
        }
        let Some(&first) = subscribed.first() else {
            continue;
        };
        let first_ident = product_identifier(first);
        let q = b.quantity(c, first);
        match (customer.quirk, c) {
            (Quirk::TwoAgreements, _) => {
                let second = b.agreement(&company, "Managed Security", MANAGED, "Active", None);
                for &s in &subscribed {
                    let q2 = b.quantity(c, s) + 3.0;
                    b.addition(&second, &product_identifier(s), q2, START, None);
                }
            }
            (Quirk::DuplicatedLine, _) => {
                b.addition(&main, &first_ident, q + 7.0, "2024-06-01T00:00:00Z", None)
            }
            (Quirk::CancelledLine, _) => {
                // The history row: cancelled at the end of January 2025, replaced by the live
                // row from February (which becomes the live one below).
                b.addition(
                    &main,
                    &first_ident,
                    q + 12.0,
                    START,
                    Some("2025-01-31T00:00:00Z"),
                );
                if let Some(live) = b.additions.iter_mut().find(|a| {
                    a["agreementId"] == main["id"]
                        && a["product"]["identifier"] == first_ident.as_str()
                }) {
                    live["effectiveDate"] = json!("2025-02-01T00:00:00Z");
                }
            }
            (_, 2) => {
                if let Some(a) = b
                    .additions
                    .iter_mut()
                    .find(|a| a["agreementId"] == main["id"])
                {
                    a["lessIncluded"] = json!(5.0);
                    recompute_addition(a, "Active", now);
                }
            }
            (_, 3) => b.addition(&main, &first_ident, q + 4.0, &future, None),
            (_, 4) => {
                let old = b.agreement(
                    &company,
                    "Managed Services (2023)",
                    MANAGED,
                    "Expired",
                    None,
                );
                for &s in &subscribed {
                    let q_old = (b.quantity(c, s) - 2.0).max(0.0);
                    b.addition(
                        &old,
                        &product_identifier(s),
                        q_old,
                        "2023-01-01T00:00:00Z",
                        None,
                    );
                }
            }
            (_, 6) => {
                // Pre-flight: the agreement ends in 20 days (it still bills until then).
                if let Some(a) = b.agreements.iter_mut().find(|a| a["id"] == main["id"]) {
                    let end = (now + Duration::days(20)).date_naive();
                    a["endDate"] = json!(format!("{}T00:00:00Z", end.format("%Y-%m-%d")));
                    a["noEndingDateFlag"] = json!(false);
                }
            }
            (_, 7) => {
                // Pre-flight: a cancelled agreement still holds a mapped product (the sync's
                // read never sees it; its addition was never cancelled).
                let gone =
                    b.agreement(&company, "Security (cancelled)", MANAGED, "Cancelled", None);
                b.addition(&gone, &first_ident, q, START, None);
            }
            (_, 5) => {
                let backup = b.agreement(
                    &company,
                    "Backup",
                    (8, "Backup Services"),
                    "Cancelled",
                    None,
                );
                b.addition(&backup, "BACKUP-SERVER", 2.0, START, None);
            }
            _ => {}
        }
    }
    // The rest of the tenant: other clients with other products, a few former Coro customers
    // still billed for Coro (not mapped: a sync must leave them alone), block-time agreements.
    for i in world.customers.len()..world.company_names.len() {
        let Some(company) = company_of(i) else {
            continue;
        };
        if i % 4 == 0 {
            let a = b.agreement(&company, "Managed Services", MANAGED, "Active", None);
            b.addition(&a, "M365-BP", (5 + i % 40) as f64, START, None);
            b.addition(&a, "HELPDESK", (5 + i % 40) as f64, START, None);
            if i % 50 == 8 {
                b.addition(
                    &a,
                    &product_identifier(0),
                    (10 + i % 30) as f64,
                    START,
                    None,
                );
            }
        }
        if i % 9 == 0 {
            b.agreement(&company, "Block Time", (9, "Block Time"), "Active", None);
        }
    }
    Seeded {
        companies,
        catalog: b.catalog,
        agreements: b.agreements,
        additions: b.additions,
    }
}

/// Midnight UTC today, in the wire format (used as the default `effectiveDate` on POST).
pub fn today(now: DateTime<Utc>) -> String {
    ts(now
        .date_naive()
        .and_hms_opt(0, 0, 0)
        .map(|d| d.and_utc())
        .unwrap_or(now))
}
