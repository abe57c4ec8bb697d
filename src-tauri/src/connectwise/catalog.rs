//! Catalog items for the service-mapping picker: active, non-bundle items (bundles cannot be
//! agreement additions, reference §11.11), all pages, optionally searched server-side.

use std::sync::atomic::AtomicU32;

use super::client::ConnectWiseClient;
use super::errors::Resource;
use super::models::CatalogItem;
use super::query;
use crate::model::ProductRef;
use crate::psa::{PsaError, PsaProduct};

const FIELDS: &str = "id,identifier,description,productClass,inactiveFlag";

impl ConnectWiseClient {
    /// `GET /procurement/catalog?conditions=inactiveFlag=false and productClass!="Bundle"…`.
    pub async fn catalog_items(&self, search: Option<&str>) -> Result<Vec<PsaProduct>, PsaError> {
        let sent = AtomicU32::new(0);
        let term = search.map(str::trim).filter(|t| !t.is_empty());
        let mut conditions = "inactiveFlag=false and productClass!=\"Bundle\"".to_string();
        if let Some(c) = term.and_then(|t| query::contains_any(&["description", "identifier"], t)) {
            conditions.push_str(" and ");
            conditions.push_str(&c);
        }
        let params = vec![("conditions", conditions), ("fields", FIELDS.to_string())];
        let rows: Vec<CatalogItem> = self
            .get_all("/procurement/catalog", params, Resource::Catalog, &sent)
            .await?;
        Ok(to_products(rows, term))
    }
}

/// DTOs → domain rows; inactive and bundle rows are dropped here too, the search re-applied.
pub(super) fn to_products(rows: Vec<CatalogItem>, term: Option<&str>) -> Vec<PsaProduct> {
    let needle = term.map(str::to_lowercase);
    let mut out: Vec<PsaProduct> = rows
        .into_iter()
        .filter(|p| p.inactive_flag != Some(true))
        .filter(|p| {
            !p.product_class
                .as_deref()
                .is_some_and(|c| c.eq_ignore_ascii_case("Bundle"))
        })
        .filter_map(|p| {
            let id = p.id?;
            let name = p
                .description
                .clone()
                .filter(|d| !d.trim().is_empty())
                .or_else(|| p.identifier.clone())
                .unwrap_or_else(|| format!("catalog item {id}"));
            Some(PsaProduct {
                id: ProductRef(id),
                name,
                identifier: p.identifier,
            })
        })
        .filter(|p| query::matches(needle.as_deref(), &p.name, p.identifier.as_deref()))
        .collect();
    out.sort_by_cached_key(|r| (r.name.to_lowercase(), r.id));
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bundles_and_inactive_items_are_dropped() {
        let rows: Vec<CatalogItem> = serde_json::from_str(
            r#"[{"id":1,"identifier":"EDR-SEAT","description":"Endpoint protection","productClass":"Service","inactiveFlag":false},
                {"id":2,"identifier":"PACK","description":"Pack","productClass":"Bundle"},
                {"id":3,"identifier":"OLD","description":"Old","inactiveFlag":true},
                {"id":4,"identifier":"MAIL","description":"","productClass":"NonInventory"}]"#,
        )
        .unwrap();
        let names: Vec<String> = to_products(rows, None)
            .into_iter()
            .map(|p| p.name)
            .collect();
        assert_eq!(
            names,
            vec!["Endpoint protection".to_string(), "MAIL".to_string()]
        );
    }
}
