//! The demo tenant's records, built from the shared [`World`]: companies (plus deleted duplicates
//! and the Coro vendor), the product catalog (one product per Coro service plus decoys), and
//! agreements with additions carrying the awkward cases the reference warns about (§11): two
//! active agreements, a duplicated product, a cancelled line, a child agreement, a future-dated
//! line, an expired and a cancelled agreement, and a company without any agreement.
//!
//! Field names and shapes follow the spec schemas (reference §3.1, §9). Deterministic per seed,
//! except the dates that must stay "in the future", which are relative to `now`.

use std::collections::HashSet;

use chrono::{DateTime, Datelike, Duration, Utc};
use serde_json::{json, Value};

use super::state::{recompute_addition, ts};
use crate::sandbox::common::Rng;
use crate::sandbox::seed::{Quirk, World, SERVICES};

/// Company id of the first `world.company_names` entry; the rest follow in order.
pub const FIRST_COMPANY_ID: i64 = 1010;
pub const VENDOR_COMPANY_ID: i64 = 1004;
/// Catalog id of `SERVICES[0]`; service `s` is `FIRST_PRODUCT_ID + s`.
pub const FIRST_PRODUCT_ID: i64 = 800;
const FIRST_AGREEMENT_ID: i64 = 2001;
pub const FIRST_ADDITION_ID: i64 = 5001;
const START: &str = "2024-01-01T00:00:00Z";

/// The catalog identifier of a Coro service, e.g. `CORO-EDR`, `CORO-ENDPOINT-SECURITY`.
pub fn product_identifier(service: usize) -> String {
    let name = SERVICES.get(service).map(|s| s.name).unwrap_or("UNKNOWN");
    let mut out = String::from("CORO");
    for word in name
        .split(|c: char| !c.is_ascii_alphanumeric())
        .filter(|w| !w.is_empty())
    {
        out.push('-');
        out.push_str(&word.to_ascii_uppercase());
    }
    out
}

pub struct Seeded {
    pub companies: Vec<Value>,
    pub catalog: Vec<Value>,
    pub agreements: Vec<Value>,
    pub additions: Vec<Value>,
}

const CITIES: &[(&str, &str, &str)] = &[
    ("Tampa", "FL", "33602"),
    ("Austin", "TX", "78701"),
    ("Denver", "CO", "80202"),
    ("Columbus", "OH", "43215"),
    ("Portland", "OR", "97204"),
    ("Raleigh", "NC", "27601"),
    ("Madison", "WI", "53703"),
    ("Boise", "ID", "83702"),
];
const PEOPLE: &[&str] = &[
    "Dana Ortiz",
    "Sam Lee",
    "Priya Shah",
    "Tom Becker",
    "Ana Silva",
    "Joe Kim",
];

fn identifier(name: &str, used: &mut HashSet<String>) -> String {
    let base: String = name
        .chars()
        .filter(|c| c.is_ascii_alphanumeric())
        .take(25)
        .collect();
    let mut id = base.clone();
    let mut n = 2;
    while !used.insert(id.to_ascii_lowercase()) {
        let suffix = n.to_string();
        id = format!("{}{suffix}", &base[..base.len().min(25 - suffix.len())]);
        n += 1;
    }
    id
}

fn info(by: &str) -> Value {
    json!({"lastUpdated": "2025-03-02T14:11:09Z", "updatedBy": by})
}

fn company(id: i64, ident: &str, name: &str, i: usize, kind: (i64, &str), active: bool) -> Value {
    let (city, state, zip) = CITIES[i % CITIES.len()];
    let (status_id, status) = if active {
        (1, "Active")
    } else {
        (2, "Inactive")
    };
    json!({
        "id": id, "identifier": ident, "name": name,
        "status": {"id": status_id, "name": status, "_info": {}},
        "types": [{"id": kind.0, "name": kind.1, "_info": {}}],
        "addressLine1": format!("{} Main Street", 100 + i), "addressLine2": null,
        "city": city, "state": state, "zip": zip,
        "country": {"id": 1, "identifier": "US", "name": "United States", "_info": {}},
        "phoneNumber": format!("555{:07}", i), "website": format!("www.{}.example.com", ident.to_ascii_lowercase()),
        "territory": {"id": 1, "name": "Main", "_info": {}}, "accountNumber": null,
        "defaultContact": {"id": 9000 + i as i64, "name": PEOPLE[i % PEOPLE.len()], "_info": {}},
        "parentCompany": null,
        "billToCompany": {"id": id, "identifier": ident, "name": name, "_info": {}},
        "site": {"id": 1, "name": "Main", "_info": {}},
        "deletedFlag": false, "dateDeleted": null, "deletedBy": null,
        "isVendorFlag": false, "leadFlag": kind.1 == "Prospect", "integratorTags": [],
        "customFields": [], "_info": info("jsmith"),
    })
}

fn company_ref(c: &Value) -> Value {
    json!({"id": c["id"], "identifier": c["identifier"], "name": c["name"], "_info": {}})
}

