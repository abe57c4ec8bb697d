//! The tenant state behind the simulated API: login company, current codebase, API members with
//! their security-role permissions, the records (kept as JSON in the wire shape so conditions,
//! `fields` and `orderBy` work on exactly what clients see), and typed read-only views for tests.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::conditions::{parse_datetime, FieldIndex};
use super::data::{self, Seeded};
use crate::seed::World;

/// Inquire/Add/Edit/Delete levels of the rows the integration needs (reference §8), as booleans
/// ("All" or "None").
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct Permissions {
    /// Companies > Company Maintenance: Inquire.
    pub company_inquire: bool,
    /// Procurement > Product Catalog: Inquire.
    pub catalog_inquire: bool,
    /// Finance > Agreements: Inquire (agreements and additions).
    pub agreement_inquire: bool,
    /// Finance > Agreements: Add (POST additions).
    pub agreement_add: bool,
    /// Finance > Agreements: Edit (PATCH/PUT additions).
    pub agreement_edit: bool,
    /// Finance > Agreements: Delete.
    pub agreement_delete: bool,
}

impl Default for Permissions {
    fn default() -> Self {
        Permissions {
            company_inquire: true,
            catalog_inquire: true,
            agreement_inquire: true,
            agreement_add: true,
            agreement_edit: true,
            agreement_delete: true,
        }
    }
}

impl Permissions {
    /// A role set up without the Finance > Agreements row.
    pub fn without_finance() -> Self {
        Permissions {
            agreement_inquire: false,
            agreement_add: false,
            agreement_edit: false,
            agreement_delete: false,
            ..Permissions::default()
        }
    }
}

/// An API member (System > Members > API Members) and its key pair.
#[derive(Debug, Clone)]
pub struct Member {
    /// Member id, written to `_info.updatedBy` on changes.
    pub id: String,
    pub public_key: String,
    pub private_key: String,
    pub permissions: Permissions,
}

/// The collections a request can list.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Collection {
    Companies,
    Catalog,
    Agreements,
    Additions,
}

#[derive(Debug, Clone, Default)]
pub struct Indexes {
    pub companies: FieldIndex,
    pub catalog: FieldIndex,
    pub agreements: FieldIndex,
    pub additions: FieldIndex,
}

#[derive(Debug)]
pub struct State {
    /// The "Company" value typed on the login screen (first part of the Basic user name).
    pub company_id: String,
    /// What `companyinfo` returns (trailing slash), e.g. `v2026_11/`. Changed by
    /// `POST /_sandbox/codebase` to simulate a hosted upgrade.
    pub codebase: String,
    /// Registered integration clientIds.
    pub client_ids: Vec<String>,
    pub members: Vec<Member>,
    pub companies: Vec<Value>,
    pub catalog: Vec<Value>,
    pub agreements: Vec<Value>,
    pub additions: Vec<Value>,
    /// Calls to `/login/companyinfo/…` (not in the request log, which holds API calls only).
    pub discovery_calls: u64,
    pub next_addition_id: i64,
    pub(crate) indexes: Indexes,
    /// Service boards and tickets (the optional ticket feature).
    pub desk: super::desk::Desk,
    seeded: (Vec<Value>, Vec<Value>, i64),
}

/// One agreement with its additions, as `GET /_sandbox/state` returns it.
#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AgreementView {
    pub id: i64,
    pub name: String,
    pub company_id: i64,
    pub company_name: String,
    pub type_name: String,
    pub agreement_status: String,
    pub parent_agreement_id: Option<i64>,
    pub additions: Vec<AdditionView>,
}

#[derive(Debug, Clone, Serialize)]
#[serde(rename_all = "camelCase")]
pub struct AdditionView {
    pub id: i64,
    pub product_id: i64,
    pub product_identifier: String,
    pub quantity: f64,
    pub less_included: f64,
    pub effective_date: Option<String>,
    pub cancelled_date: Option<String>,
    /// Billing now: effective, not cancelled, on an Active agreement (reference §11.1).
    pub active: bool,
}

/// Wire format for date-times: `2025-07-01T00:00:00Z`.
pub fn ts(t: DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Secs, true)
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Refreshes an addition's computed fields after a change (billed quantity after `lessIncluded`,
/// extended price/cost, margin, statuses).
pub fn recompute_addition(a: &mut Value, agreement_status: &str, now: DateTime<Utc>) {
    let num = |a: &Value, k: &str| a.get(k).and_then(Value::as_f64).unwrap_or(0.0);
    let billed = (num(a, "quantity") - num(a, "lessIncluded")).max(0.0);
    let price = round2(num(a, "unitPrice") * billed);
    let cost = round2(num(a, "unitCost") * billed);
    let date = |k: &str| a.get(k).and_then(Value::as_str).and_then(parse_datetime);
    let status = match (date("effectiveDate"), date("cancelledDate")) {
        (_, Some(c)) if c <= now => "Cancelled",
        (Some(e), _) if e > now => "Inactive",
        _ if agreement_status != "Active" => agreement_status,
        _ => "Active",
    };
    let set = [
        ("billedQuantity", Value::from(billed)),
        ("extPrice", Value::from(price)),
        ("extCost", Value::from(cost)),
        ("margin", Value::from(round2(price - cost))),
        ("proratePrice", Value::from(price)),
        ("prorateCost", Value::from(cost)),
        ("extendedProratePrice", Value::from(price)),
        ("extendedProrateCost", Value::from(cost)),
        ("agreementStatus", Value::from(agreement_status)),
        ("additionStatus", Value::from(status)),
    ];
    if let Value::Object(m) = a {
        for (k, v) in set {
            m.insert(k.to_string(), v);
        }
    }
}

