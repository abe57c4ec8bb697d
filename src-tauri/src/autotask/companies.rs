//! Companies for the mapping picker: every active company, optionally narrowed on the server by
//! a `contains` search on the name (reference §4.1). Company id 0 is real (believed to be the
//! MSP's own company) and is listed like any other.

use super::client::AutotaskClient;
use super::models::Company;
use super::pickers::PickerList;
use super::query::Tally;
use crate::model::CompanyRef;
use crate::psa::{picker_name, PsaCompany, PsaError};

pub(super) const COMPANIES: PickerList = PickerList {
    entity: "Companies",
    search_field: "companyName",
    what: "list companies",
};

fn to_domain(c: Company) -> Option<PsaCompany> {
    if c.is_active == Some(false) {
        return None;
    }
    let id = c.id?;
    Some(PsaCompany {
        id: CompanyRef(id),
        name: picker_name([c.company_name, None], || format!("Company {id}")),
        identifier: c.company_number.filter(|n| !n.trim().is_empty()),
    })
}

impl AutotaskClient {
    /// Active companies sorted by name, all pages.
    pub async fn list_companies_counted(
        &self,
        search: Option<&str>,
        tally: &Tally,
    ) -> Result<Vec<PsaCompany>, PsaError> {
        self.picker_items(&COMPANIES, search, tally, to_domain)
            .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn query_and_conversion() {
        assert_eq!(
            serde_json::to_value(COMPANIES.query(Some("  dent "))).unwrap(),
            json!({"filter":[{"op":"eq","field":"isActive","value":true},
                             {"op":"contains","field":"companyName","value":"dent"}],"MaxRecords":500})
        );
        assert_eq!(COMPANIES.query(Some(" ")), COMPANIES.query(None));
        let c = to_domain(Company {
            id: Some(0),
            company_name: None,
            company_number: Some(" ".into()),
            ..Default::default()
        });
        assert_eq!(
            c,
            Some(PsaCompany {
                id: CompanyRef(0),
                name: "Company 0".into(),
                identifier: None
            })
        );
        assert_eq!(to_domain(Company::default()), None);
    }
}
