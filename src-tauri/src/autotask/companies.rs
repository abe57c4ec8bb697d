//! Companies for the mapping picker: every active company, optionally narrowed on the server by
//! a `contains` search on the name (reference §4.1). Company id 0 is real (believed to be the
//! MSP's own company) and is listed like any other.

use super::client::AutotaskClient;
use super::models::Company;
use super::query::{Filter, Query, Tally};
use crate::model::CompanyRef;
use crate::psa::{PsaCompany, PsaError};

/// The filter for active companies, with an optional name search.
pub fn companies_query(search: Option<&str>) -> Query {
    let mut f = vec![Filter::eq("isActive", true)];
    if let Some(s) = search.map(str::trim).filter(|s| !s.is_empty()) {
        f.push(Filter::contains("companyName", s));
    }
    Query::new(f)
}

fn to_domain(c: Company) -> Option<PsaCompany> {
    let id = c.id?;
    Some(PsaCompany {
        id: CompanyRef(id),
        name: c
            .company_name
            .filter(|n| !n.trim().is_empty())
            .unwrap_or_else(|| format!("Company {id}")),
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
        let rows: Vec<Company> = self
            .query_all(
                "Companies",
                &companies_query(search),
                "list companies",
                tally,
            )
            .await?;
        let mut out: Vec<PsaCompany> = rows
            .into_iter()
            .filter(|c| c.is_active != Some(false))
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
            serde_json::to_value(companies_query(Some("  dent "))).unwrap(),
            json!({"filter":[{"op":"eq","field":"isActive","value":true},
                             {"op":"contains","field":"companyName","value":"dent"}],"MaxRecords":500})
        );
        assert_eq!(companies_query(Some(" ")), companies_query(None));
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
