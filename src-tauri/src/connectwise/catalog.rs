//! Catalog items for the service-mapping picker: active, non-bundle items (bundles cannot be
//! agreement additions, reference §11.11), all pages, optionally searched server-side.

use super::client::ConnectWiseClient;
use super::errors::Resource;
use super::models::CatalogItem;
use super::pickers::{picker_items, PickerList};
use crate::model::ProductRef;
use crate::psa::{picker_name, PsaError, PsaProduct};

const CATALOG: PickerList = PickerList {
    path: "/procurement/catalog",
    resource: Resource::Catalog,
    conditions: "inactiveFlag=false and productClass!=\"Bundle\"",
    search_fields: &["description", "identifier"],
    fields: "id,identifier,description,productClass,inactiveFlag",
};

impl ConnectWiseClient {
    /// `GET /procurement/catalog?conditions=inactiveFlag=false and productClass!="Bundle"…`.
    pub async fn catalog_items(&self, search: Option<&str>) -> Result<Vec<PsaProduct>, PsaError> {
        let term = search.map(str::trim).filter(|t| !t.is_empty());
        let rows: Vec<CatalogItem> = self.picker_rows(&CATALOG, term).await?;
        Ok(to_products(rows, term))
    }
}

/// DTOs → domain rows; inactive and bundle rows are dropped here too, the search re-applied.
pub(super) fn to_products(rows: Vec<CatalogItem>, term: Option<&str>) -> Vec<PsaProduct> {
    picker_items(rows, term, |p| {
        let bundle = p
            .product_class
            .as_deref()
            .is_some_and(|c| c.eq_ignore_ascii_case("Bundle"));
        if p.inactive_flag == Some(true) || bundle {
            return None;
        }
        let id = p.id?;
        Some(PsaProduct {
            id: ProductRef(id),
            name: picker_name([p.description, p.identifier.clone()], || {
                format!("catalog item {id}")
            }),
            identifier: p.identifier,
        })
    })
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