impl State {
    pub fn new(
        world: &World,
        members: Vec<Member>,
        company_id: &str,
        codebase: &str,
        client_id: &str,
    ) -> State {
        let Seeded {
            companies,
            catalog,
            agreements,
            additions,
        } = data::build(world, Utc::now());
        let indexes = Indexes {
            companies: FieldIndex::from_entities(&companies),
            catalog: FieldIndex::from_entities(&catalog),
            agreements: FieldIndex::from_entities(&agreements),
            additions: FieldIndex::from_entities(&additions),
        };
        let next_addition_id = additions
            .iter()
            .filter_map(|a| a["id"].as_i64())
            .max()
            .unwrap_or(0)
            + 1;
        State {
            company_id: company_id.to_string(),
            codebase: codebase.to_string(),
            client_ids: vec![client_id.to_string()],
            members,
            seeded: (agreements.clone(), additions.clone(), next_addition_id),
            companies,
            catalog,
            agreements,
            additions,
            discovery_calls: 0,
            next_addition_id,
            indexes,
            desk: super::desk::Desk::seeded(),
        }
    }

    /// Back to the seeded agreements and additions (members, permissions and codebase are left
    /// as they are).
    pub fn reset(&mut self) {
        self.agreements = self.seeded.0.clone();
        self.additions = self.seeded.1.clone();
        self.next_addition_id = self.seeded.2;
    }

    pub fn records(&self, c: Collection) -> &[Value] {
        match c {
            Collection::Companies => &self.companies,
            Collection::Catalog => &self.catalog,
            Collection::Agreements => &self.agreements,
            Collection::Additions => &self.additions,
        }
    }

    pub fn fields_of(&self, c: Collection) -> &FieldIndex {
        match c {
            Collection::Companies => &self.indexes.companies,
            Collection::Catalog => &self.indexes.catalog,
            Collection::Agreements => &self.indexes.agreements,
            Collection::Additions => &self.indexes.additions,
        }
    }

    pub fn agreement(&self, id: i64) -> Option<&Value> {
        self.agreements.iter().find(|a| a["id"] == id)
    }

    /// The (non-deleted) company with this exact name.
    pub fn company_id(&self, name: &str) -> Option<i64> {
        self.companies
            .iter()
            .find(|c| c["name"] == name && c["deletedFlag"] == false)
            .and_then(|c| c["id"].as_i64())
    }

    /// Agreements with their additions; `company` filters by company name, identifier or id.
    pub fn snapshot(&self, company: Option<&str>) -> Vec<AgreementView> {
        let now = Utc::now();
        let s = |v: &Value| v.as_str().unwrap_or_default().to_string();
        self.agreements
            .iter()
            .filter(|a| {
                company.is_none_or(|c| {
                    a["company"]["name"] == c
                        || a["company"]["identifier"] == c
                        || c.parse::<i64>().is_ok_and(|id| a["company"]["id"] == id)
                })
            })
            .map(|a| {
                let status = s(&a["agreementStatus"]);
                let additions = self
                    .additions
                    .iter()
                    .filter(|x| x["agreementId"] == a["id"])
                    .map(|x| {
                        let date = |k: &str| x[k].as_str().map(str::to_string);
                        let effective = date("effectiveDate");
                        let cancelled = date("cancelledDate");
                        let started = effective
                            .as_deref()
                            .and_then(parse_datetime)
                            .is_none_or(|d| d <= now);
                        let live = cancelled
                            .as_deref()
                            .and_then(parse_datetime)
                            .is_none_or(|d| d > now);
                        AdditionView {
                            id: x["id"].as_i64().unwrap_or_default(),
                            product_id: x["product"]["id"].as_i64().unwrap_or_default(),
                            product_identifier: s(&x["product"]["identifier"]),
                            quantity: x["quantity"].as_f64().unwrap_or_default(),
                            less_included: x["lessIncluded"].as_f64().unwrap_or_default(),
                            effective_date: effective,
                            cancelled_date: cancelled,
                            active: started && live && status == "Active",
                        }
                    })
                    .collect();
                AgreementView {
                    id: a["id"].as_i64().unwrap_or_default(),
                    name: s(&a["name"]),
                    company_id: a["company"]["id"].as_i64().unwrap_or_default(),
                    company_name: s(&a["company"]["name"]),
                    type_name: s(&a["type"]["name"]),
                    agreement_status: status,
                    parent_agreement_id: a["parentAgreement"]["id"].as_i64(),
                    additions,
                }
            })
            .collect()
    }

    /// Product identifier → quantities of the additions billing now for a company (name,
    /// identifier or id). Several entries mean several live lines (two agreements, duplicates).
    pub fn live_quantities(&self, company: &str) -> BTreeMap<String, Vec<f64>> {
        let mut out: BTreeMap<String, Vec<f64>> = BTreeMap::new();
        for a in self.snapshot(Some(company)) {
            for x in a.additions.into_iter().filter(|x| x.active) {
                out.entry(x.product_identifier)
                    .or_default()
                    .push(x.quantity);
            }
        }
        out
    }
}
