//! Services for the mapping picker: every active Autotask service (the thing a contract line
//! bills), optionally narrowed on the server by a `contains` search on the name (reference §4.2).

use super::client::AutotaskClient;
use super::models::Service;
use super::pickers::PickerList;
use super::query::Tally;
use crate::model::ProductRef;
use crate::psa::{picker_name, PsaError, PsaProduct};

pub(super) const SERVICES: PickerList = PickerList {
    entity: "Services",
    search_field: "name",
    what: "list services",
};

fn to_domain(s: Service) -> Option<PsaProduct> {
    if s.is_active == Some(false) {
        return None;
    }
    let id = s.id?;
    Some(PsaProduct {
        id: ProductRef(id),
        name: picker_name([s.name, None], || format!("Service {id}")),
        // Services have no number or SKU; the invoice text is what the MSP recognises next.
        identifier: s.invoice_description.filter(|n| !n.trim().is_empty()),
    })
}

impl AutotaskClient {
    /// Active services sorted by name, all pages.
    pub async fn list_services_counted(
        &self,
        search: Option<&str>,
        tally: &Tally,
    ) -> Result<Vec<PsaProduct>, PsaError> {
        self.picker_items(&SERVICES, search, tally, to_domain).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn query_and_conversion() {
        assert_eq!(
            serde_json::to_value(SERVICES.query(Some("EDR"))).unwrap(),
            json!({"filter":[{"op":"eq","field":"isActive","value":true},
                             {"op":"contains","field":"name","value":"EDR"}],"MaxRecords":500})
        );
        let s = to_domain(Service {
            id: Some(5),
            name: Some("EDR".into()),
            invoice_description: Some("Managed EDR".into()),
            ..Default::default()
        });
        assert_eq!(
            s,
            Some(PsaProduct {
                id: ProductRef(5),
                name: "EDR".into(),
                identifier: Some("Managed EDR".into())
            })
        );
    }
}
