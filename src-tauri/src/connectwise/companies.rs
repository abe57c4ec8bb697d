//! Companies for the mapping picker: every non-deleted company, all pages, optionally searched
//! server-side on name and identifier.

use std::collections::HashMap;

use super::client::ConnectWiseClient;
use super::errors::Resource;
use super::models::Company;
use super::pickers::{picker_items, PickerList};
use crate::model::CompanyRef;
use crate::psa::{picker_name, PsaCompany, PsaError};

const COMPANIES: PickerList = PickerList {
    path: "/company/companies",
    resource: Resource::Companies,
    conditions: "deletedFlag=false",
    search_fields: &["name", "identifier"],
    fields: "id,identifier,name,status/name,deletedFlag",
};

impl ConnectWiseClient {
    /// `GET /company/companies?conditions=deletedFlag=false[ and (name contains …)]`, all pages,
    /// sorted by name.
    pub async fn companies(&self, search: Option<&str>) -> Result<Vec<PsaCompany>, PsaError> {
        let term = search.map(str::trim).filter(|t| !t.is_empty());
        let rows: Vec<Company> = self.picker_rows(&COMPANIES, term).await?;
        Ok(to_companies(rows, term))
    }

    /// Which of `companies` are not active: the same read as the picker's list (every
    /// non-deleted company, with its status), so a company deleted since it was mapped is
    /// reported as not listed, and one with a status other than Active by its status name.
    pub async fn inactive_of(
        &self,
        companies: &[CompanyRef],
    ) -> Result<HashMap<CompanyRef, String>, PsaError> {
        let rows: Vec<Company> = self.picker_rows(&COMPANIES, None).await?;
        let status: HashMap<i64, Option<String>> = rows
            .into_iter()
            .filter(|c| c.deleted_flag != Some(true))
            .filter_map(|c| Some((c.id?, c.status.and_then(|s| s.name))))
            .collect();
        Ok(companies
            .iter()
            .filter_map(|&c| match status.get(&c.0) {
                None => Some((c, "not listed in ConnectWise (deleted?)".to_string())),
                Some(s) if super::containers::company_inactive(s.as_deref()) => Some((
                    c,
                    format!(
                        "its status in ConnectWise is \"{}\"",
                        s.as_deref().unwrap_or_default()
                    ),
                )),
                Some(_) => None,
            })
            .collect())
    }
}

/// DTOs → domain rows. Deleted rows are dropped here too (defence against a server ignoring the
/// condition), and a search term is re-applied.
pub(super) fn to_companies(rows: Vec<Company>, term: Option<&str>) -> Vec<PsaCompany> {
    picker_items(rows, term, |c| {
        if c.deleted_flag == Some(true) {
            return None;
        }
        let id = c.id?;
        Some(PsaCompany {
            id: CompanyRef(id),
            name: picker_name([c.name, c.identifier.clone()], || format!("company {id}")),
            identifier: c.identifier,
        })
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deleted_and_idless_rows_are_dropped_and_search_reapplied() {
        let rows: Vec<Company> = serde_json::from_str(
            r#"[{"id":2,"identifier":"Zeta","name":"Zeta Corp","deletedFlag":false},
                {"id":1,"identifier":"Bob","name":"Bob's \"Best\" Dental"},
                {"id":3,"identifier":"Gone","name":"Gone Inc","deletedFlag":true},
                {"identifier":"NoId","name":"No id"}]"#,
        )
        .unwrap();
        let all = to_companies(rows.clone(), None);
        let ids: Vec<i64> = all.iter().map(|c| c.id.0).collect();
        assert_eq!(ids, vec![1, 2]);
        let found = to_companies(rows, Some("bob's \"best"));
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].identifier.as_deref(), Some("Bob"));
    }
}
