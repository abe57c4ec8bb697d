//! The demo tenant's directory: companies (the world's names, plus deleted duplicates of real
//! customers and the Coro vendor) and the product catalog (one active product per Coro service,
//! plus an inactive look-alike, a bundle and the MSP's other products). Field names and shapes
//! follow the spec schemas (reference §3.1, §9).

use std::collections::HashSet;

use serde_json::{json, Value};

use crate::seed::{World, SERVICES};

/// Company id of the first `world.company_names` entry; the rest follow in order.
pub const FIRST_COMPANY_ID: i64 = 1010;
pub const VENDOR_COMPANY_ID: i64 = 1004;
/// Catalog id of `SERVICES[0]`; service `s` is `FIRST_PRODUCT_ID + s`.
pub const FIRST_PRODUCT_ID: i64 = 800;

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

pub fn info(by: &str) -> Value {
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

pub fn company_ref(c: &Value) -> Value {
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

/// Every company, ordered by id: the deleted duplicates first (so "the first company with this
/// name" is a deleted record and clients must filter on `deletedFlag`), the vendor, then the
/// world's companies in order.
pub fn companies(world: &World) -> Vec<Value> {
    let mut used = HashSet::new();
    let mut companies = Vec::new();
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
    companies.push(vendor);
    companies.extend(world_companies);
    companies
}

/// The catalog; `vendor` is the Coro vendor company.
pub fn catalog(vendor: &Value) -> Vec<Value> {
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
                Some(vendor),
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
        let vendor_ref = ident.starts_with("CORO").then_some(vendor);
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
    catalog
}