#[allow(clippy::too_many_arguments)]
fn catalog_item(
    id: i64,
    ident: &str,
    desc: &str,
    class: &str,
    inactive: bool,
    price: f64,
    recurring: bool,
    vendor: Option<&Value>,
) -> Value {
    let cost = (price * 50.0).round() / 100.0;
    json!({
        "id": id, "identifier": ident, "description": desc, "inactiveFlag": inactive,
        "subcategory": {"id": 14, "name": if vendor.is_some() { "Security" } else { "General" }, "_info": {}},
        "type": {"id": 3, "name": "Managed Service", "_info": {}},
        "productClass": class, "serializedFlag": false,
        "unitOfMeasure": {"id": 1, "name": "Each", "_info": {}},
        "price": price, "cost": cost, "taxableFlag": false, "customerDescription": desc,
        "manufacturer": vendor.map(|_| json!({"id": 12, "name": "Coro", "_info": {}})),
        "manufacturerPartNumber": if vendor.is_some() { Value::from(ident) } else { Value::Null },
        "vendor": vendor.map(company_ref), "vendorSku": null, "integrationXRef": null,
        "recurringFlag": recurring, "recurringRevenue": if recurring { price } else { 0.0 },
        "recurringCost": if recurring { cost } else { 0.0 }, "recurringOneTimeFlag": false,
        "recurringBillCycle": if recurring { json!({"id": 2, "name": "Monthly", "_info": {}}) } else { Value::Null },
        "recurringCycleType": "ContractYear",
        "category": {"id": 4, "name": "Managed Services", "_info": {}},
        "billableOption": "Billable", "customFields": [], "_info": info("admin1"),
    })
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
    let mut used = HashSet::new();
    let mut companies = Vec::new();
    // Deleted duplicates of real customers get the lowest ids, so "first company with this name"
    // picks a deleted record: clients must filter on deletedFlag.
    let mut world_companies = Vec::new();
    for (i, name) in world.company_names.iter().enumerate() {
        let kind = match i % 23 {
            _ if i < world.customers.len() => (1, "Client"),
            5 => (2, "Prospect"),
            11 => (4, "Partner"),
            _ => (1, "Client"),
        };
        let active = i < world.customers.len() || i % 17 != 3;
        let ident = identifier(name, &mut used);
        world_companies.push(company(
            FIRST_COMPANY_ID + i as i64,
            &ident,
            name,
            i,
            kind,
            active,
        ));
    }
    for (k, src) in [1usize, 2, 4]
        .iter()
        .filter_map(|&i| world.company_names.get(i))
        .enumerate()
    {
        let ident = identifier(src, &mut used);
        let mut c = company(1001 + k as i64, &ident, src, k, (1, "Client"), false);
        c["deletedFlag"] = json!(true);
        c["dateDeleted"] = json!("2023-11-15T16:20:00Z");
        c["deletedBy"] = json!("jsmith");
        companies.push(c);
    }
    let vendor_ident = identifier("CoroCybersecurity", &mut used);
    let mut vendor = company(
        VENDOR_COMPANY_ID,
        &vendor_ident,
        "Coro Cybersecurity Inc.",
        3,
        (3, "Vendor"),
        true,
    );
    vendor["isVendorFlag"] = json!(true);
    companies.push(vendor.clone());
    companies.extend(world_companies);

    let mut catalog: Vec<Value> = SERVICES
        .iter()
        .enumerate()
        .map(|(s, svc)| {
            let price = 2.0 + s as f64 * 0.75;
            let ident = product_identifier(s);
            catalog_item(
                FIRST_PRODUCT_ID + s as i64,
                &ident,
                &format!("Coro {}", svc.name),
                "Service",
                false,
                price,
                true,
                Some(&vendor),
            )
        })
        .collect();
    // Decoys: an inactive legacy SKU with a confusable name, a bundle (cannot be an addition),
    // and the MSP's other products.
    let decoys: &[(&str, &str, &str, bool, f64, bool)] = &[
        (
            "CORO-EDR-LEGACY",
            "Coro EDR (legacy SKU)",
            "Service",
            true,
            5.0,
            true,
        ),
        (
            "CORO-COMPLETE",
            "Coro Complete bundle",
            "Bundle",
            false,
            19.0,
            true,
        ),
        (
            "M365-BP",
            "Microsoft 365 Business Premium",
            "NonInventory",
            false,
            22.0,
            true,
        ),
        (
            "BACKUP-SERVER",
            "Server backup",
            "Service",
            false,
            45.0,
            true,
        ),
        (
            "HELPDESK",
            "Help desk - per user",
            "Service",
            false,
            12.0,
            true,
        ),
        (
            "FIREWALL-MGMT",
            "Firewall management",
            "Service",
            false,
            60.0,
            true,
        ),
        (
            "LAPTOP-STD",
            "Standard laptop",
            "Inventory",
            false,
            899.0,
            false,
        ),
    ];
    for (k, (ident, desc, class, inactive, price, recurring)) in decoys.iter().enumerate() {
        let vendor_ref = ident.starts_with("CORO").then_some(&vendor);
        catalog.push(catalog_item(
            830 + k as i64,
            ident,
            desc,
            class,
            *inactive,
            *price,
            *recurring,
            vendor_ref,
        ));
    }

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
