//! Services for the mapping picker: every active Autotask service (the thing a contract line
//! bills), optionally narrowed on the server by a `contains` search on the name (reference §4.2).

use super::client::AutotaskClient;
use super::models::Service;
use super::query::{Filter, Query, Tally};
use crate::model::ProductRef;
use crate::psa::{PsaError, PsaProduct};

/// The filter for active services, with an optional name search.
pub fn services_query(search: Option<&str>) -> Query {
    let mut f = vec![Filter::eq("isActive", true)];
    if let Some(s) = search.map(str::trim).filter(|s| !s.is_empty()) {
        f.push(Filter::contains("name", s));
    }
    Query::new(f)
}

fn to_domain(s: Service) -> Option<PsaProduct> {
    let id = s.id?;
    Some(PsaProduct {
        id: ProductRef(id),
        name: s
            .name
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| format!("Service {id}")),
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
        let rows: Vec<Service> = self
            .query_all("Services", &services_query(search), "list services", tally)
            .await?;
        let mut out: Vec<PsaProduct> = rows
            .into_iter()
            .filter(|s| s.is_active != Some(false))
            .filter_map(to_domain)
            .collect();
        out.sort_by(|a, b| {
            a.name
                .to_lowercase()
                .cmp(&b.name.to_lowercase())
                .then(a.id.cmp(&b.id))
        });
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn query_and_conversion() {
        assert_eq!(
            serde_json::to_value(services_query(Some("EDR"))).unwrap(),
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
