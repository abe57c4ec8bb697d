//! Vendor DTOs: ConnectWise Manage JSON exactly as the API sends it (camelCase, model version
//! pinned by the client's `Accept` header). Every field is optional and unknown fields are
//! ignored, because ConnectWise adds fields without notice and nearly everything is nullable
//! (reference §11.16). Conversion to domain types happens in the resource modules.

use serde::{Deserialize, Deserializer};

/// `GET /login/companyinfo/{companyId}` (no auth). Field names are PascalCase here, unlike the
/// REST API. An unknown company answers `null`, which callers read as `Option<CompanyInfo>`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct CompanyInfo {
    #[serde(rename = "CompanyName")]
    pub company_name: Option<String>,
    /// e.g. `v2025_1/` (cloud) or `v4_6_release/` (on-premise); has a trailing slash.
    #[serde(rename = "Codebase")]
    pub codebase: Option<String>,
    #[serde(rename = "VersionCode")]
    pub version_code: Option<String>,
    #[serde(rename = "CompanyID")]
    pub company_id: Option<String>,
    /// ConnectWise's own sample sends the string `"True"`; accept a bool too.
    #[serde(rename = "IsCloud", deserialize_with = "bool_or_string")]
    pub is_cloud: Option<bool>,
}

/// `GET /system/info`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct SystemInfo {
    pub version: Option<String>,
    #[serde(deserialize_with = "bool_or_string")]
    pub is_cloud: Option<bool>,
    pub server_time_zone: Option<String>,
    pub cloud_region: Option<String>,
}

/// `{id, name|identifier, _info}` reference objects; only what this app reads.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct Reference {
    pub id: Option<i64>,
    pub name: Option<String>,
    pub identifier: Option<String>,
}

/// `Company` (subset).
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Company {
    pub id: Option<i64>,
    pub identifier: Option<String>,
    pub name: Option<String>,
    pub status: Option<Reference>,
    pub deleted_flag: Option<bool>,
}

/// `CatalogItem` (subset). `description` is the item's display name in ConnectWise.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct CatalogItem {
    pub id: Option<i64>,
    pub identifier: Option<String>,
    pub description: Option<String>,
    pub inactive_flag: Option<bool>,
    /// `Agreement|Bundle|Inventory|NonInventory|Service`.
    pub product_class: Option<String>,
}

/// `Agreement` (subset). There is no scalar parent id; the parent is `parentAgreement.id`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Agreement {
    pub id: Option<i64>,
    pub name: Option<String>,
    pub company: Option<Reference>,
    pub parent_agreement: Option<Reference>,
    /// `Active|Cancelled|Expired|Inactive`.
    pub agreement_status: Option<String>,
    pub cancelled_flag: Option<bool>,
    pub start_date: Option<String>,
    /// Ignored when `noEndingDateFlag` is set.
    pub end_date: Option<String>,
    pub no_ending_date_flag: Option<bool>,
}

/// `Addition` (subset). Quantities are doubles on the wire.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default, rename_all = "camelCase")]
pub struct Addition {
    pub id: Option<i64>,
    pub product: Option<Reference>,
    pub quantity: Option<f64>,
    pub less_included: Option<f64>,
    /// The line's price (read for the reconciliation report; never written).
    pub unit_price: Option<f64>,
    pub effective_date: Option<String>,
    pub cancelled_date: Option<String>,
    pub agreement_id: Option<i64>,
    /// Only in model version 2026.11+; preferred over the dates when present (reference §11.1).
    pub addition_status: Option<String>,
}

/// `ErrorResponseMessage` (§7.1), plus the `error` key the 429 body uses instead of `code`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ErrorBody {
    pub code: Option<String>,
    pub error: Option<String>,
    pub message: Option<String>,
    pub errors: Option<Vec<ValidationError>>,
}

/// One entry of `ErrorResponseMessage.errors`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct ValidationError {
    pub code: Option<String>,
    pub message: Option<String>,
    pub resource: Option<String>,
    pub field: Option<String>,
}

/// Rows that carry an `id`, so paging can tell new rows from repeated ones.
pub trait Identified {
    fn id(&self) -> Option<i64>;
}

impl Identified for Company {
    fn id(&self) -> Option<i64> {
        self.id
    }
}

impl Identified for CatalogItem {
    fn id(&self) -> Option<i64> {
        self.id
    }
}

impl Identified for Agreement {
    fn id(&self) -> Option<i64> {
        self.id
    }
}

impl Identified for Addition {
    fn id(&self) -> Option<i64> {
        self.id
    }
}

/// `true`/`false` or `"True"`/`"false"` (any case) or null.
fn bool_or_string<'de, D: Deserializer<'de>>(d: D) -> Result<Option<bool>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Raw {
        Bool(bool),
        Text(String),
    }
    Ok(match Option::<Raw>::deserialize(d)? {
        Some(Raw::Bool(b)) => Some(b),
        Some(Raw::Text(s)) if s.trim().eq_ignore_ascii_case("true") => Some(true),
        Some(Raw::Text(s)) if s.trim().eq_ignore_ascii_case("false") => Some(false),
        _ => None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn company_info_accepts_string_and_bool_is_cloud() {
        let s: CompanyInfo =
            serde_json::from_str(r#"{"Codebase":"v2025_1/","IsCloud":"True"}"#).unwrap();
        assert_eq!(s.is_cloud, Some(true));
        let b: CompanyInfo = serde_json::from_str(r#"{"IsCloud":false}"#).unwrap();
        assert_eq!(b.is_cloud, Some(false));
        let none: Option<CompanyInfo> = serde_json::from_str("null").unwrap();
        assert!(none.is_none());
    }

    #[test]
    fn unknown_fields_and_nulls_are_ignored() {
        let a: Addition = serde_json::from_str(
            r#"{"id":1,"quantity":null,"product":null,"brandNewField":{"x":1}}"#,
        )
        .unwrap();
        assert_eq!(a.id, Some(1));
        assert!(a.quantity.is_none() && a.product.is_none());
    }
}
