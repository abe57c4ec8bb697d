//! Autotask REST wire types (vendor DTOs), exactly as the API spells them.
//!
//! Every field is an `Option` and unknown fields are ignored, because Autotask returns nulls
//! freely and adds fields over time (reference §9). Reference fields end in a capital `ID`
//! (`companyID`, `contractServiceID`), which `rename_all = "camelCase"` would spell `companyId`,
//! so those are renamed one by one (reference §4). Conversion to domain types happens in the
//! entity modules, never here.

use serde::{Deserialize, Serialize};

/// `GET …/v1.0/zoneInformation?user=` (`ZoneInformationResultModel`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ZoneInformation {
    pub zone_name: Option<String>,
    /// REST root of the zone, e.g. `https://webservices3.autotask.net/atservicesrest/`.
    pub url: Option<String>,
    pub web_url: Option<String>,
    /// The customer database id: a stable tenant key.
    pub ci: Option<i64>,
}

/// `GET /V1.0/ThresholdInformation`: the hourly request budget of the whole database.
#[derive(Debug, Clone, Copy, Default, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "camelCase", default)]
pub struct ThresholdInformation {
    pub external_request_threshold: Option<u32>,
    /// Minutes (60 in production).
    pub request_threshold_timeframe: Option<u32>,
    pub current_timeframe_request_count: Option<u32>,
}

/// One page of a query: `{items:[...], pageDetails:{...}}`.
#[derive(Debug, Clone, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct QueryPage<T> {
    #[serde(default = "Vec::new")]
    pub items: Vec<T>,
    #[serde(default)]
    pub page_details: Option<PageDetails>,
}

#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct PageDetails {
    pub count: Option<i64>,
    pub request_count: Option<i64>,
    pub prev_page_url: Option<String>,
    /// Opaque absolute URL; `null` or empty on the last page.
    pub next_page_url: Option<String>,
}

/// Entities that carry an `id`, so paging can tell whether a page brought anything new.
pub trait HasId {
    fn id(&self) -> Option<i64>;
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct Company {
    pub id: Option<i64>,
    pub company_name: Option<String>,
    pub company_number: Option<String>,
    pub company_type: Option<i64>,
    pub is_active: Option<bool>,
    #[serde(rename = "parentCompanyID")]
    pub parent_company_id: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct Service {
    pub id: Option<i64>,
    pub name: Option<String>,
    pub description: Option<String>,
    pub invoice_description: Option<String>,
    pub unit_price: Option<f64>,
    pub unit_cost: Option<f64>,
    pub period_type: Option<i64>,
    #[serde(rename = "billingCodeID")]
    pub billing_code_id: Option<i64>,
    pub is_active: Option<bool>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct Contract {
    pub id: Option<i64>,
    #[serde(rename = "companyID")]
    pub company_id: Option<i64>,
    pub contract_name: Option<String>,
    pub contract_number: Option<String>,
    pub contract_type: Option<i64>,
    /// Picklist; `0` is treated as inactive (reference §4.3).
    pub status: Option<i64>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub contract_period_type: Option<i64>,
    #[serde(rename = "renewedContractID")]
    pub renewed_contract_id: Option<i64>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct ContractService {
    pub id: Option<i64>,
    #[serde(rename = "contractID")]
    pub contract_id: Option<i64>,
    #[serde(rename = "serviceID")]
    pub service_id: Option<i64>,
    pub unit_price: Option<f64>,
    pub unit_cost: Option<f64>,
    pub invoice_description: Option<String>,
}

/// One billing period of a contract service (read-only entity; reference §4.5).
#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
#[serde(rename_all = "camelCase", default)]
pub struct ContractServiceUnit {
    pub id: Option<i64>,
    #[serde(rename = "contractID")]
    pub contract_id: Option<i64>,
    #[serde(rename = "contractServiceID")]
    pub contract_service_id: Option<i64>,
    #[serde(rename = "serviceID")]
    pub service_id: Option<i64>,
    pub start_date: Option<String>,
    pub end_date: Option<String>,
    pub units: Option<i64>,
    pub approve_and_post_date: Option<String>,
}

macro_rules! has_id {
    ($($t:ty),*) => {$(
        impl HasId for $t {
            fn id(&self) -> Option<i64> {
                self.id
            }
        }
    )*};
}
has_id!(
    Company,
    Service,
    Contract,
    ContractService,
    ContractServiceUnit
);

/// `GET {Entity}/{id}`: `{"item": {...}}`, with `item: null` for an unknown id (reference §3.4).
#[derive(Debug, Clone, Deserialize)]
pub struct ItemEnvelope<T> {
    #[serde(default = "none")]
    pub item: Option<T>,
}

fn none<T>() -> Option<T> {
    None
}

/// Body of `POST /V1.0/Contracts/{id}/ServiceAdjustments` (camelCase, as the live API takes it).
#[derive(Debug, Clone, Serialize, PartialEq)]
#[serde(rename_all = "camelCase")]
pub struct AdjustmentBody {
    #[serde(rename = "contractID")]
    pub contract_id: i64,
    #[serde(rename = "contractServiceID")]
    pub contract_service_id: i64,
    #[serde(rename = "serviceID", skip_serializing_if = "Option::is_none")]
    pub service_id: Option<i64>,
    /// A delta, never an absolute quantity.
    pub unit_change: i32,
    pub effective_date: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adjusted_unit_price: Option<f64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub adjusted_unit_cost: Option<f64>,
}

/// Create response: `{"itemId": n}` (`OperationResultModel`).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(rename_all = "camelCase", default)]
pub struct ItemIdResult {
    /// Typed `Object` in the spec: a number in practice, kept loose.
    pub item_id: Option<serde_json::Value>,
}

impl ItemIdResult {
    /// The id as text for receipts, whatever JSON type it came as.
    pub fn id_text(&self) -> Option<String> {
        match self.item_id.as_ref()? {
            serde_json::Value::Number(n) => Some(n.to_string()),
            serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reference_fields_keep_capital_id() {
        let u: ContractServiceUnit = serde_json::from_str(
            r#"{"id":1,"contractID":2,"contractServiceID":3,"serviceID":4,"units":5,"extra":true}"#,
        )
        .unwrap();
        assert_eq!(
            (u.contract_id, u.contract_service_id, u.service_id, u.units),
            (Some(2), Some(3), Some(4), Some(5))
        );
        let body = AdjustmentBody {
            contract_id: 1,
            contract_service_id: 2,
            service_id: None,
            unit_change: -3,
            effective_date: "2025-06-17T12:00:00Z".into(),
            adjusted_unit_price: Some(6.5),
            adjusted_unit_cost: None,
        };
        assert_eq!(
            serde_json::to_value(&body).unwrap(),
            serde_json::json!({"contractID":1,"contractServiceID":2,"unitChange":-3,
                "effectiveDate":"2025-06-17T12:00:00Z","adjustedUnitPrice":6.5})
        );
    }

    #[test]
    fn item_id_in_any_shape() {
        let r: ItemIdResult = serde_json::from_str(r#"{"itemId":5551234}"#).unwrap();
        assert_eq!(r.id_text().as_deref(), Some("5551234"));
        let r: ItemIdResult = serde_json::from_str(r#"{}"#).unwrap();
        assert_eq!(r.id_text(), None);
    }
}
